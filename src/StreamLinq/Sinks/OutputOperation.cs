using System.Linq.Expressions;

namespace StreamLinq.Sinks;

/// <summary>One output operation of a context: the stream it consumes and what it does with each batch.</summary>
internal abstract class OutputOperation(string name, Expression query, object target, DeliveryGuarantee delivery)
{
    public string Name { get; } = name;

    public Expression Query { get; } = query;

    /// <summary>The user's delegate or sink object, kept for capability checks (idempotent, transactional).</summary>
    public object Target { get; } = target;

    public DeliveryGuarantee Delivery { get; } = delivery;

    /// <summary>The position of the operation among the context's outputs, from 1.</summary>
    public int Index
    {
        get;
        set
        {
            field = value;
            Description = $"{Name} #{value}";
        }
    }

    /// <summary>The operation's name and position, made when the position is set rather than at each of a batch's uses.</summary>
    public string Description { get; private set; } = $"{name} #0";

    /// <summary>
    /// The output's identity across restarts and upgrades, its commit id (<see cref="BatchCommit.OutputId"/>):
    /// the name <c>.Named(...)</c> gave the stream it writes, or else <see cref="Description"/>.
    /// </summary>
    public string Id { get; set; } = "";

    /// <summary>Writes one batch (a <c>T[]</c> or an <see cref="IReadOnlyList{T}"/> of the records); <paramref name="commit"/> identifies it (time, offsets) for transactional sinks.</summary>
    public abstract Task WriteAsync(System.Collections.IEnumerable batch, BatchCommit commit, CancellationToken cancellationToken);

    /// <summary>The same operation (name, target, delivery, position) over another query: cluster mode's reducers run it over their shuffled input.</summary>
    public abstract OutputOperation WithQuery(Expression query);
}

internal sealed class OutputOperation<T>(
    string name,
    Expression query,
    object target,
    Func<IReadOnlyList<T>, BatchCommit, CancellationToken, Task> write,
    DeliveryGuarantee delivery) : OutputOperation(name, query, target, delivery)
{
    public override Task WriteAsync(System.Collections.IEnumerable batch, BatchCommit commit, CancellationToken cancellationToken) =>
        write((IReadOnlyList<T>)batch, commit, cancellationToken);

    public override OutputOperation WithQuery(Expression query) =>
        new OutputOperation<T>(Name, query, Target, write, Delivery) { Index = Index };
}
