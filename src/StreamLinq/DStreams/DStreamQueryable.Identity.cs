using System.Linq.Expressions;

namespace StreamLinq;

public static partial class DStreamQueryable
{
    /// <summary>
    /// Gives the operator this call follows a stable identity (Flink's <c>uid</c>): its state is
    /// checkpointed under <paramref name="name"/> and matched by it when the query is upgraded,
    /// whatever changes around it. Right before an output operation it names that output too.
    /// </summary>
    /// <typeparam name="TSource">The type of the records.</typeparam>
    /// <param name="source">The stream of a stateful operator (a window, a windowed reduce or aggregation, <c>UpdateStateByKey</c>, <c>MapWithState</c>, an event-time window), or the stream an output writes.</param>
    /// <param name="name">The identity; unique among the context's operators, and among its outputs.</param>
    /// <returns>The same stream: the records are untouched.</returns>
    /// <remarks>
    /// <para>An unnamed stateful operator keeps the id derived from the structure of its query
    /// subtree (e.g. <c>UpdateStateByKey#1f2e3d4c5b6a</c>), which any change at or below it changes,
    /// so only a named one keeps its state when the query below it changes
    /// (<see cref="StreamingContext.GetOrCreate(Checkpointing.ICheckpointStore, Func{StreamingContext}, CheckpointOptions?)"/>,
    /// docs/upgrades.md). Naming an operator that ran unnamed keeps its state, provided nothing
    /// else at or below it changed in the same upgrade.</para>
    /// <para>An output's name becomes its commit id (<see cref="BatchCommit.OutputId"/>) in place of its
    /// kind and position, so it keeps its place among a transactional sink's commits when outputs
    /// are added or removed before it. Give it from the output's first run: a sink holds the
    /// commits of an output renamed later under its old id.</para>
    /// <para>A name on an operator that keeps no state and is not right before an output, or on an
    /// operator the operator above computes inside its own state (a window that the aggregation over
    /// it absorbs), fails the start with a message; name the operator above instead.</para>
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty, or holds <c>#</c> or <c>/</c>, which derived ids use.</exception>
    public static IDStream<TSource> Named<TSource>(this IDStream<TSource> source, string name)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (name.AsSpan().IndexOfAny('#', '/') >= 0)
        {
            throw new ArgumentException($"The name \"{name}\" holds '#' or '/', which derived state ids use; choose another.", nameof(name));
        }

        return Create<TSource>(source, new Func<IDStream<TSource>, string, IDStream<TSource>>(Named), Expression.Constant(name));
    }
}
