using StreamLinq.Sources;

namespace StreamLinq.Execution;

/// <summary>The records an input sealed for the batch.</summary>
internal sealed class SourceNode(int inputId, IBatchSource source, Type elementType) : PlanNode
{
    public int InputId { get; } = inputId;

    public IBatchSource Source { get; } = source;

    public override string Kind => "Source";

    public override string Detail => $"{Source.Name}#{InputId}";

    public override IReadOnlyList<PlanNode> Children => [];

    public override Type ElementType { get; } = elementType;

    public override Array? Compute(BatchExecution batch) => batch.Input(InputId);
}
