using Orleans.Runtime;
using Orleans.TestingHost;
using StreamLinq.Orleans.Tests.Support;

namespace StreamLinq.Orleans.Tests.Failover;

/// <summary>Drives a job through silo deaths: waits that ride out calls failing while Orleans detects a dead silo, and where grains live.</summary>
public static class FailoverRuns
{
    /// <summary>Long enough for failure detection (a few seconds), the driver probe (1 s) and the retries' backoff.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(40);

    /// <summary>
    /// The silo hosting the activation keyed <paramref name="key"/> (the driver: the job's name;
    /// reducer k: job/k); null when none is active. A call that fails because a silo died (the
    /// client's gateway, or a silo asked for its statistics) is tried again until <see cref="Patience"/>.
    /// </summary>
    public static async Task<SiloAddress?> SiloOfAsync(TestCluster cluster, string key)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            try
            {
                var statistics = await cluster.Client.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
                return statistics.FirstOrDefault(s => s.GrainId.Key.ToString() == key)?.SiloAddress;
            }
            catch (Exception error) when (error is OrleansException or TimeoutException && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }

    /// <summary>Moves the job's clock one interval at a time and waits for each batch, from batch <paramref name="from"/> to <paramref name="to"/>.</summary>
    public static async Task<StreamJobStatus> RunBatchesAsync(IStreamJob job, string name, int from, int to)
    {
        StreamJobStatus? status = null;
        for (var i = from; i <= to; i++)
        {
            TestJobs.Clock(name).Advance(TestJobs.Interval);
            var time = new BatchTime(i * TestJobs.Interval.Ticks).ToDateTimeOffset();
            status = await WaitAsync(job, s => s.LastBatchTime >= time, $"batch {i} of {name}");
        }

        return status!;
    }

    /// <summary>Polls the job's status until <paramref name="condition"/> holds; a call that fails (the driver's silo died and it is not back yet) is tried again.</summary>
    public static async Task<StreamJobStatus> WaitAsync(IStreamJob job, Func<StreamJobStatus, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        Exception? lastError = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                var status = await job.GetStatusAsync();
                if (condition(status))
                {
                    return status;
                }

                if (!status.IsRunning && status.Failures.Count > 0)
                {
                    throw new InvalidOperationException($"The job stopped before {what}: {string.Join("; ", status.Failures)}");
                }
            }
            catch (Exception error) when (error is not InvalidOperationException)
            {
                lastError = error;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"No {what} within {Patience}; last call failure: {lastError?.Message ?? "none"}");
    }
}
