using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;

namespace StreamLinq.Orleans.Tests.Support;

/// <summary>
/// The jobs the test silos register: a fixed set of names, each defined by whatever query a test
/// puts in its slot before starting it, each on its own fake clock starting at the Unix epoch (as
/// the single-process harness's), so both runs cut batches at the same times.
/// </summary>
public static class TestJobs
{
    public const int Slots = 256;

    public const int KeyPartitions = 4;

    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private static readonly ConcurrentDictionary<string, Action<StreamingContext>> Definitions = new(StringComparer.Ordinal);

    private static readonly ConcurrentDictionary<string, FakeTimeProvider> Clocks = new(StringComparer.Ordinal);

    private static int _next;

    /// <summary>The one job that checkpoints, into a fresh directory per test run.</summary>
    public const string Checkpointed = "checkpointed";

    public static readonly string CheckpointDirectory = Path.Combine(Path.GetTempPath(), $"streamlinq-cluster-{Guid.NewGuid():N}");

    public static string Name(int slot) => $"job{slot}";

    public static FakeTimeProvider Clock(string job) => Clocks.GetOrAdd(job, _ => new FakeTimeProvider(DateTimeOffset.UnixEpoch));

    /// <summary>Takes a fresh job name (fresh grains, fresh state) and defines it.</summary>
    public static string Define(Action<StreamingContext> define)
    {
        var slot = Interlocked.Increment(ref _next) - 1;
        if (slot >= Slots)
        {
            throw new InvalidOperationException($"The test silos register {Slots} jobs; raise TestJobs.Slots.");
        }

        var job = Name(slot);
        Definitions[job] = define;
        return job;
    }

    /// <summary>Defines <see cref="Checkpointed"/>; a test that uses it defines it once.</summary>
    public static string DefineCheckpointed(Action<StreamingContext> define)
    {
        Definitions[Checkpointed] = define;
        return Checkpointed;
    }

    public static void Register(StreamJobRegistry jobs)
    {
        jobs.AddJob(
            Checkpointed,
            (context, _) => Definitions[Checkpointed](context),
            options =>
            {
                options.BatchInterval = Interval;
                options.KeyPartitions = KeyPartitions;
                options.CheckpointStore = new Checkpointing.DirectoryCheckpointStore(CheckpointDirectory);
                options.Streaming = new StreamingOptions { TimeProvider = Clock(Checkpointed) };
            });

        for (var slot = 0; slot < Slots; slot++)
        {
            var job = Name(slot);
            jobs.AddJob(
                job,
                (context, _) => (Definitions.TryGetValue(job, out var define) ? define : throw new InvalidOperationException($"{job} has no definition yet."))(context),
                options =>
                {
                    options.BatchInterval = Interval;
                    options.KeyPartitions = KeyPartitions;
                    options.Streaming = new StreamingOptions { TimeProvider = Clock(job), MaxDegreeOfParallelism = 1 };
                });
        }
    }
}
