using StreamLinq.Analyzers.CodeFixes.Rules;
using Verifier = StreamLinq.Analyzers.Tests.Support.Verify<StreamLinq.Analyzers.Rules.CounterUpdateInSinkAnalyzer>;

namespace StreamLinq.Analyzers.Tests.Rules;

public class ApplyOncePerBatchTimeFixTests
{
    [Fact]
    public async Task An_update_of_a_field_in_a_sink_block_is_guarded_by_the_last_batch_time_applied()
    {
        const string source = """
            using StreamLinq;

            class Counter
            {
                private long total;
                private static int batches;

                public void Wire(IDStream<int> stream) =>
                    stream.ForEachBatch((batch, time) =>
                    {
                        var n = batch.Count;
                        {|#0:total += n|};
                        {|#1:batches++|};
                    });
            }
            """;
        const string fixedSource = """
            using StreamLinq;

            class Counter
            {
                private long total;
                private BatchTime? totalAppliedUpTo;
                private static int batches;
                private static BatchTime? batchesAppliedUpTo;

                public void Wire(IDStream<int> stream) =>
                    stream.ForEachBatch((batch, time) =>
                    {
                        var n = batch.Count;
                        if (totalAppliedUpTo is null || time > totalAppliedUpTo)
                        {
                            total += n;
                            totalAppliedUpTo = time;
                        }
                        if (batchesAppliedUpTo is null || time > batchesAppliedUpTo)
                        {
                            batches++;
                            batchesAppliedUpTo = time;
                        }
                    });
            }
            """;

        await Verifier.CodeFixAsync<ApplyOncePerBatchTimeFix>(
            source, fixedSource,
            [
                Verifier.Diagnostic().WithLocation(0).WithArguments("total += n", "ForEachBatch", "total"),
                Verifier.Diagnostic().WithLocation(1).WithArguments("batches++", "ForEachBatch", "batches"),
            ],
            ApplyOncePerBatchTimeFix.EquivalenceKey);
    }

    [Fact]
    public async Task A_captured_local_and_an_expression_bodied_sink_get_the_guard_beside_the_local()
    {
        const string source = """
            using StreamLinq;

            class Counter
            {
                public void Wire(IDStream<int> stream)
                {
                    long seen = 0;
                    stream.ForEachBatch((batch, at) => {|#0:seen += batch.Count|});
                }
            }
            """;
        const string fixedSource = """
            using StreamLinq;

            class Counter
            {
                public void Wire(IDStream<int> stream)
                {
                    long seen = 0;
                    BatchTime? seenAppliedUpTo = null;
                    stream.ForEachBatch((batch, at) =>
                    {
                        if (seenAppliedUpTo is null || at > seenAppliedUpTo)
                        {
                            seen += batch.Count;
                            seenAppliedUpTo = at;
                        }
                    });
                }
            }
            """;

        await Verifier.CodeFixAsync<ApplyOncePerBatchTimeFix>(
            source, fixedSource,
            [Verifier.Diagnostic().WithLocation(0).WithArguments("seen += batch.Count", "ForEachBatch", "seen")],
            ApplyOncePerBatchTimeFix.EquivalenceKey);
    }

    [Fact]
    public async Task An_update_in_a_loop_or_a_branch_is_not_rewritten()
    {
        // One guard per batch around a per-record update would count the batch's first record only.
        const string source = """
            using StreamLinq;

            class Counter
            {
                private int records;
                private int big;

                public void Wire(IDStream<int> stream) =>
                    stream.ForEachBatch((batch, time) =>
                    {
                        foreach (var x in batch)
                        {
                            {|#0:records++|};
                        }

                        if (batch.Count > 10)
                        {
                            {|#1:big++|};
                        }
                    });
            }
            """;

        await Verifier.CodeFixAsync<ApplyOncePerBatchTimeFix>(
            source, source,
            [
                Verifier.Diagnostic().WithLocation(0).WithArguments("records++", "ForEachBatch", "records"),
                Verifier.Diagnostic().WithLocation(1).WithArguments("big++", "ForEachBatch", "big"),
            ],
            ApplyOncePerBatchTimeFix.EquivalenceKey);
    }

    [Fact]
    public async Task The_guarded_update_applies_a_batch_once_however_often_it_is_replayed()
    {
        // The rewritten form, run: batches 1, 2, 2 (replayed), 3, 1 (late replay) count 1 + 2 + 3.
        long total = 0;
        BatchTime? totalAppliedUpTo = null;
        void Sink(int count, BatchTime time)
        {
            if (totalAppliedUpTo is null || time > totalAppliedUpTo)
            {
                total += count;
                totalAppliedUpTo = time;
            }
        }

        foreach (var (count, ticks) in new[] { (1, 10L), (2, 20L), (2, 20L), (3, 30L), (1, 10L) })
        {
            Sink(count, new BatchTime(ticks));
        }

        Assert.Equal(6, total);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task A_guard_that_lets_a_replay_through_is_still_reported()
    {
        const string source = """
            using StreamLinq;

            class Counter
            {
                private long a, b, c, d;
                private BatchTime? aMark, bMark, dMark;
                private BatchTime cMark;

                public void Wire(IDStream<int> stream, bool always) =>
                    stream.ForEachBatch((batch, time) =>
                    {
                        if (aMark is null || time > aMark) { a += batch.Count; aMark = time; }
                        if (cMark < time) { c += batch.Count; cMark = time; }
                        if (bMark is null || time > bMark) { {|#0:b += batch.Count|}; }
                        if (always || time > dMark) { {|#1:d += batch.Count|}; dMark = time; }
                        if (time > aMark) { } else { {|#2:a++|}; }
                    });
            }
            """;

        await Verifier.AnalyzerAsync(
            source,
            Verifier.Diagnostic().WithLocation(0).WithArguments("b += batch.Count", "ForEachBatch", "b"),
            Verifier.Diagnostic().WithLocation(1).WithArguments("d += batch.Count", "ForEachBatch", "d"),
            Verifier.Diagnostic().WithLocation(2).WithArguments("a++", "ForEachBatch", "a"));
    }
}
