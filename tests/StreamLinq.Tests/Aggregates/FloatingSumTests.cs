using System.Numerics;
using FsCheck;
using FsCheck.Xunit;
using StreamLinq.Tests.Support;

namespace StreamLinq.Tests.Aggregates;

/// <summary>
/// The documented guarantee of floating-point sums and averages split into chunks: the same bits
/// whatever the degree of parallelism (so a replay on another machine reproduces them), LINQ's
/// bits when the batch is one chunk, and otherwise within (n - 1) 2^-53 Σ|x| of the exact sum,
/// the bound of every order of summation.
/// </summary>
public class FloatingSumTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Property(MaxTest = 30)]
    public void Per_batch_double_sums_and_averages_have_the_same_bits_whatever_the_degree_of_parallelism(NormalFloat[][] input, byte partitionSize)
    {
        var batches = Doubles(input);
        var minPartition = 1 + (partitionSize % 4);
        var runs = new[] { 1, 2, 3, 5 }.Select(dop => Run(batches, minPartition, dop)).ToArray();
        foreach (var run in runs.Skip(1))
        {
            Assert.Equal(Bits(runs[0]), Bits(run));
        }
    }

    [Property(MaxTest = 30)]
    public void Per_batch_double_sums_lie_within_the_summation_error_bound_of_the_exact_sum(NormalFloat[][] input, byte partitionSize)
    {
        var batches = Doubles(input);
        var run = Run(batches, 1 + (partitionSize % 4), 3);
        for (var b = 0; b < batches.Length; b++)
        {
            AssertWithinBound(batches[b], run[b].Sum);
            var groups = batches[b].Select((x, i) => (x, i)).GroupBy(p => p.i % 3, p => p.x).ToArray();
            Assert.Equal(groups.Length, run[b].Groups.Length);
            foreach (var (group, (key, sum)) in groups.Zip(run[b].Groups))
            {
                Assert.Equal(group.Key, key);
                AssertWithinBound(group.ToArray(), sum);
            }
        }
    }

    [Property(MaxTest = 30)]
    public void A_batch_that_runs_as_one_chunk_sums_to_linqs_bits(NormalFloat[][] input)
    {
        var batches = Doubles(input);
        var run = Run(batches, minPartitionSize: 1_000, maxDegreeOfParallelism: 4);
        for (var b = 0; b < batches.Length; b++)
        {
            Assert.Equal(BitConverter.DoubleToInt64Bits(batches[b].Sum()), BitConverter.DoubleToInt64Bits(run[b].Sum));
            Assert.Equal(
                batches[b].Select((x, i) => (x, i)).GroupBy(p => p.i % 3, p => p.x).Select(g => BitConverter.DoubleToInt64Bits(g.Sum())),
                run[b].Groups.Select(g => BitConverter.DoubleToInt64Bits(g.Sum)));
        }
    }

    [Property(MaxTest = 20)]
    public void Windowed_double_sums_are_independent_of_parallelism_and_within_the_bound_of_the_windows_exact_sum(NormalFloat[][] input, PositiveInt lengthMultiple)
    {
        var batches = Doubles(input);
        var length = 1 + (lengthMultiple.Get % 3);
        var total = batches.Length + length;
        IReadOnlyDictionary<long, double[]> RunWindow(int dop) =>
            RunWindowAsync(batches, total, dop, s => s.Window(length * Second, Second).GroupBy(x => 0).Select(g => g.Sum())).GetAwaiter().GetResult();
        var one = RunWindow(1);
        var three = RunWindow(3);
        for (var t = 1; t <= total; t++)
        {
            Assert.Equal(one[t].Select(BitConverter.DoubleToInt64Bits), three[t].Select(BitConverter.DoubleToInt64Bits));
            var records = BatchRun.WindowRecords(batches, t, length).ToArray();
            if (records.Length > 0)
            {
                AssertWithinBound(records, Assert.Single(three[t]));
            }
        }
    }

    /// <summary>Up to 8 batches of up to 24 finite doubles of widely different magnitudes and signs.</summary>
    private static double[][] Doubles(NormalFloat[][]? input) =>
        (input ?? []).Take(8).Select(b => (b ?? []).Take(24).Select((x, i) => x.Get * Math.Pow(10, (i * 7 % 13) - 6)).ToArray()).ToArray();

    private static (double Sum, (int Key, double Sum)[] Groups)[] Run(double[][] batches, int minPartitionSize, int maxDegreeOfParallelism) =>
        RunAsync(batches, minPartitionSize, maxDegreeOfParallelism).GetAwaiter().GetResult();

    private static async Task<(double Sum, (int Key, double Sum)[] Groups)[]> RunAsync(double[][] batches, int minPartitionSize, int maxDegreeOfParallelism)
    {
        var options = new StreamingOptions { MinPartitionSize = minPartitionSize, MaxDegreeOfParallelism = maxDegreeOfParallelism };
        await using var harness = new StreamHarness(Second, options);
        var indexed = harness.Queue(batches.Select(b => b.Select((x, i) => (X: x, I: i)).ToArray()));
        var sums = StreamHarness.Collect(indexed.Sum(p => p.X));
        var averages = StreamHarness.Collect(indexed.Average(p => p.X));
        var groups = StreamHarness.Collect(indexed.GroupBy(p => p.I % 3).Select(g => new { g.Key, Sum = g.Sum(p => p.X), Mean = g.Average(p => p.X) }));
        await harness.StartAsync();
        var results = new (double, (int, double)[])[batches.Length];
        for (var b = 0; b < batches.Length; b++)
        {
            var info = await harness.RunBatchAsync();
            Assert.Null(info.Failure);
            var grouped = groups[info.Time];

            // An average is its sum divided by the count, as LINQ computes it: it carries the sum's guarantee.
            Assert.Equal(averages[info.Time].Select(BitConverter.DoubleToInt64Bits), batches[b].Length == 0 ? [] : [BitConverter.DoubleToInt64Bits(sums[info.Time].Single() / batches[b].Length)]);
            Assert.All(grouped, g => Assert.Equal(BitConverter.DoubleToInt64Bits(g.Sum / batches[b].Where((_, i) => i % 3 == g.Key).Count()), BitConverter.DoubleToInt64Bits(g.Mean)));
            results[b] = (sums[info.Time].Single(), grouped.Select(g => (g.Key, g.Sum)).ToArray());
        }

        return results;
    }

    private static async Task<IReadOnlyDictionary<long, double[]>> RunWindowAsync(double[][] batches, int total, int maxDegreeOfParallelism, Func<IDStream<double>, IDStream<double>> query)
    {
        var options = new StreamingOptions { MinPartitionSize = 1, MaxDegreeOfParallelism = maxDegreeOfParallelism };
        await using var harness = new StreamHarness(Second, options);
        var results = StreamHarness.Collect(query(harness.Queue(batches)));
        await harness.StartAsync();
        for (var i = 0; i < total; i++)
        {
            Assert.Null((await harness.RunBatchAsync()).Failure);
        }

        return results.ToDictionary(r => r.Key.Ticks / Second.Ticks, r => r.Value);
    }

    private static long[][] Bits((double Sum, (int Key, double Sum)[] Groups)[] run) =>
        run.Select(r => r.Groups.Select(g => BitConverter.DoubleToInt64Bits(g.Sum)).Prepend(BitConverter.DoubleToInt64Bits(r.Sum)).ToArray()).ToArray();

    /// <summary>
    /// |computed - exact| ≤ γ(n-1) Σ|x|, with γ(k) = k u / (1 - k u) and u = 2^-53, in exact
    /// integer arithmetic over the values scaled by 2^1074 (every finite double is an integer there).
    /// </summary>
    private static void AssertWithinBound(double[] values, double computed)
    {
        var exact = values.Aggregate(BigInteger.Zero, (sum, x) => sum + Scaled(x));
        var magnitude = values.Aggregate(BigInteger.Zero, (sum, x) => sum + BigInteger.Abs(Scaled(x)));
        var k = Math.Max(values.Length - 1, 0);
        var error = BigInteger.Abs(Scaled(computed) - exact);
        Assert.True(
            error * ((BigInteger.One << 53) - k) <= k * magnitude,
            $"The sum of {values.Length} values, {computed:R}, is further from the exact sum than (n - 1) 2^-53 Σ|x| allows.");
    }

    private static BigInteger Scaled(double x)
    {
        var bits = BitConverter.DoubleToInt64Bits(x);
        var exponent = (int)((bits >> 52) & 0x7FF);
        var mantissa = bits & 0xF_FFFF_FFFF_FFFFL;
        var value = exponent == 0 ? new BigInteger(mantissa) : new BigInteger(mantissa | (1L << 52)) << (exponent - 1);
        return bits < 0 ? -value : value;
    }
}
