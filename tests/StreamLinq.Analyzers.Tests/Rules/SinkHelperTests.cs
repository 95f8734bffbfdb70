using Verifier = StreamLinq.Analyzers.Tests.Support.Verify<StreamLinq.Analyzers.Rules.CounterUpdateInSinkAnalyzer>;
using AppendVerifier = StreamLinq.Analyzers.Tests.Support.Verify<StreamLinq.Analyzers.Rules.CollectionAppendInSinkAnalyzer>;

namespace StreamLinq.Analyzers.Tests.Rules;

/// <summary>Effects one step away: in helpers the sink calls, through ref arguments and through locals aliasing storage.</summary>
public class SinkHelperTests
{
    [Fact]
    public async Task An_increment_in_a_helper_or_through_a_ref_argument_is_reported_at_the_sinks_call()
    {
        const string source = """
            using System.Collections.Generic;
            using StreamLinq;

            class Sink
            {
                private static long total;
                private readonly Dictionary<string, int> counts = new();

                public void Wire(IDStream<string> words) =>
                    words.ForEachBatch((batch, time) =>
                    {
                        foreach (var w in batch)
                        {
                            {|#0:Record(w)|};
                            {|#1:Accumulate(ref total, w.Length)|};
                        }
                    });

                private void Record(string word) => counts[word] = counts.GetValueOrDefault(word) + 1;

                private static void Accumulate(ref long sum, long amount) => sum += amount;
            }
            """;

        await Verifier.AnalyzerAsync(
            source,
            new Microsoft.CodeAnalysis.Testing.DiagnosticResult(Analyzers.Rules.CounterUpdateInSinkAnalyzer.Rule).WithLocation(0)
                .WithMessage("'counts[word] = counts.GetValueOrDefault(word) + 1' in a ForEachBatch sink changes 'counts[word]', which outlives the call: a replayed batch applies it twice (through 'Record(w)')"),
            new Microsoft.CodeAnalysis.Testing.DiagnosticResult(Analyzers.Rules.CounterUpdateInSinkAnalyzer.Rule).WithLocation(1)
                .WithMessage("'sum += amount' in a ForEachBatch sink changes 'sum', which outlives the call: a replayed batch applies it twice (through 'Accumulate(ref total, w.Length)')"));
    }

    [Fact]
    public async Task A_helper_working_on_its_own_locals_or_on_a_fresh_object_and_a_ref_to_a_local_are_not_reported()
    {
        const string source = """
            using System.Collections.Generic;
            using StreamLinq;

            class Tally
            {
                private int n;
                public void Increment() => n++;
            }

            class Sink
            {
                public void Wire(IDStream<int> xs) =>
                    xs.ForEachBatch((batch, time) =>
                    {
                        var tally = new Tally();
                        long sum = 0;
                        foreach (var x in batch)
                        {
                            tally.Increment();
                            Accumulate(ref sum, x);
                        }

                        System.Console.WriteLine(Total(batch) + sum);
                    });

                private static long Total(IReadOnlyList<int> values)
                {
                    long total = 0;
                    foreach (var v in values) total += v;
                    return total;
                }

                private static void Accumulate(ref long sum, long amount) => sum += amount;
            }
            """;

        await Verifier.AnalyzerAsync(source);
    }

    [Fact]
    public async Task A_local_aliasing_a_static_list_or_iterating_a_fields_objects_is_storage_but_a_copied_number_is_not()
    {
        const string source = """
            using System.Collections.Generic;
            using StreamLinq;

            class Account { public decimal Balance; }

            class Sink
            {
                private static readonly List<string> s_all = new();
                private readonly List<Account> accounts = new();
                private int count;

                public void Wire(IDStream<string> xs) =>
                    xs.ForEachBatch((batch, time) =>
                    {
                        var list = s_all;
                        foreach (var x in batch) {|#0:list.Add(x)|};
                        var copy = new List<string>(s_all);
                        copy.Add("fresh");
                        foreach (var a in accounts) {|#1:a.Balance += 1|};
                        var n = count;
                        n++;
                    });
            }
            """;

        await AppendVerifier.AnalyzerAsync(source, AppendVerifier.Diagnostic().WithLocation(0).WithArguments("list.Add(x)", "ForEachBatch", "list", "a replayed batch adds its records again"));
        await Verifier.AnalyzerAsync(source.Replace("{|#0:list.Add(x)|}", "list.Add(x)"), Verifier.Diagnostic().WithLocation(1).WithArguments("a.Balance += 1", "ForEachBatch", "a.Balance"));
    }
}
