using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans;

namespace StreamLinq.Orleans;

/// <summary>
/// Brings drivers back after their silo died: Orleans activates a grain only when it is called,
/// so every silo calls the driver of each job that checkpoints every
/// <see cref="StreamJobRegistry.DriverProbeInterval"/>. The call reaches the live activation (which
/// ignores it) or, once Orleans has declared the old silo dead, activates the driver on a live
/// silo, which resumes the job from its newest checkpoint. A call still outstanding is not repeated.
/// </summary>
internal sealed partial class DriverProbe(StreamJobRegistry registry, IGrainFactory grains, ILoggerFactory loggers) : BackgroundService
{
    private readonly ILogger _logger = loggers.CreateLogger("StreamLinq.Orleans");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var calls = new Dictionary<string, Task>(StringComparer.Ordinal);
        using var timer = new PeriodicTimer(registry.DriverProbeInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            foreach (var job in registry.CheckpointedJobs)
            {
                if (calls.GetValueOrDefault(job) is { IsCompleted: false })
                {
                    continue;
                }

                calls[job] = ProbeAsync(job);
            }
        }
    }

    private async Task ProbeAsync(string job)
    {
        try
        {
            await grains.GetGrain<IJobDriver>(job).KeepRunningAsync();
        }
        catch (Exception error)
        {
            // The silo is still starting, or the driver's old silo is not yet declared dead: the next tick tries again.
            LogProbeFailed(_logger, job, error.Message);
        }
    }

    [LoggerMessage(EventId = 3000, Level = LogLevel.Debug, Message = "The failover probe of job '{Job}' failed: {Reason}")]
    private static partial void LogProbeFailed(ILogger logger, string job, string reason);
}
