using StreamLinq.Analyzers.CodeFixes.Rules;
using Verifier = StreamLinq.Analyzers.Tests.Support.Verify<StreamLinq.Analyzers.Rules.ExactlyOnceFromUnsafeSinkAnalyzer>;

namespace StreamLinq.Analyzers.Tests.Rules;

public class ExactlyOnceFromUnsafeSinkAnalyzerTests
{
    private const string Sinks = """

        class PlainSink : IBatchSink<int>
        {
            public Task WriteBatchAsync(IReadOnlyList<int> batch, BatchTime time, CancellationToken cancellationToken) => Task.CompletedTask;
        }

        class UpsertSink : IBatchSink<int>, IIdempotentSink
        {
            public Task WriteBatchAsync(IReadOnlyList<int> batch, BatchTime time, CancellationToken cancellationToken) => Task.CompletedTask;
        }

        class CommitSink : IBatchSink<int>, ITransactionalSink
        {
            public Task WriteBatchAsync(IReadOnlyList<int> batch, BatchTime time, CancellationToken cancellationToken) => Task.CompletedTask;
        }

        [IdempotentSink]
        class ReviewedSink : IBatchSink<int>
        {
            public Task WriteBatchAsync(IReadOnlyList<int> batch, BatchTime time, CancellationToken cancellationToken) => Task.CompletedTask;
        }
        """;

    private const string Usings = """
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;
        using StreamLinq;

        """;

    [Fact]
    public async Task Exactly_once_from_an_unmarked_lambda_method_or_sink_class_is_reported()
    {
        const string source = Usings + """
            class Wiring
            {
                public void Wire(IDStream<int> stream)
                {
                    stream.ForEachBatch({|#0:(batch, time) => { }|}, {|#10:DeliveryGuarantee.ExactlyOnce|});
                    stream.ForEachBatch({|#1:Write|}, {|#11:delivery: DeliveryGuarantee.ExactlyOnce|});
                    stream.WriteTo({|#2:new PlainSink()|}, {|#12:DeliveryGuarantee.ExactlyOnce|});
                    var sink = new PlainSink();
                    stream.WriteTo({|#3:sink|}, {|#13:DeliveryGuarantee.ExactlyOnce|});
                }

                private static void Write(IReadOnlyList<int> batch, BatchTime time) { }
            }
            """ + Sinks;

        await Verifier.AnalyzerAsync(
            source,
            Verifier.Diagnostic().WithLocation(0).WithLocation(10).WithArguments("ForEachBatch", "(batch, time) => { }"),
            Verifier.Diagnostic().WithLocation(1).WithLocation(11).WithArguments("ForEachBatch", "Write"),
            Verifier.Diagnostic().WithLocation(2).WithLocation(12).WithArguments("WriteTo", "new PlainSink()"),
            Verifier.Diagnostic().WithLocation(3).WithLocation(13).WithArguments("WriteTo", "sink"));
    }

    [Fact]
    public async Task Marked_transactional_unknown_and_at_least_once_sinks_are_not_reported()
    {
        const string source = Usings + """
            class Wiring
            {
                public void Wire(IDStream<int> stream, IBatchSink<int> anySink, System.Action<IReadOnlyList<int>, BatchTime> anyAction)
                {
                    stream.ForEachBatch([IdempotentSink] (batch, time) => { }, DeliveryGuarantee.ExactlyOnce);
                    stream.ForEachBatch(Write, DeliveryGuarantee.ExactlyOnce);
                    stream.WriteTo(new UpsertSink(), DeliveryGuarantee.ExactlyOnce);
                    stream.WriteTo(new CommitSink(), DeliveryGuarantee.ExactlyOnce);
                    stream.WriteTo(new ReviewedSink(), DeliveryGuarantee.ExactlyOnce);
                    stream.WriteTo(anySink, DeliveryGuarantee.ExactlyOnce);
                    stream.ForEachBatch(anyAction, DeliveryGuarantee.ExactlyOnce);
                    stream.SaveAsTextFiles("out/counts", "txt", DeliveryGuarantee.ExactlyOnce);
                    stream.WriteTo(new PlainSink());
                    stream.ForEachBatch((batch, time) => { }, DeliveryGuarantee.AtLeastOnce);
                }

                [IdempotentSink]
                private static void Write(IReadOnlyList<int> batch, BatchTime time) { }
            }
            """ + Sinks;

        await Verifier.AnalyzerAsync(source);
    }

    [Fact]
    public async Task The_fix_asks_for_at_least_once_delivery()
    {
        const string source = Usings + """
            class Wiring
            {
                public void Wire(IDStream<int> stream) =>
                    stream.WriteTo({|#0:new PlainSink()|}, {|#1:delivery: DeliveryGuarantee.ExactlyOnce|});
            }
            """ + Sinks;
        const string fixedSource = Usings + """
            class Wiring
            {
                public void Wire(IDStream<int> stream) =>
                    stream.WriteTo(new PlainSink(), delivery: DeliveryGuarantee.AtLeastOnce);
            }
            """ + Sinks;

        await Verifier.CodeFixAsync<AskForAtLeastOnceFix>(
            source, fixedSource, [Verifier.Diagnostic().WithLocation(0).WithLocation(1).WithArguments("WriteTo", "new PlainSink()")], AskForAtLeastOnceFix.EquivalenceKey);
    }

    [Fact]
    public async Task The_fix_marks_the_sink_class_idempotent()
    {
        const string source = Usings + """
            class Wiring
            {
                public void Wire(IDStream<int> stream) =>
                    stream.WriteTo({|#0:new PlainSink()|}, {|#1:DeliveryGuarantee.ExactlyOnce|});
            }
            """ + Sinks;
        var fixedSource = Usings + """
            class Wiring
            {
                public void Wire(IDStream<int> stream) =>
                    stream.WriteTo(new PlainSink(), DeliveryGuarantee.ExactlyOnce);
            }
            """ + Sinks.Replace("\nclass PlainSink", "\n[IdempotentSink]\nclass PlainSink", StringComparison.Ordinal);

        await Verifier.CodeFixAsync<MarkSinkIdempotentFix>(
            source, fixedSource, [Verifier.Diagnostic().WithLocation(0).WithLocation(1).WithArguments("WriteTo", "new PlainSink()")], MarkSinkIdempotentFix.EquivalenceKey);
    }

    [Fact]
    public async Task The_fix_marks_the_method_of_a_method_group_idempotent()
    {
        const string source = Usings + """
            class Wiring
            {
                public void Wire(IDStream<int> stream) =>
                    stream.ForEachBatch({|#0:Write|}, {|#1:DeliveryGuarantee.ExactlyOnce|});

                /// <summary>Writes a batch by key.</summary>
                private static void Write(IReadOnlyList<int> batch, BatchTime time) { }
            }
            """;
        const string fixedSource = Usings + """
            class Wiring
            {
                public void Wire(IDStream<int> stream) =>
                    stream.ForEachBatch(Write, DeliveryGuarantee.ExactlyOnce);

                /// <summary>Writes a batch by key.</summary>
                [IdempotentSink]
                private static void Write(IReadOnlyList<int> batch, BatchTime time) { }
            }
            """;

        await Verifier.CodeFixAsync<MarkSinkIdempotentFix>(
            source, fixedSource, [Verifier.Diagnostic().WithLocation(0).WithLocation(1).WithArguments("ForEachBatch", "Write")], MarkSinkIdempotentFix.EquivalenceKey);
    }

    [Fact]
    public async Task The_fix_marks_an_async_lambda_idempotent()
    {
        const string source = Usings + """
            class Wiring
            {
                public void Wire(IDStream<int> stream) =>
                    stream.ForEachBatch(
                        {|#0:async (batch, time, cancellationToken) => await Task.Delay(1, cancellationToken)|},
                        {|#1:DeliveryGuarantee.ExactlyOnce|});
            }
            """;
        const string fixedSource = Usings + """
            class Wiring
            {
                public void Wire(IDStream<int> stream) =>
                    stream.ForEachBatch(
                        [IdempotentSink] async (batch, time, cancellationToken) => await Task.Delay(1, cancellationToken),
                        DeliveryGuarantee.ExactlyOnce);
            }
            """;

        await Verifier.CodeFixAsync<MarkSinkIdempotentFix>(
            source,
            fixedSource,
            [Verifier.Diagnostic().WithLocation(0).WithLocation(1).WithArguments("ForEachBatch", "async (batch, time, cancellationToken) => await Task.Delay(1, cancellationToken)")],
            MarkSinkIdempotentFix.EquivalenceKey);
    }
}
