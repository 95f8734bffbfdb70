using System.Collections.Concurrent;
using StreamLinq.Orleans.Tests.Support;

namespace StreamLinq.Orleans.Tests.Failover;

/// <summary>
/// The jobs the failover cluster's silos register: slots that checkpoint (each into its own
/// directory through a <see cref="ContestedCheckpointStore"/>, reducers' state every 2 batches, so
/// a restored reducer has a batch replayed into it), and one with speculation on. Each runs on its own fake clock (<see cref="TestJobs.Clock"/>).
/// </summary>
public static class FailoverJobs
{
    public const int Slots = 8;

    public const int KeyPartitions = 8;

    public const string Speculative = "speculative";

    public static readonly string CheckpointDirectory = Path.Combine(Path.GetTempPath(), $"streamlinq-failover-{Guid.NewGuid():N}");

    private static readonly ConcurrentDictionary<string, Action<StreamingContext>> Definitions = new(StringComparer.Ordinal);

    private static int _next;

    /// <summary>Takes a fresh checkpointed job (fresh grains, an empty store) and defines it.</summary>
    public static string Define(Action<StreamingContext> define)
    {
        var slot = Interlocked.Increment(ref _next) - 1;
        if (slot >= Slots)
        {
            throw new InvalidOperationException($"The failover silos register {Slots} checkpointed jobs; raise FailoverJobs.Slots.");
        }

        var job = $"recoverable{slot}";
        Definitions[job] = define;
        return job;
    }

    public static string DefineSpeculative(Action<StreamingContext> define)
    {
        Definitions[Speculative] = define;
        return Speculative;
    }

    public static void Register(StreamJobRegistry jobs)
    {
        for (var slot = 0; slot < Slots; slot++)
        {
            var job = $"recoverable{slot}";
            jobs.AddJob(job, (context, _) => Definition(job)(context), options =>
            {
                Common(options, job);
                options.CheckpointStore = new ContestedCheckpointStore(Path.Combine(CheckpointDirectory, job));
                options.CheckpointEvery = 2;
            });
        }

        jobs.AddJob(Speculative, (context, _) => Definition(Speculative)(context), options =>
        {
            Common(options, Speculative);
            options.SpeculationMultiplier = 2;
            options.SpeculationMinimum = TimeSpan.FromMilliseconds(50);
        });
    }

    private static void Common(StreamJobOptions options, string job)
    {
        options.BatchInterval = TestJobs.Interval;
        options.KeyPartitions = KeyPartitions;
        options.MaxBatchAttempts = 30;
        options.RetryBackoff = TimeSpan.FromMilliseconds(100);
        options.Streaming = new StreamingOptions { TimeProvider = TestJobs.Clock(job), MaxDegreeOfParallelism = 1 };
    }

    private static Action<StreamingContext> Definition(string job) =>
        Definitions.TryGetValue(job, out var define) ? define : throw new InvalidOperationException($"{job} has no definition yet.");
}
