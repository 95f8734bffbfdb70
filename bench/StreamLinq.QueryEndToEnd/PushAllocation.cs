using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using StreamLinq.Sources;

namespace StreamLinq.QueryEndToEnd;

/// <summary>
/// What a push source's batch allocates per record in steady state, end to end: records stored
/// one by one into a <see cref="PushSource{T}"/>, sealed, run through filter+project+sum and a
/// GroupBy count+sum, each ending in <c>ForEachBatch</c>. The receiver's pooled chunks are the
/// batch's segments and go back to the pool after the outputs ran, so nothing should grow with
/// the records: what is left is a fixed cost per batch (and per chunk of about 64 KB).
/// </summary>
internal sealed class PushAllocation : IAsyncDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private readonly FakeTimeProvider _clock = new();
    private readonly StreamingContext _context;
    private readonly DriverSource _source;
    private readonly SemaphoreSlim _done = new(0);
    private readonly Failures _failures = new();
    private long _sum;
    private long _groups;

    private PushAllocation(int recordsPerBatch)
    {
        _context = new StreamingContext(Interval, new StreamingOptions { TimeProvider = _clock, MaxDegreeOfParallelism = 1 });
        _context.AddListener(_failures);
        _source = new DriverSource(new ReceiverOptions { BufferCapacity = 2 * recordsPerBatch });
        var stream = _context.AddInput(_source);
        stream.Where(r => r.Key % 10 != 0).Select(r => r.Value * 2).Sum().ForEachBatch((b, _) =>
        {
            _sum = b.Count == 0 ? 0 : b[0];
            _done.Release();
        });
        stream.GroupBy(r => r.Key % 10).Select(g => new { g.Key, Count = g.Count(), Sum = g.Sum(r => r.Value) }).ForEachBatch((b, _) =>
        {
            var checksum = 0L;
            foreach (var g in b)
            {
                checksum += g.Key + g.Count + g.Sum;
            }

            _groups = checksum;
            _done.Release();
        });
    }

    /// <summary>
    /// Measures what the whole process allocates per batch at two batch sizes, each over many
    /// batches after a warm-up, prints it, and returns the exit code: 2 when the cost of a record
    /// (the difference between the two sizes, divided by the records it adds) is above the bound.
    /// What a batch costs whatever its size (the engine's bookkeeping, the group table, the
    /// outputs' results) is printed beside it; about 28 B per pooled chunk of 2,048 records is
    /// the only cost that grows with the records. A copy of the batch or a boxed record costs at
    /// least 24 B per record and fails the bound.
    /// </summary>
    public static async Task<int> CheckAsync(bool full)
    {
        const int small = 10_000;
        const int large = 100_000;
        const double bound = 0.25;
        var batches = full ? 80 : 20;
        var inputs = new[] { Workload.Records(small, seed: 3), Workload.Records(large, seed: 3) };
        var perBatch = new double[2];
        await using (var run = new PushAllocation(large))
        {
            await run._context.StartAsync();
            for (var size = 0; size < 2; size++)
            {
                var input = inputs[size];
                var expected = (Queries.All[0].Hand(input, []), Queries.All[1].Hand(input, []));
                for (var b = 0; b < 10; b++)
                {
                    var checksums = await run.RunAsync(input);
                    if (checksums != expected)
                    {
                        throw new InvalidOperationException($"The push source's batch of {input.Length:N0} records gave {checksums}, the hand loops {expected}.");
                    }
                }

                var allocated = GC.GetTotalAllocatedBytes(precise: true);
                for (var b = 0; b < batches; b++)
                {
                    await run.RunAsync(input);
                }

                perBatch[size] = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / (double)batches;
            }
        }

        var perRecord = (perBatch[1] - perBatch[0]) / (large - small);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Push source end to end (records stored one by one; {Queries.All[0].Name} and {Queries.All[1].Name}, each to ForEachBatch; {batches} batches of each size after 10 of warm-up): {perBatch[0]:N0} B per batch of {small:N0} records, {perBatch[1]:N0} B per batch of {large:N0}: {perRecord:0.000} B per record (bound {bound}), {perBatch[1] / large:0.000} B per record at {large:N0} with the batch's fixed cost"));
        if (perRecord > bound)
        {
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"FAILED: a push source's batch allocated {perRecord:0.000} B per record, above the bound of {bound} B: something copies or boxes per record."));
            return 2;
        }

        return 0;
    }

    /// <summary>Stores <paramref name="records"/> and runs them as one batch; returns the two outputs' checksums.</summary>
    /// <exception cref="InvalidOperationException">The batch failed or did not complete within a minute.</exception>
    private async ValueTask<(long Sum, long Groups)> RunAsync(Record[] records)
    {
        await _source.PushAsync(records);
        _clock.Advance(Interval);
        for (var output = 0; output < 2; output++)
        {
            if (!await _done.WaitAsync(TimeSpan.FromMinutes(1)))
            {
                throw new InvalidOperationException($"A push batch did not complete within a minute: {_failures.First?.Message ?? "no batch failed"}");
            }
        }

        return (_sum, _groups);
    }

    public async ValueTask DisposeAsync()
    {
        await _context.DisposeAsync();
        _done.Dispose();
    }

    /// <summary>A push source the driver feeds: its receive loop only waits for the stop.</summary>
    private sealed class DriverSource(ReceiverOptions options) : PushSource<Record>("DriverPush", options)
    {
        public async ValueTask PushAsync(Record[] records)
        {
            foreach (var record in records)
            {
                await StoreAsync(record, CancellationToken.None);
            }
        }

        protected override async Task ReceiveAsync(CancellationToken cancellationToken)
        {
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // The context stops.
            }
        }
    }

    private sealed class Failures : IStreamingListener
    {
        public Exception? First { get; private set; }

        public void OnBatchCompleted(BatchInfo batch) => First ??= batch.Failure;
    }
}
