namespace StreamLinq.Analyzers.Tests.Corpus;

/// <summary>
/// One labelled piece of sink or transformation code: whether a replayed batch changes what it
/// leaves behind (<see cref="ShouldWarn"/>), and why, in one line.
/// </summary>
/// <param name="Family">The issue-14 family it belongs to, for the per-family figures.</param>
/// <param name="Id">A stable name, unique across the corpus.</param>
/// <param name="ShouldWarn">True when a replay duplicates or moves what the code writes.</param>
/// <param name="Reason">Why the label is what it is.</param>
/// <param name="Code">Type declarations compiled inside a namespace of their own, with <see cref="LibraryStubs.GlobalUsings"/>.</param>
public sealed record CorpusCase(string Family, string Id, bool ShouldWarn, string Reason, string Code)
{
    public override string ToString() => Id;
}
