using System.Globalization;
using Xunit.Abstractions;

namespace StreamLinq.Analyzers.Tests.Corpus;

/// <summary>
/// The rules measured on the labelled corpus: a case labelled "should warn" counts as caught when
/// any StreamLinq rule reports a warning (or an error) in its file; a case labelled "should not"
/// counts as a false alarm when any does. Information, such as SLQ0100 for a counter in a context
/// that does not checkpoint, flags nothing. Recall must be at least 95% and the false-alarm rate at most 3%, over the corpus.
/// </summary>
public class CorpusMeasurementTests(ITestOutputHelper output)
{
    [Fact]
    public void The_corpus_holds_at_least_150_uniquely_named_cases_each_with_a_reason_and_both_labels_in_every_family()
    {
        var cases = CorpusCompilation.Cases;
        Assert.True(cases.Count >= 150, $"the corpus holds {cases.Count} cases");
        Assert.Equal(cases.Count, cases.Select(c => c.Id).Distinct(StringComparer.Ordinal).Count());
        Assert.All(cases, c => Assert.False(string.IsNullOrWhiteSpace(c.Reason), c.Id));
        Assert.All(cases.GroupBy(c => c.Family), family =>
        {
            Assert.Contains(family, c => c.ShouldWarn);
            Assert.Contains(family, c => !c.ShouldWarn);
        });
    }

    [Fact]
    public async Task Every_case_compiles_and_no_analyzer_throws()
    {
        var outcome = await CorpusCompilation.OutcomeAsync();
        Assert.True(outcome.CompilerErrors.Length == 0, string.Join("\n", outcome.CompilerErrors.Take(20)));
        Assert.True(outcome.AnalyzerCrashes.Length == 0, string.Join("\n", outcome.AnalyzerCrashes.Take(5)));
    }

    [Fact]
    public async Task Recall_is_at_least_95_percent_and_false_alarms_at_most_3_percent()
    {
        var outcome = await CorpusCompilation.OutcomeAsync();
        var cases = CorpusCompilation.Cases;
        bool Warned(CorpusCase c) => CorpusCompilation.Flags(outcome, c.Id).Any();

        foreach (var family in cases.GroupBy(c => c.Family).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            output.WriteLine(Line(family.Key, family.ToArray(), Warned));
        }

        output.WriteLine(Line("all", cases, Warned));
        foreach (var missed in cases.Where(c => c.ShouldWarn && !Warned(c)))
        {
            output.WriteLine($"missed       {missed.Id}: {missed.Reason}");
        }

        foreach (var alarm in cases.Where(c => !c.ShouldWarn && Warned(c)))
        {
            output.WriteLine($"false alarm  {alarm.Id}: {string.Join("; ", CorpusCompilation.Flags(outcome, alarm.Id).Select(d => d.Id + " " + d.GetMessage(CultureInfo.InvariantCulture)))}");
        }

        var positives = cases.Where(c => c.ShouldWarn).ToArray();
        var negatives = cases.Where(c => !c.ShouldWarn).ToArray();
        var recall = (double)positives.Count(Warned) / positives.Length;
        var falseAlarms = (double)negatives.Count(Warned) / negatives.Length;
        Assert.True(recall >= 0.95, $"recall {recall:P1} is below 95%");
        Assert.True(falseAlarms <= 0.03, $"false alarms {falseAlarms:P1} are above 3%");
    }

    private static string Line(string name, IReadOnlyCollection<CorpusCase> cases, Func<CorpusCase, bool> warned)
    {
        var positives = cases.Where(c => c.ShouldWarn).ToArray();
        var negatives = cases.Where(c => !c.ShouldWarn).ToArray();
        var caught = positives.Count(warned);
        var alarms = negatives.Count(warned);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{name,-52} recall {caught,3}/{positives.Length,-3} ({Percent(caught, positives.Length),5:F1}%)  false alarms {alarms,2}/{negatives.Length,-3} ({Percent(alarms, negatives.Length),4:F1}%)");
    }

    private static double Percent(int part, int whole) => whole == 0 ? 0 : 100.0 * part / whole;
}
