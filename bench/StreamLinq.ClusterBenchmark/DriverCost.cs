using System.Diagnostics;
using StreamLinq;
using StreamLinq.Distributed;

namespace StreamLinq.ClusterBenchmark;

/// <summary>
/// The driver's own work for one batch, with no messages: <see cref="DistributedPlan.Cut"/> (one
/// offset range and one map task per partition), the driver's checkpoint record (the sources'
/// positions, <see cref="DistributedPlan.WriteSourcePositions"/>, and the cut's offsets) and
/// <see cref="DistributedPlan.Acknowledge"/>, timed by a stopwatch around as many batches as fit
/// in the time given.
/// </summary>
internal static class DriverCost
{
    public static async Task<(double MicrosecondsPerBatch, double BytesPerBatch)> MeasureAsync(int partitions, TimeSpan duration)
    {
        await using var context = new StreamingContext(TimeSpan.FromSeconds(1));
        Jobs.CountByKey(context, partitions, perBatch: 1_000);
        var plan = DistributedPlan.Create(context, keyPartitions: 8);
        var time = new BatchTime(TimeSpan.TicksPerDay);
        long bytes = 0;
        for (var i = 0; i < 100; i++)
        {
            bytes = Batch(plan, ref time);
        }

        var batches = 0;
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < duration)
        {
            Batch(plan, ref time);
            batches++;
        }

        return (watch.Elapsed.TotalMicroseconds / batches, bytes);
    }

    private static long Batch(DistributedPlan plan, ref BatchTime time)
    {
        var cut = plan.Cut(time);
        var checkpoint = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new System.Text.Json.Utf8JsonWriter(checkpoint))
        {
            plan.WriteSourcePositions(writer);
        }

        plan.Acknowledge(cut);
        time += TimeSpan.FromSeconds(1);
        return (cut.Offsets.Length * 2) + checkpoint.WrittenCount;
    }
}
