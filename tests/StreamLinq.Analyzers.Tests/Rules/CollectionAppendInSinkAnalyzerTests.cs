using StreamLinq.Analyzers.CodeFixes.Rules;
using Verifier = StreamLinq.Analyzers.Tests.Support.Verify<StreamLinq.Analyzers.Rules.CollectionAppendInSinkAnalyzer>;

namespace StreamLinq.Analyzers.Tests.Rules;

public class CollectionAppendInSinkAnalyzerTests
{
    [Fact]
    public async Task Adding_to_a_field_list_a_captured_queue_and_a_shared_builder_is_reported()
    {
        const string source = """
            using System.Collections.Generic;
            using System.Text;
            using StreamLinq;

            class Collector
            {
                private readonly List<int> all = new();
                private static readonly StringBuilder Log = new();

                public void Wire(IDStream<int> stream)
                {
                    var pending = new Queue<int>();
                    stream.ForEachBatch((batch, time) =>
                    {
                        {|#0:all.AddRange(batch)|};
                        foreach (var x in batch)
                        {
                            {|#1:pending.Enqueue(x)|};
                        }

                        {|#2:Log.AppendLine(time.ToString())|};
                    });
                }
            }
            """;

        await Verifier.AnalyzerAsync(
            source,
            Verifier.Diagnostic().WithLocation(0).WithArguments("all.AddRange(batch)", "ForEachBatch", "all", "a replayed batch adds its records again"),
            Verifier.Diagnostic().WithLocation(1).WithArguments("pending.Enqueue(x)", "ForEachBatch", "pending", "a replayed batch adds its records again"),
            Verifier.Diagnostic().WithLocation(2).WithArguments("Log.AppendLine(time.ToString())", "ForEachBatch", "Log", "a replayed batch adds its records again"));
    }

    [Fact]
    public async Task Sets_indexer_writes_locals_and_at_most_once_outputs_are_not_reported()
    {
        const string source = """
            using System.Collections.Generic;
            using System.Collections.Immutable;
            using StreamLinq;

            class Collector
            {
                private readonly HashSet<int> seen = new();
                private readonly Dictionary<int, BatchTime> lastSeen = new();
                private readonly List<int> all = new();
                private ImmutableList<int> snapshot = ImmutableList<int>.Empty;

                public void Wire(IDStream<int> stream)
                {
                    stream.ForEachBatch((batch, time) =>
                    {
                        var local = new List<int>();
                        foreach (var x in batch)
                        {
                            seen.Add(x);
                            lastSeen[x] = time;
                            local.Add(x);
                        }

                        snapshot = ImmutableList.CreateRange(local);
                        snapshot.Add(1);
                    });
                    stream.ForEachBatch((batch, time) => all.AddRange(batch), DeliveryGuarantee.AtMostOnce);
                    all.Add(0);
                }
            }
            """;

        await Verifier.AnalyzerAsync(source);
    }

    [Fact]
    public async Task A_buffer_cleared_or_replaced_on_every_call_is_not_reported()
    {
        const string source = """
            using System.Collections.Generic;
            using StreamLinq;

            class Buffered
            {
                private readonly List<int> buffer = new();
                private List<int> page = new();

                public void Wire(IDStream<int> stream) =>
                    stream.ForEachBatch((batch, time) =>
                    {
                        buffer.Clear();
                        buffer.AddRange(batch);
                        page = new List<int>();
                        page.Add(batch.Count);
                    });
            }
            """;

        await Verifier.AnalyzerAsync(source);
    }

    [Fact]
    public async Task Dictionary_Add_is_reported_and_fixed_into_an_indexer_write()
    {
        const string source = """
            using System.Collections.Generic;
            using StreamLinq;

            class Collector
            {
                private readonly Dictionary<BatchTime, int> sizes = new();

                public void Wire(IDStream<int> stream) =>
                    stream.ForEachBatch((batch, time) =>
                    {
                        {|#0:sizes.Add(time, batch.Count)|};
                    });
            }
            """;
        const string fixedSource = """
            using System.Collections.Generic;
            using StreamLinq;

            class Collector
            {
                private readonly Dictionary<BatchTime, int> sizes = new();

                public void Wire(IDStream<int> stream) =>
                    stream.ForEachBatch((batch, time) =>
                    {
                        sizes[time] = batch.Count;
                    });
            }
            """;

        await Verifier.CodeFixAsync<DictionaryAddToIndexerFix>(
            source,
            fixedSource,
            [Verifier.Diagnostic().WithLocation(0).WithArguments("sizes.Add(time, batch.Count)", "ForEachBatch", "sizes", "a replayed batch adds the same key again and throws")],
            DictionaryAddToIndexerFix.EquivalenceKey);
    }

    [Fact]
    public async Task Marking_the_sink_lambda_idempotent_silences_the_rule()
    {
        const string source = """
            using System.Collections.Generic;
            using StreamLinq;

            class Collector
            {
                private readonly List<int> all = new();

                public void Wire(IDStream<int> stream) =>
                    stream.ForEachBatch((batch, time) => {|#0:all.AddRange(batch)|});
            }
            """;
        const string fixedSource = """
            using System.Collections.Generic;
            using StreamLinq;

            class Collector
            {
                private readonly List<int> all = new();

                public void Wire(IDStream<int> stream) =>
                    stream.ForEachBatch([IdempotentSink] (batch, time) => all.AddRange(batch));
            }
            """;

        await Verifier.CodeFixAsync<MarkSinkIdempotentFix>(source, fixedSource, [Verifier.Diagnostic().WithLocation(0).WithArguments("all.AddRange(batch)", "ForEachBatch", "all", "a replayed batch adds its records again")], MarkSinkIdempotentFix.EquivalenceKey);
    }
}
