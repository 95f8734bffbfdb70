using StreamLinq.Distributed;

namespace StreamLinq.Orleans;

/// <summary>
/// The jobs a silo can run, by name (<see cref="StreamLinqSiloBuilderExtensions.AddStreamLinq"/>).
/// Every silo of a cluster registers the same jobs: the driver, the executors and the reducers of
/// a job each build it from its factory wherever Orleans places them.
/// </summary>
public sealed class StreamJobRegistry
{
    private readonly Dictionary<string, (Action<StreamingContext, IServiceProvider> Build, StreamJobOptions Options)> _jobs = new(StringComparer.Ordinal);
    private TimeSpan _driverProbeInterval = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Registers a job: <paramref name="build"/> defines its sources, queries and outputs on a
    /// fresh <see cref="StreamingContext"/>, exactly as for a single-process context (do not start it).
    /// </summary>
    /// <param name="name">The job's name, by which clients start and inspect it (<see cref="StreamJobGrainFactoryExtensions.GetStreamJob"/>).</param>
    /// <param name="build">Defines the job on a context; run once per grain that takes part, on its silo, so it must build the same query each time.</param>
    /// <param name="configure">Sets the job's options; defaults when null.</param>
    /// <returns>This registry, to add more jobs.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or already registered.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The options' batch interval, key partitions, checkpoint frequency, attempts, backoff or speculation settings are out of range.</exception>
    public StreamJobRegistry AddJob(string name, Action<StreamingContext, IServiceProvider> build, Action<StreamJobOptions>? configure = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(build);
        var options = new StreamJobOptions();
        configure?.Invoke(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.KeyPartitions, 1, nameof(configure));
        if (options.BatchInterval < StreamingContext.MinBatchInterval || options.BatchInterval > StreamingContext.MaxBatchInterval)
        {
            throw new ArgumentOutOfRangeException(nameof(configure), options.BatchInterval, $"Job '{name}': the batch interval must be between {StreamingContext.MinBatchInterval} and {StreamingContext.MaxBatchInterval}.");
        }

        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.KeyPartitions, CheckpointLayout.MaxKeyPartitions, nameof(configure));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.CheckpointEvery, 1, nameof(configure));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxBatchAttempts, 1, nameof(configure));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.RetryBackoff, TimeSpan.Zero, nameof(configure));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.SpeculationMinimum, TimeSpan.Zero, nameof(configure));
        if (options.SpeculationMultiplier is <= 1 or double.NaN)
        {
            throw new ArgumentOutOfRangeException(nameof(configure), options.SpeculationMultiplier, $"Job '{name}': the speculation multiplier must be above 1 (a task slower than the median by that factor), or null for none.");
        }

        if (!_jobs.TryAdd(name, (build, options)))
        {
            throw new ArgumentException($"A job named '{name}' is already registered.", nameof(name));
        }

        return this;
    }

    /// <summary>
    /// How often each silo calls the driver of every job that has a checkpoint store, so that a
    /// driver whose silo died is activated again elsewhere and resumes the job (Orleans activates a
    /// grain only when it is called). Default 1 second.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The interval set is not positive.</exception>
    public TimeSpan DriverProbeInterval
    {
        get => _driverProbeInterval;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            _driverProbeInterval = value;
        }
    }

    /// <summary>The jobs that checkpoint, whose drivers the failover probe calls.</summary>
    internal IEnumerable<string> CheckpointedJobs => _jobs.Where(j => j.Value.Options.CheckpointStore is not null).Select(j => j.Key);

    /// <summary>The options of <paramref name="name"/>.</summary>
    internal StreamJobOptions Options(string name) => Find(name).Options;

    /// <summary>Builds <paramref name="name"/>'s query on a new context and cuts it for the cluster.</summary>
    internal DistributedPlan Build(string name, IServiceProvider services)
    {
        var (build, options) = Find(name);
        var context = new StreamingContext(options.BatchInterval, options.Streaming with { JobName = name });
        build(context, services);
        return DistributedPlan.Create(context, options.KeyPartitions);
    }

    private (Action<StreamingContext, IServiceProvider> Build, StreamJobOptions Options) Find(string name) =>
        _jobs.TryGetValue(name, out var job) ? job
        : throw new KeyNotFoundException($"No StreamLinq job named '{name}' is registered on this silo; registered: {(_jobs.Count == 0 ? "none" : string.Join(", ", _jobs.Keys))}.");
}
