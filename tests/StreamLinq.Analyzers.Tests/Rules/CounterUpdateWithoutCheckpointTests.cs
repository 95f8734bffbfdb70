using StreamLinq.Analyzers.Rules;
using Verifier = StreamLinq.Analyzers.Tests.Support.Verify<StreamLinq.Analyzers.Rules.CounterUpdateInSinkAnalyzer>;

namespace StreamLinq.Analyzers.Tests.Rules;

/// <summary>
/// A captured count in a context that does not checkpoint is exact for the life of the process:
/// SLQ0100 (information) says so instead of SLQ0001 (issue 14, item 8); once the context
/// checkpoints, or cannot be seen, it is SLQ0001 again.
/// </summary>
public class CounterUpdateWithoutCheckpointTests
{
    private static Microsoft.CodeAnalysis.Testing.DiagnosticResult Info() => Verifier.Diagnostic(CounterUpdateInSinkAnalyzer.NoCheckpointRule);

    [Fact]
    public async Task A_captured_count_in_a_context_made_and_kept_in_the_same_method_is_information()
    {
        const string source = """
            using System;
            using System.Collections.Concurrent;
            using System.Collections.Generic;
            using System.Threading.Tasks;
            using StreamLinq;

            class Program
            {
                public static async Task RunAsync(ConcurrentQueue<IEnumerable<string>> queue)
                {
                    var context = new StreamingContext(TimeSpan.FromSeconds(1));
                    var count = 0;
                    var perWord = new Dictionary<string, int>();
                    context.QueueStream(queue).Where(w => w.Length > 0).ForEachBatch((batch, time) =>
                    {
                        {|#0:count += batch.Count|};
                        foreach (var word in batch)
                        {
                            {|#1:perWord[word] = perWord.GetValueOrDefault(word) + 1|};
                        }
                    });
                    await context.StartAsync();
                }
            }
            """;

        await Verifier.AnalyzerAsync(
            source,
            Info().WithLocation(0).WithArguments("count += batch.Count", "ForEachBatch", "count"),
            Info().WithLocation(1).WithArguments("perWord[word] = perWord.GetValueOrDefault(word) + 1", "ForEachBatch", "perWord[word]"));
    }

    [Fact]
    public async Task A_checkpointed_factory_a_context_from_elsewhere_or_a_field_stays_a_warning()
    {
        const string source = """
            using System;
            using System.Collections.Concurrent;
            using System.Collections.Generic;
            using StreamLinq;

            class Program
            {
                private int total;

                public StreamingContext Build(ConcurrentQueue<IEnumerable<string>> queue)
                {
                    var context = new StreamingContext(TimeSpan.FromSeconds(1));
                    var count = 0;
                    context.QueueStream(queue).ForEachBatch((batch, time) => {|#0:count += batch.Count|});
                    return context;
                }

                public void Checkpointed(ConcurrentQueue<IEnumerable<string>> queue, string directory)
                {
                    var count = 0;
                    StreamingContext.GetOrCreate(directory, () =>
                    {
                        var context = new StreamingContext(TimeSpan.FromSeconds(1));
                        context.QueueStream(queue).ForEachBatch((batch, time) => {|#1:count += batch.Count|});
                        return context;
                    });
                }

                public void Given(StreamingContext context, ConcurrentQueue<IEnumerable<string>> queue)
                {
                    var count = 0;
                    context.QueueStream(queue).ForEachBatch((batch, time) => {|#2:count += batch.Count|});
                }

                public void Field(ConcurrentQueue<IEnumerable<string>> queue)
                {
                    var context = new StreamingContext(TimeSpan.FromSeconds(1));
                    context.QueueStream(queue).ForEachBatch((batch, time) => {|#3:total += batch.Count|});
                }
            }
            """;

        await Verifier.AnalyzerAsync(
            source,
            Verifier.Diagnostic().WithLocation(0).WithArguments("count += batch.Count", "ForEachBatch", "count"),
            Verifier.Diagnostic().WithLocation(1).WithArguments("count += batch.Count", "ForEachBatch", "count"),
            Verifier.Diagnostic().WithLocation(2).WithArguments("count += batch.Count", "ForEachBatch", "count"),
            Verifier.Diagnostic().WithLocation(3).WithArguments("total += batch.Count", "ForEachBatch", "total"));
    }

    [Fact]
    public void The_note_has_its_own_identifier_and_information_severity_so_that_SLQ0001_can_be_an_error_without_it()
    {
        Assert.Equal(RuleIdentifiers.CounterUpdateWithoutCheckpoint, CounterUpdateInSinkAnalyzer.NoCheckpointRule.Id);
        Assert.NotEqual(RuleIdentifiers.CounterUpdateInSink, CounterUpdateInSinkAnalyzer.NoCheckpointRule.Id);
        Assert.Equal(Microsoft.CodeAnalysis.DiagnosticSeverity.Info, CounterUpdateInSinkAnalyzer.NoCheckpointRule.DefaultSeverity);
    }
}
