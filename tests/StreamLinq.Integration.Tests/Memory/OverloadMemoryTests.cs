using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;

namespace StreamLinq.Integration.Tests.Memory;

/// <summary>
/// The engine alone in a child process (StreamLinq.OverloadWorker), offered ten times what it
/// processes for 60 seconds with default settings: its resident memory, sampled every second,
/// stays under the bound docs/architecture.md gives and does not grow.
/// </summary>
[Trait("Category", "Soak")]
public sealed class OverloadMemoryTests(ITestOutputHelper output)
{
    /// <summary>How long the overload runs: a minute in the default suite, ten in the soak run (<c>./build.sh soak</c>, <c>STREAMLINQ_SOAK=1</c>).</summary>
    private static readonly int Seconds = Environment.GetEnvironmentVariable("STREAMLINQ_SOAK") == "1" ? 600 : 60;
    private const int Capacity = 100_000;
    private const long MiB = 1024 * 1024;

    [Fact]
    public async Task Under_ten_times_overload_with_default_settings_resident_memory_stays_flat_within_the_documented_bound()
    {
        var samples = await RunWorkerAsync();
        output.WriteLine(Describe(samples));

        // docs/architecture.md: per push source, (MaxQueuedBatches + 3) batches of BufferCapacity
        // records, four times (a receiver's list grows to twice its count and a seal copies it;
        // the GC collects such large arrays lazily, holding up to as much again), over the
        // runtime's own memory. The records are 8-byte longs; defaults: 2 queued, 1,000,000 each.
        var defaults = (Queued: new StreamingOptions().MaxQueuedBatches, Buffer: ReceiverOptions.DefaultBufferCapacity);
        var batches = (defaults.Queued + 3) * (long)defaults.Buffer * sizeof(long) * 4;
        var bound = samples[0].Rss + RuntimeAllowance + batches;
        var overBound = samples.Where(s => s.Second >= 1 && s.Rss > bound).ToList();
        Assert.True(overBound.Count == 0, $"Resident memory exceeded {bound / MiB} MiB: {Describe(overBound)}");

        // Flat: the peak of the last 20 s is not above the peak of the 20 s before by more than
        // the GC's own steps (it grows its heap in steps of tens of MiB and gives them back
        // later); the unbounded queue grew by about 11 MiB/s here, over 200 MiB per 20 s.
        var steady = samples.Where(s => s.Second >= 20).ToList();
        var earlier = steady.Where(s => s.Second < 40).Max(s => s.Rss);
        var later = steady.Where(s => s.Second >= 40).Max(s => s.Rss);
        Assert.True(later - earlier <= GcStepAllowance, $"Resident memory's peak grew by {(later - earlier) / MiB} MiB from 20-40 s to 40-60 s: {Describe(steady)}");

        // The overload was real: the producer offered ten times the capacity and was held back.
        var last = samples[^1];
        Assert.True(last.Processed > 0, "Nothing was processed.");
        Assert.True(last.Accepted < 10L * Capacity * Seconds / 2, $"The producer was not held back: {last.Accepted} records accepted.");
    }

    /// <summary>How much the peak may rise between two 20 s windows of a flat run: the GC's heap steps.</summary>
    private const long GcStepAllowance = 64 * MiB;

    /// <summary>What the runtime itself may add to the memory at start: JIT, thread stacks, GC headroom.</summary>
    private const long RuntimeAllowance = 96 * MiB;

    private static async Task<List<Sample>> RunWorkerAsync()
    {
        var worker = Path.Combine(AppContext.BaseDirectory, "StreamLinq.OverloadWorker.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(worker);
        info.Environment["OVERLOAD_SECONDS"] = Seconds.ToString(CultureInfo.InvariantCulture);
        info.Environment["OVERLOAD_CAPACITY"] = Capacity.ToString(CultureInfo.InvariantCulture);
        using var process = Process.Start(info)!;
        var errors = process.StandardError.ReadToEndAsync();
        var samples = new List<Sample>();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(Seconds + 60));
        try
        {
            while (await process.StandardOutput.ReadLineAsync(deadline.Token) is { } line)
            {
                var parts = line.Split(' ');
                if (parts[0] == "RSS")
                {
                    samples.Add(new Sample(int.Parse(parts[1], CultureInfo.InvariantCulture), long.Parse(parts[2], CultureInfo.InvariantCulture),
                        long.Parse(parts[3], CultureInfo.InvariantCulture), long.Parse(parts[4], CultureInfo.InvariantCulture)));
                }
            }

            await process.WaitForExitAsync(deadline.Token);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }

        Assert.True(process.ExitCode == 0, $"The worker exited with {process.ExitCode}: {await errors}");
        Assert.Equal(Seconds + 1, samples.Count);
        return samples;
    }

    private static string Describe(IEnumerable<Sample> samples) =>
        string.Join(", ", samples.Select(s => $"{s.Second}s {s.Rss / MiB} MiB"));

    private sealed record Sample(int Second, long Rss, long Accepted, long Processed);
}
