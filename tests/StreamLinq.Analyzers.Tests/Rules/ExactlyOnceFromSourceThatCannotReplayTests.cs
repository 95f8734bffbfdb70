using StreamLinq.Analyzers.CodeFixes.Rules;
using StreamLinq.Analyzers.Rules;
using Verifier = StreamLinq.Analyzers.Tests.Support.Verify<StreamLinq.Analyzers.Rules.ExactlyOnceFromUnsafeSinkAnalyzer>;

namespace StreamLinq.Analyzers.Tests.Rules;

/// <summary>
/// SLQ0007 says whether the source or the sink is what cannot give exactly once (issue 14, item 12):
/// marking the sink never silences a source that cannot replay.
/// </summary>
public class ExactlyOnceFromSourceThatCannotReplayTests
{
    private const string Usings = """
        using System;
        using System.Collections.Concurrent;
        using System.Collections.Generic;
        using StreamLinq;

        """;

    [Fact]
    public async Task A_queue_stream_is_named_as_the_problem_even_when_the_sink_is_marked()
    {
        const string source = Usings + """
            class Wiring
            {
                public void Wire(ConcurrentQueue<IEnumerable<int>> queue)
                {
                    var context = new StreamingContext(TimeSpan.FromSeconds(1));
                    var numbers = context.QueueStream(queue);
                    var evens = numbers.Where(n => n % 2 == 0).Select(n => n * 10);
                    evens.ForEachBatch([IdempotentSink] (batch, time) => { }, {|#0:DeliveryGuarantee.ExactlyOnce|});
                }
            }
            """;

        await Verifier.AnalyzerAsync(
            source,
            Verifier.Diagnostic(ExactlyOnceFromUnsafeSinkAnalyzer.SourceRule).WithLocation(0).WithLocation(0)
                .WithArguments("ForEachBatch", "context.QueueStream(queue)", "TextFileStream, RedisStreams"));
    }

    [Fact]
    public async Task Source_and_sink_are_each_reported_when_neither_can_give_exactly_once()
    {
        const string source = Usings + """
            class Wiring
            {
                public void Wire(IObservable<int> clicks, IObservable<int> views)
                {
                    var context = new StreamingContext(TimeSpan.FromSeconds(1));
                    var all = context.FromObservable(clicks).Union(context.FromObservable(views, new ReceiverOptions { WriteAheadLog = false }));
                    all.ForEachBatch({|#1:(batch, time) => { }|}, {|#0:DeliveryGuarantee.ExactlyOnce|});
                }
            }
            """;

        const string remedy = "WriteAheadLog = true in its ReceiverOptions, with checkpointing";
        await Verifier.AnalyzerAsync(
            source,
            Verifier.Diagnostic().WithLocation(1).WithLocation(0).WithArguments("ForEachBatch", "(batch, time) => { }"),
            Verifier.Diagnostic(ExactlyOnceFromUnsafeSinkAnalyzer.SourceRule).WithLocation(0).WithLocation(0).WithArguments("ForEachBatch", "context.FromObservable(clicks)", remedy),
            Verifier.Diagnostic(ExactlyOnceFromUnsafeSinkAnalyzer.SourceRule).WithLocation(0).WithLocation(0)
                .WithArguments("ForEachBatch", "context.FromObservable(views, new ReceiverOptions { WriteAheadLog = false })", remedy));
    }

    [Fact]
    public async Task Replayable_sources_and_sources_that_cannot_be_followed_are_not_blamed()
    {
        const string source = Usings + """
            class Wiring
            {
                public void Wire(IDStream<string> given, IObservable<int> clicks, ReceiverOptions options)
                {
                    var context = new StreamingContext(TimeSpan.FromSeconds(1));
                    var logged = context.FromObservable(clicks, new ReceiverOptions { WriteAheadLog = true });
                    logged.ForEachBatch([IdempotentSink] (batch, time) => { }, DeliveryGuarantee.ExactlyOnce);
                    context.TextFileStream("in").ForEachBatch([IdempotentSink] (batch, time) => { }, DeliveryGuarantee.ExactlyOnce);
                    given.ForEachBatch([IdempotentSink] (batch, time) => { }, DeliveryGuarantee.ExactlyOnce);
                    context.FromObservable(clicks, options).ForEachBatch([IdempotentSink] (batch, time) => { }, DeliveryGuarantee.ExactlyOnce);
                    var reassigned = context.QueueStream(new ConcurrentQueue<IEnumerable<int>>());
                    reassigned = logged;
                    reassigned.ForEachBatch([IdempotentSink] (batch, time) => { }, DeliveryGuarantee.ExactlyOnce);
                }
            }
            """;

        await Verifier.AnalyzerAsync(source);
    }

    [Fact]
    public async Task The_source_diagnostic_offers_at_least_once_and_never_the_sink_attribute()
    {
        const string source = Usings + """
            class Wiring
            {
                public void Wire(ConcurrentQueue<IEnumerable<int>> queue)
                {
                    var context = new StreamingContext(TimeSpan.FromSeconds(1));
                    context.QueueStream(queue).ForEachBatch([IdempotentSink] (batch, time) => { }, {|#0:DeliveryGuarantee.ExactlyOnce|});
                }
            }
            """;
        var expected = Verifier.Diagnostic(ExactlyOnceFromUnsafeSinkAnalyzer.SourceRule).WithLocation(0).WithLocation(0)
            .WithArguments("ForEachBatch", "context.QueueStream(queue)", "TextFileStream, RedisStreams");

        await Verifier.CodeFixAsync<AskForAtLeastOnceFix>(
            source, source.Replace("{|#0:DeliveryGuarantee.ExactlyOnce|}", "DeliveryGuarantee.AtLeastOnce"), [expected], AskForAtLeastOnceFix.EquivalenceKey);
        await Verifier.CodeFixAsync<MarkSinkIdempotentFix>(source, source, [expected], MarkSinkIdempotentFix.EquivalenceKey);
    }
}
