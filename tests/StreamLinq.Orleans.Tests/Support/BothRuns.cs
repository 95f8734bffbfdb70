using System.Collections.Concurrent;
using StreamLinq.Testing;

namespace StreamLinq.Orleans.Tests.Support;

/// <summary>Each batch's records an output received, by batch time; several writers (key partitions) may add to one batch.</summary>
public sealed class BatchCollector<T>
{
    private readonly ConcurrentDictionary<BatchTime, ConcurrentQueue<T>> _batches = new();

    public void Add(IReadOnlyList<T> records, BatchTime time)
    {
        var batch = _batches.GetOrAdd(time, _ => new ConcurrentQueue<T>());
        foreach (var record in records)
        {
            batch.Enqueue(record);
        }
    }

    /// <summary>The records of the first <paramref name="batches"/> batch times (from one interval after the epoch), in arrival order; empty for a batch without output.</summary>
    public List<T>[] Batches(int batches) =>
        Enumerable.Range(1, batches).Select(i => _batches.TryGetValue(new BatchTime(TestJobs.Interval.Ticks * i), out var b) ? b.ToList() : []).ToArray();
}

/// <summary>
/// Runs one query on the single-process engine (the testing harness) and on the cluster, over the
/// same scripted partitioned source, on the same batch times, and gives both outputs per batch.
/// </summary>
public static class BothRuns
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    public static Task<(List<TOut>[] Single, List<TOut>[] Cluster)> RunAsync<TIn, TOut>(
        ClusterFixture fixture, Script<TIn> script, Func<IDStream<TIn>, IDStream<TOut>> query, int? batches = null) =>
        RunAsync(fixture, context => query(context.AddInput(new ScriptedSource<TIn>("Script", script))), batches ?? script.Batches.Length);

    /// <summary>The same with the inputs <paramref name="define"/> adds itself (several sources).</summary>
    public static async Task<(List<TOut>[] Single, List<TOut>[] Cluster)> RunAsync<TOut>(
        ClusterFixture fixture, Func<StreamingContext, IDStream<TOut>> define, int batches)
    {
        var single = await SingleAsync(define, batches);
        var cluster = new BatchCollector<TOut>();
        var job = TestJobs.Define(context => define(context).ForEachBatch(cluster.Add));
        await RunJobAsync(fixture, job, batches);
        return (single, cluster.Batches(batches));
    }

    /// <summary>The query's output per batch on the single-process engine (the testing harness), batch times one interval apart from the epoch.</summary>
    public static async Task<List<TOut>[]> SingleAsync<TOut>(Func<StreamingContext, IDStream<TOut>> define, int batches)
    {
        var single = new BatchCollector<TOut>();
        await using (var harness = new StreamTestHarness(options =>
        {
            var context = new StreamingContext(TestJobs.Interval, options);
            define(context).ForEachBatch(single.Add);
            return context;
        }))
        {
            await harness.StartAsync();
            await harness.RunBatchesAsync(batches);
        }

        return single.Batches(batches);
    }

    /// <summary>Starts the job, moves its clock one interval at a time until <paramref name="batches"/> batches are done, stops it.</summary>
    public static async Task<StreamJobStatus> RunJobAsync(ClusterFixture fixture, string job, int batches)
    {
        var grain = fixture.Cluster.Client.GetStreamJob(job);
        await grain.StartAsync();
        var clock = TestJobs.Clock(job);
        try
        {
            for (var i = 1; i <= batches; i++)
            {
                clock.Advance(TestJobs.Interval);
                await WaitAsync(grain, status => status.BatchesDone >= i, $"batch {i} of {job}");
            }
        }
        finally
        {
            await grain.StopAsync();
        }

        return await grain.GetStatusAsync();
    }

    public static async Task<StreamJobStatus> WaitAsync(IStreamJob job, Func<StreamJobStatus, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var status = await job.GetStatusAsync();
            if (condition(status))
            {
                return status;
            }

            if (status.Failures.Count > 0 && !status.IsRunning)
            {
                throw new InvalidOperationException($"The job failed before {what}: {string.Join("; ", status.Failures)}");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"No {what} within {Patience}: {status}");
            }

            await Task.Delay(5);
        }
    }

    /// <summary>Each batch's records in a canonical order, for outputs whose order across key partitions is not defined.</summary>
    public static List<string>[] Sorted<T>(List<T>[] batches) =>
        batches.Select(b => b.Select(r => r?.ToString() ?? "null").Order(StringComparer.Ordinal).ToList()).ToArray();
}
