using System.Globalization;

namespace StreamLinq.Analyzers.Tests.Corpus;

/// <summary>
/// Holds <see cref="IdempotentLookAlikeCases"/> (items 7 and 8 of issue 14, also counted in
/// <see cref="CorpusMeasurementTests"/>) to more than the corpus's rates: each case on its own, read
/// from the corpus's shared compilation, must be flagged exactly when labelled "should warn" (an
/// information such as SLQ0100 is not a flag).
/// </summary>
public class IdempotentLookAlikeCorpusTests
{
    public static TheoryData<string> Ids => new(IdempotentLookAlikeCases.All.Select(c => c.Id));

    [Theory]
    [MemberData(nameof(Ids))]
    public async Task Each_case_is_warned_about_exactly_when_a_replay_changes_what_it_leaves(string id)
    {
        var (_, _, shouldWarn, reason, _) = IdempotentLookAlikeCases.All.Single(c => c.Id == id);
        var outcome = await CorpusCompilation.OutcomeAsync();
        Assert.True(outcome.CompilerErrors.Length == 0, string.Join("\n", outcome.CompilerErrors.Take(20)));
        Assert.DoesNotContain(outcome.Reported[id], d => d.Id == "AD0001");
        var warnings = CorpusCompilation.Flags(outcome, id).Select(d => d.Id + " " + d.GetMessage(CultureInfo.InvariantCulture)).ToArray();
        Assert.True(shouldWarn == warnings.Length > 0, $"{id} ({reason}): {(warnings.Length == 0 ? "no warning" : string.Join("; ", warnings))}");
    }

    [Fact]
    public async Task A_counter_in_a_context_that_does_not_checkpoint_gets_the_information_only()
    {
        var outcome = await CorpusCompilation.OutcomeAsync();
        Assert.Contains(outcome.Reported["captured-count-plain-context"], d => d.Id == RuleIdentifiers.CounterUpdateWithoutCheckpoint);
    }

    [Fact]
    public void Every_case_is_in_the_corpus_with_a_unique_id_a_reason_and_both_labels_in_each_family()
    {
        var cases = IdempotentLookAlikeCases.All.ToArray();
        Assert.All(cases, c => Assert.Contains(CorpusCompilation.Cases, k => k.Id == c.Id));
        Assert.Equal(cases.Length, cases.Select(c => c.Id).Distinct(StringComparer.Ordinal).Count());
        Assert.All(cases, c => Assert.False(string.IsNullOrWhiteSpace(c.Reason), c.Id));
        Assert.All(cases.GroupBy(c => c.Family), family =>
        {
            Assert.Contains(family, c => c.ShouldWarn);
            Assert.Contains(family, c => !c.ShouldWarn);
        });
    }
}
