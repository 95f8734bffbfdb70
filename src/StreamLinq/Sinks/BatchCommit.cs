namespace StreamLinq;

/// <summary>
/// What a transactional sink stores with a batch's results so that a replay of the batch is
/// recognised: the output, the batch time, and the offset ranges the batch read.
/// </summary>
/// <param name="OutputId">
/// The output operation, stable across restarts of the same query: the name
/// <see cref="DStreamQueryable.Named{TSource}"/> gave it, or else its kind and position, e.g.
/// <c>WriteTo(PostgresSink) #1</c>.
/// </param>
/// <param name="Time">The batch time; a replay has the same.</param>
/// <param name="Offsets">
/// The batch's offset ranges as JSON, one property per input id (null for an input that cannot
/// replay), for the sink to store beside its results.
/// </param>
public sealed record BatchCommit(string OutputId, BatchTime Time, string Offsets);
