namespace StreamLinq.QueryEndToEnd;

/// <summary>
/// One query, four ways over the same input: the hand-written loop (the baseline), LINQ to
/// Objects, Rx.NET fed record by record, and the engine end to end. Every way reduces its batch to
/// one checksum, so that the run can check they agree before it times them.
/// </summary>
/// <param name="Name">The query, as the table shows it.</param>
/// <param name="Hand">The loop over one batch (<c>left</c>, and <c>right</c> for a stream join).</param>
/// <param name="Linq">LINQ to Objects over one batch.</param>
/// <param name="Rx">Rx.NET over one batch, a <c>Subject</c> fed record by record.</param>
/// <param name="Wire">
/// Builds the query on the context's stream (and asks for a second stream only for a stream
/// join) and reports each batch's checksum from <c>ForEachBatch</c>.
/// </param>
/// <param name="Parallelism">
/// The context's <c>MaxDegreeOfParallelism</c>: 1 (one core, as the loop) but for the row that
/// measures the radix-partitioned aggregation, which needs two partitions.
/// </param>
internal sealed record QueryCase(
    string Name,
    Func<Record[], Record[], long> Hand,
    Func<Record[], Record[], long> Linq,
    Func<Record[], Record[], long> Rx,
    Action<IDStream<Record>, Func<IDStream<Record>>, Action<long>> Wire,
    int Parallelism = 1)
{
    /// <summary>The second stream's batch for a left batch of <paramref name="size"/> records: one in a hundred, so a left record matches about ten right ones at 1 M.</summary>
    public static int RightSize(int size) => Math.Max(10, size / 100);
}
