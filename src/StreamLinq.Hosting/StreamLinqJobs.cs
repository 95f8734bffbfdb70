using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace StreamLinq.Hosting;

/// <summary>
/// The jobs of this host: a hosted service that creates, defines and starts every registered job
/// when the host starts and stops them when it stops. Resolve it to see the running jobs (a
/// dashboard, a health endpoint).
/// </summary>
/// <remarks>
/// <para>Start: each job's options are bound and validated first (an
/// <see cref="OptionsValidationException"/> naming the settings fails the host's start), then its
/// context is built (from its checkpoint when <see cref="StreamLinqJobOptions.CheckpointDirectory"/>
/// is set) and started. A job that fails to start stops those started before it.</para>
/// <para>Stop: every job stops gracefully (it finishes the records it received) until the host's
/// shutdown timeout fires; one still draining then is stopped abruptly (the batch in progress is
/// cancelled, queued batches are dropped, to be replayed from the checkpoint) and a warning with
/// event id 2001 says so.</para>
/// </remarks>
public sealed partial class StreamLinqJobs : IHostedService, IAsyncDisposable
{
    private readonly IServiceProvider _services;
    private readonly StreamLinqBuilder _builder;
    private readonly IOptionsMonitor<StreamLinqJobOptions> _options;
    private readonly ILoggerFactory? _loggers;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private List<RunningJob> _running = [];

    /// <summary>Created by the host's container (see <see cref="StreamLinqServiceCollectionExtensions.AddStreamLinq"/>).</summary>
    /// <param name="services">The host's services, handed to each job's definition.</param>
    public StreamLinqJobs(IServiceProvider services)
    {
        _services = services;
        _builder = services.GetRequiredService<StreamLinqBuilder>();
        _options = services.GetRequiredService<IOptionsMonitor<StreamLinqJobOptions>>();
        _loggers = services.GetService<ILoggerFactory>();
        _logger = (ILogger?)_loggers?.CreateLogger("StreamLinq.Hosting") ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    }

    /// <summary>The jobs started and not yet stopped, in registration order.</summary>
    public IReadOnlyList<StreamLinqJob> Running
    {
        get
        {
            lock (_gate)
            {
                return [.. _running.Select(r => r.Job)];
            }
        }
    }

    internal IReadOnlyList<(StreamLinqJob Job, JobHealth Health)> Health
    {
        get
        {
            lock (_gate)
            {
                return [.. _running.Select(r => (r.Job, r.Health))];
            }
        }
    }

    /// <summary>Validates every job's options, then builds and starts the jobs in registration order.</summary>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <exception cref="OptionsValidationException">A job's options are invalid; the message names each bad setting.</exception>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // All options first, so that one bad setting fails the start before any job runs.
        var jobs = _builder.Jobs.Select(j => (Registration: j, Options: _options.Get(j.Name))).ToList();
        try
        {
            foreach (var (registration, options) in jobs)
            {
                var running = Build(registration, options);
                await running.Job.Context.StartAsync(cancellationToken).ConfigureAwait(false);
                lock (_gate)
                {
                    _running = [.. _running, running];
                }

                JobStarted(_logger, registration.Name, options.BatchInterval);
            }
        }
        catch
        {
            await StopAsync(CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Stops every job gracefully, abruptly once <paramref name="cancellationToken"/> (the host's shutdown timeout) fires.</summary>
    /// <param name="cancellationToken">Fires when the host's shutdown timeout is over.</param>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        List<RunningJob> running;
        lock (_gate)
        {
            running = _running;
            _running = [];
        }

        await Task.WhenAll(running.Select(r => StopJobAsync(r.Job, cancellationToken))).ConfigureAwait(false);
    }

    /// <summary>Stops every job abruptly.</summary>
    /// <returns>Completes when they stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        List<RunningJob> running;
        lock (_gate)
        {
            running = _running;
            _running = [];
        }

        foreach (var job in running)
        {
            await job.Job.Context.DisposeAsync().ConfigureAwait(false);
        }
    }

    private RunningJob Build(JobRegistration registration, StreamLinqJobOptions options)
    {
        var streaming = new StreamingOptions
        {
            JobName = options.JobName ?? registration.Name,
            LoggerFactory = _loggers,
            BackPressure = options.BackPressure,
            MaxQueuedBatches = options.MaxQueuedBatches,
            StopOnBatchFailure = options.StopOnBatchFailure,
            GracefulStopTimeout = options.GracefulStopTimeout,
        };
        var receiver = new ReceiverOptions { MaxRatePerSecond = options.Receiver.MaxRatePerSecond };
        if (options.Receiver.BufferCapacity is { } capacity)
        {
            receiver = receiver with { BufferCapacity = capacity };
        }

        StreamLinqJob? job = null;
        StreamingContext Create()
        {
            var context = new StreamingContext(options.BatchInterval, streaming);
            job = new StreamLinqJob(registration.Name, context, _services, options, receiver);
            registration.Define(job);
            return context;
        }

        var context = options.CheckpointDirectory is { } directory ? StreamingContext.GetOrCreate(directory, Create) : Create();
        var health = new JobHealth(options.MaxSchedulingDelay ?? options.BatchInterval * 10, options.FailedBatchWindow);
        context.AddListener(health);
        return new RunningJob(job!, health);
    }

    private async Task StopJobAsync(StreamLinqJob job, CancellationToken cancellationToken)
    {
        var graceful = job.Context.StopAsync(graceful: true);
        try
        {
            await graceful.WaitAsync(cancellationToken).ConfigureAwait(false);
            JobStopped(_logger, job.Name);
            return;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            GracefulStopTimedOut(_logger, job.Name);
        }

        await job.Context.StopAsync(graceful: false).ConfigureAwait(false);
        await graceful.ConfigureAwait(false);
    }

    [LoggerMessage(2000, LogLevel.Information, "StreamLinq job {Job} started under the host (batch interval {BatchInterval}).")]
    private static partial void JobStarted(ILogger logger, string job, TimeSpan batchInterval);

    [LoggerMessage(2001, LogLevel.Warning, "StreamLinq job {Job}: the graceful stop did not finish within the host's shutdown timeout; stopping abruptly (the batch in progress is cancelled, queued batches are dropped and replayed from the checkpoint at the next start).")]
    private static partial void GracefulStopTimedOut(ILogger logger, string job);

    [LoggerMessage(2002, LogLevel.Information, "StreamLinq job {Job} stopped gracefully with the host.")]
    private static partial void JobStopped(ILogger logger, string job);

    private sealed record RunningJob(StreamLinqJob Job, JobHealth Health);
}
