using System.Text.Json;
using StreamLinq.State;
using StreamLinq.State.Codecs;

namespace StreamLinq.Execution;

/// <summary>
/// Spark's window: keeps each batch's records while the window covers them and, at every slide,
/// yields the records of the window's batches in batch order. Between slides it yields no batch.
/// </summary>
internal sealed class WindowNode<T>(PlanNode child, WindowSpec window) : PlanNode, IStatefulOperator, IWindowedOperator, IShapedState
{
    private readonly WindowBuffer<T[]> _batches = new();

    public override string Kind => "Window";

    public WindowSpec Window => window;

    public override string Detail => $"{window}; {Strategy}";

    public override string Strategy => "keeps the records of the window's batches";

    public override IReadOnlyList<PlanNode> Children => [child];

    public override Type ElementType => typeof(T);

    public string StateId => field ??= StateIdFromStructure();

    public int StateVersion => 1;

    public long? StateEntries => _batches.Count;

    public IEnumerable<Type> CheckpointedTypes => [typeof(T)];

    public StateShape Shape => new(null, typeof(T), window.Length, window.Slide);

    public override Array? Compute(BatchExecution batch)
    {
        if (batch.Evaluate(child) is T[] { Length: > 0 } input)
        {
            _batches.Add(batch.Time, input);
        }

        _batches.EvictThrough(window.LeftBy(batch.Time));
        if (!window.IsSlideTime(batch.Time))
        {
            return null;
        }

        var result = new T[_batches.Partials.Sum(p => p.Length)];
        var offset = 0;
        foreach (var records in _batches.Partials)
        {
            records.CopyTo(result, offset);
            offset += records.Length;
        }

        return result;
    }

    public void WriteState(Utf8JsonWriter writer) =>
        _batches.Write(writer, StateCodecs.For<T[]>().Write);

    public void ReadState(JsonElement state, int version)
    {
        StateVersions.Check(this, version);
        _batches.Read(state, StateCodecs.For<T[]>().Read);
    }
}
