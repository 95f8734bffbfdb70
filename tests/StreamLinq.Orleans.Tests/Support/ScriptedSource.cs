using System.Text.Json;
using StreamLinq.Sources;
using StreamLinq.State;

namespace StreamLinq.Orleans.Tests.Support;

/// <summary>
/// What a partitioned broker holds, batch by batch: <c>Batches[k][p]</c> are the records that
/// partition <c>p</c> receives for the <c>k</c>-th batch. After the last batch, batches are empty.
/// </summary>
public sealed class Script<T>(T[][][] batches)
{
    public T[][][] Batches { get; } = batches;

    public int PartitionCount => Batches.Length == 0 ? 0 : Batches[0].Length;

    /// <summary>Every record partition <paramref name="partition"/> holds, in order: its log.</summary>
    public T[] Log(int partition) => Batches.SelectMany(b => b[partition]).ToArray();

    /// <summary>Where the <paramref name="batch"/>-th batch begins in partition <paramref name="partition"/>'s log.</summary>
    public int Offset(int batch, int partition) => Batches.Take(batch).Sum(b => b[partition].Length);

    public override string ToString() =>
        string.Join(" | ", Batches.Select(b => string.Join(" ; ", b.Select(p => string.Join(",", p)))));
}

/// <summary>
/// A replayable partitioned source over a <see cref="Script{T}"/>, in memory: each seal takes
/// the next batch's range in every partition; a range is read back from the script, so any
/// instance (the driver's, an executor's) reads the same records. The records of a batch come in
/// partition order, as one process reads them. <paramref name="beforeRead"/>, when given, is
/// awaited before each read with the partitions it reads (a test holds a straggler with it).
/// </summary>
public sealed class ScriptedSource<T>(string name, Script<T> script, Func<IReadOnlyList<int>, Task>? beforeRead = null) : IPartitionedSource, IBatchSource<T>
{
    private int _sealed;

    public string Name { get; } = name;

    public IReadOnlyList<string> Partitions { get; } = Enumerable.Range(0, script.PartitionCount).Select(p => $"p{p}").ToArray();

    public bool IsReplayable => true;

    public bool HasPending => _sealed < script.Batches.Length;

    public string StateId => Name + "/position";

    public int StateVersion => 1;

    public Task StartAsync(SourceContext context, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync() => Task.CompletedTask;

    public ISealedInput Seal(BatchTime time)
    {
        var batch = Math.Min(_sealed++, script.Batches.Length);
        return new Range(this, Partitions.Select((_, p) => (p, script.Offset(batch, p), script.Offset(Math.Min(batch + 1, script.Batches.Length), p))).ToArray());
    }

    public void WriteRange(ISealedInput input, Utf8JsonWriter writer)
    {
        writer.WriteStartArray();
        foreach (var (partition, from, to) in ((Range)input).Entries)
        {
            writer.WriteStartObject();
            writer.WriteString("partition", Partitions[partition]);
            writer.WriteNumber("from", from);
            writer.WriteNumber("to", to);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    public ISealedInput ReadRange(JsonElement range) =>
        new Range(this, range.EnumerateArray().Select(e => (Partition(e.GetProperty("partition").GetString()!), e.GetProperty("from").GetInt32(), e.GetProperty("to").GetInt32())).ToArray());

    public void WriteState(Utf8JsonWriter writer) => writer.WriteNumberValue(_sealed);

    public void ReadState(JsonElement state, int version) => _sealed = state.GetInt32();

    private int Partition(string name) =>
        Partitions.ToList().IndexOf(name) is var index and >= 0 ? index : throw new InvalidDataException($"{Name} has no partition '{name}'.");

    private sealed class Range(ScriptedSource<T> source, (int Partition, int From, int To)[] entries) : ISealedInput
    {
        public (int Partition, int From, int To)[] Entries { get; } = entries;

        public async ValueTask<Array> ReadAsync(CancellationToken cancellationToken)
        {
            if (source.BeforeRead is { } wait)
            {
                await wait(Entries.Select(e => e.Partition).ToArray());
            }

            return Entries.SelectMany(e => source.Log(e.Partition)[e.From..e.To]).ToArray();
        }
    }

    private Func<IReadOnlyList<int>, Task>? BeforeRead => beforeRead;

    private T[] Log(int partition) => script.Log(partition);
}
