using StreamLinq.Sources;

namespace StreamLinq.Distributed;

/// <summary>
/// The input a reducer's plan reads in place of the narrow part the executors ran: the records
/// the map tasks shuffled to this key partition. It is never sealed: the reducer hands its
/// records to the batch directly, so only its name (in plans) and record type matter.
/// </summary>
internal sealed class ShuffleInput<T>(string name) : IBatchSource<T>
{
    public string Name { get; } = name;

    public bool IsReplayable => false;

    public bool HasPending => false;

    public Task StartAsync(SourceContext context, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync() => Task.CompletedTask;

    public ISealedInput Seal(BatchTime time) =>
        throw new InvalidOperationException($"{Name} is filled by the shuffle, never sealed.");
}
