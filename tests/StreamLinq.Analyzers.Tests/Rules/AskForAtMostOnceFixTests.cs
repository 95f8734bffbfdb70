using StreamLinq.Analyzers.CodeFixes.Rules;
using CounterVerifier = StreamLinq.Analyzers.Tests.Support.Verify<StreamLinq.Analyzers.Rules.CounterUpdateInSinkAnalyzer>;
using FileVerifier = StreamLinq.Analyzers.Tests.Support.Verify<StreamLinq.Analyzers.Rules.FileAppendInSinkAnalyzer>;

namespace StreamLinq.Analyzers.Tests.Rules;

public class AskForAtMostOnceFixTests
{
    [Fact]
    public async Task A_sink_lambda_left_at_the_default_delivery_is_asked_for_at_most_once()
    {
        const string source = """
            using StreamLinq;

            class Counter
            {
                private long total;

                public void Wire(IDStream<int> stream)
                {
                    stream.ForEachBatch((batch, time) =>
                    {
                        foreach (var x in batch)
                        {
                            {|#0:total += x|};
                        }
                    });
                }
            }
            """;
        const string fixedSource = """
            using StreamLinq;

            class Counter
            {
                private long total;

                public void Wire(IDStream<int> stream)
                {
                    stream.ForEachBatch((batch, time) =>
                    {
                        foreach (var x in batch)
                        {
                            total += x;
                        }
                    }, delivery: DeliveryGuarantee.AtMostOnce);
                }
            }
            """;

        await CounterVerifier.CodeFixAsync<AskForAtMostOnceFix>(
            source, fixedSource,
            [CounterVerifier.Diagnostic().WithLocation(0).WithArguments("total += x", "ForEachBatch", "total")],
            AskForAtMostOnceFix.EquivalenceKey);
    }

    [Fact]
    public async Task An_explicit_delivery_argument_is_replaced()
    {
        const string source = """
            using System.IO;
            using StreamLinq;

            class Files
            {
                public void Wire(IDStream<string> stream, string path) =>
                    stream.ForEachBatch((batch, time) => {|#0:File.AppendAllLines(path, batch)|}, DeliveryGuarantee.ExactlyOnce);
            }
            """;
        const string fixedSource = """
            using System.IO;
            using StreamLinq;

            class Files
            {
                public void Wire(IDStream<string> stream, string path) =>
                    stream.ForEachBatch((batch, time) => File.AppendAllLines(path, batch), DeliveryGuarantee.AtMostOnce);
            }
            """;

        await FileVerifier.CodeFixAsync<AskForAtMostOnceFix>(
            source, fixedSource,
            [FileVerifier.Diagnostic().WithLocation(0).WithArguments("File.AppendAllLines(path, batch)", "ForEachBatch")],
            AskForAtMostOnceFix.EquivalenceKey);
    }

    [Fact]
    public async Task A_sink_class_is_not_changed_here_because_its_delivery_is_chosen_where_it_is_wired()
    {
        const string source = """
            using System.Collections.Generic;
            using System.Threading;
            using System.Threading.Tasks;
            using StreamLinq;

            class CountingSink : IBatchSink<int>
            {
                private int written;

                public Task WriteBatchAsync(IReadOnlyList<int> batch, BatchTime time, CancellationToken cancellationToken)
                {
                    {|#0:written += batch.Count|};
                    return Task.CompletedTask;
                }
            }
            """;

        await CounterVerifier.CodeFixAsync<AskForAtMostOnceFix>(
            source, source,
            [CounterVerifier.Diagnostic().WithLocation(0).WithArguments("written += batch.Count", "CountingSink", "written")],
            AskForAtMostOnceFix.EquivalenceKey);
    }
}
