using System.Globalization;
using System.Text.Json;
using StreamLinq;
using StreamLinq.Sources;

namespace StreamLinq.ClusterBenchmark;

/// <summary>
/// A partitioned, replayable source with no broker behind it, written on the public connector
/// SDK: every batch takes the next <c>perBatch</c> offsets of each partition, and a range's
/// records are made from their offsets (<c>record(partition, offset)</c>), so an executor anywhere
/// reads the same records for the same range. It keeps the broker out of what is measured: the
/// driver's cut, the fan-out, the executors' loop, the shuffle and the reducers.
/// </summary>
internal sealed class GeneratedPartitions<T>(int partitions, int perBatch, Func<int, long, T> record) : IBatchSource<T>, IPartitionedSource
{
    private readonly long[] _next = new long[partitions];

    public string Name => $"Generated({partitions.ToString(CultureInfo.InvariantCulture)} partitions)";

    public IReadOnlyList<string> Partitions { get; } = [.. Enumerable.Range(0, partitions).Select(p => p.ToString(CultureInfo.InvariantCulture))];

    public bool IsReplayable => true;

    public bool HasPending => true;

    public string StateId => "generated";

    public int StateVersion => 1;

    public Task StartAsync(SourceContext context, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync() => Task.CompletedTask;

    public ISealedInput Seal(BatchTime time)
    {
        var ranges = new (int Partition, long From, long To)[partitions];
        for (var p = 0; p < partitions; p++)
        {
            ranges[p] = (p, _next[p], _next[p] + perBatch);
            _next[p] += perBatch;
        }

        return new Ranges(ranges, record);
    }

    public void WriteRange(ISealedInput input, Utf8JsonWriter writer)
    {
        writer.WriteStartArray();
        foreach (var (partition, from, to) in ((Ranges)input).Parts)
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
        new Ranges([.. range.EnumerateArray().Select(r => (int.Parse(r.GetProperty("partition").GetString()!, CultureInfo.InvariantCulture), r.GetProperty("from").GetInt64(), r.GetProperty("to").GetInt64()))], record);

    public void WriteState(Utf8JsonWriter writer)
    {
        writer.WriteStartArray();
        foreach (var next in _next)
        {
            writer.WriteNumberValue(next);
        }

        writer.WriteEndArray();
    }

    public void ReadState(JsonElement state, int version)
    {
        var p = 0;
        foreach (var next in state.EnumerateArray())
        {
            _next[p++] = next.GetInt64();
        }
    }

    private sealed class Ranges((int Partition, long From, long To)[] parts, Func<int, long, T> record) : ISealedInput
    {
        public (int Partition, long From, long To)[] Parts => parts;

        public ValueTask<Array> ReadAsync(CancellationToken cancellationToken)
        {
            var records = new T[parts.Sum(p => p.To - p.From)];
            var i = 0;
            foreach (var (partition, from, to) in parts)
            {
                for (var offset = from; offset < to; offset++)
                {
                    records[i++] = record(partition, offset);
                }
            }

            return ValueTask.FromResult<Array>(records);
        }
    }
}
