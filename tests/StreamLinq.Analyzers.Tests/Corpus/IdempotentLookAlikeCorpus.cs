namespace StreamLinq.Analyzers.Tests.Corpus;

internal static partial class LabelledCorpus
{
    /// <summary>Issue 14, items 7 and 8 (<see cref="IdempotentLookAlikeCases"/>), measured with the rest of the corpus.</summary>
    public static IEnumerable<CorpusCase> IdempotentLookAlikes =>
        IdempotentLookAlikeCases.All.Select(c => new CorpusCase(c.Family, c.Id, c.ShouldWarn, c.Reason, c.Code));
}
