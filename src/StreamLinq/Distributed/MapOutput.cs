namespace StreamLinq.Distributed;

/// <summary>
/// What one map task produced: per key partition, the records it shuffles there, encoded with the
/// engine's own codecs (the state codecs: records, classes, anonymous types, tuples), ready to
/// cross a process boundary as bytes. A reducer merges the outputs of every map task of the batch.
/// </summary>
/// <param name="Partitions">Index <c>k</c>: the bytes for key partition <c>k</c> (empty when nothing goes there).</param>
/// <param name="RecordsRead">How many records the task read from its range.</param>
public sealed record MapOutput(IReadOnlyList<byte[]> Partitions, long RecordsRead);
