using StreamLinq.Analyzers.CodeFixes.Rules;
using Verifier = StreamLinq.Analyzers.Tests.Support.Verify<StreamLinq.Analyzers.Rules.CounterUpdateInSinkAnalyzer>;

namespace StreamLinq.Analyzers.Tests.Rules;

public class CounterUpdateInSinkAnalyzerTests
{
    [Fact]
    public async Task Compound_assignment_to_a_field_in_a_ForEachBatch_lambda_is_reported()
    {
        const string source = """
            using StreamLinq;

            class Counter
            {
                private long total;

                public void Wire(IDStream<int> stream) =>
                    stream.ForEachBatch((batch, time) => { {|#0:total += batch.Count|}; });
            }
            """;

        await Verifier.AnalyzerAsync(source, Verifier.Diagnostic().WithLocation(0).WithArguments("total += batch.Count", "ForEachBatch", "total"));
    }

    [Fact]
    public async Task Increment_of_a_captured_local_a_static_and_a_dictionary_entry_are_reported()
    {
        const string source = """
            using System.Collections.Generic;
            using StreamLinq;

            class Counter
            {
                private static int batches;
                private readonly Dictionary<string, long> counts = new();

                public void Wire(IDStream<string> stream)
                {
                    var seen = 0;
                    stream.ForEachBatch((batch, time) =>
                    {
                        {|#0:seen++|};
                        {|#1:--batches|};
                        foreach (var word in batch)
                        {
                            {|#2:counts[word] += 1|};
                        }
                    }, DeliveryGuarantee.AtLeastOnce);
                }
            }
            """;

        await Verifier.AnalyzerAsync(
            source,
            Verifier.Diagnostic().WithLocation(0).WithArguments("seen++", "ForEachBatch", "seen"),
            Verifier.Diagnostic().WithLocation(1).WithArguments("--batches", "ForEachBatch", "batches"),
            Verifier.Diagnostic().WithLocation(2).WithArguments("counts[word] += 1", "ForEachBatch", "counts[word]"));
    }

    [Fact]
    public async Task Interlocked_increment_in_an_async_sink_is_reported()
    {
        const string source = """
            using System.Threading;
            using System.Threading.Tasks;
            using StreamLinq;

            class Counter
            {
                private long total;

                public void Wire(IDStream<int> stream) =>
                    stream.ForEachBatch(async (batch, time, cancellationToken) =>
                    {
                        await Task.Yield();
                        {|#0:Interlocked.Add(ref total, batch.Count)|};
                    });
            }
            """;

        await Verifier.AnalyzerAsync(source, Verifier.Diagnostic().WithLocation(0).WithArguments("Interlocked.Add(ref total, batch.Count)", "ForEachBatch", "total"));
    }

    [Fact]
    public async Task A_method_group_sink_in_the_same_file_and_a_sink_class_are_read()
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
                    {|#1:written += batch.Count|};
                    return Task.CompletedTask;
                }
            }

            class Wiring
            {
                private int total;

                public void Wire(IDStream<int> stream)
                {
                    stream.ForEachBatch(Write);
                    stream.WriteTo(new CountingSink());
                }

                private void Write(IReadOnlyList<int> batch, BatchTime time) => {|#0:total += batch.Count|};
            }
            """;

        await Verifier.AnalyzerAsync(
            source,
            Verifier.Diagnostic().WithLocation(0).WithArguments("total += batch.Count", "ForEachBatch", "total"),
            Verifier.Diagnostic().WithLocation(1).WithArguments("written += batch.Count", "CountingSink", "written"));
    }

    [Fact]
    public async Task A_compound_assignment_spelled_out_is_reported()
    {
        const string source = """
            using System.Collections.Generic;
            using System.Collections.Immutable;
            using StreamLinq;

            class Counter
            {
                private long total;
                private ImmutableList<int> seen = ImmutableList<int>.Empty;
                private readonly Dictionary<int, int> counts = new();

                public void Wire(IDStream<int> stream) =>
                    stream.ForEachBatch((batch, time) =>
                    {
                        {|#0:total = total + batch.Count|};
                        {|#1:seen = seen.AddRange(batch)|};
                        foreach (var x in batch)
                        {
                            {|#2:counts[x] = counts.GetValueOrDefault(x) + 1|};
                            {|#3:counts[x] = counts[x] + 1|};
                        }
                    });
            }
            """;

        await Verifier.AnalyzerAsync(
            source,
            Verifier.Diagnostic().WithLocation(0).WithArguments("total = total + batch.Count", "ForEachBatch", "total"),
            Verifier.Diagnostic().WithLocation(1).WithArguments("seen = seen.AddRange(batch)", "ForEachBatch", "seen"),
            Verifier.Diagnostic().WithLocation(2).WithArguments("counts[x] = counts.GetValueOrDefault(x) + 1", "ForEachBatch", "counts[x]"),
            Verifier.Diagnostic().WithLocation(3).WithArguments("counts[x] = counts[x] + 1", "ForEachBatch", "counts[x]"));
    }

    [Fact]
    public async Task State_reset_on_every_call_and_monotonic_maxima_are_not_reported()
    {
        const string source = """
            using System;
            using StreamLinq;

            class Counter
            {
                private long inThisBatch;
                private long latest;

                public void Wire(IDStream<int> stream) =>
                    stream.ForEachBatch((batch, time) =>
                    {
                        inThisBatch = 0;
                        foreach (var x in batch)
                        {
                            inThisBatch += x;
                        }

                        latest = Math.Max(latest, time.Milliseconds);
                    });
            }
            """;

        await Verifier.AnalyzerAsync(source);
    }

    [Fact]
    public async Task Locals_of_the_call_and_keyed_writes_are_not_reported()
    {
        const string source = """
            using System.Collections.Generic;
            using System.Threading;
            using StreamLinq;

            class Sums
            {
                private readonly Dictionary<BatchTime, long> totals = new();

                public void Wire(IDStream<int> stream) =>
                    stream.ForEachBatch((batch, time) =>
                    {
                        long sum = 0;
                        var count = 0;
                        foreach (var x in batch)
                        {
                            sum += x;
                            count++;
                            Interlocked.Increment(ref count);
                        }

                        var perKey = new Dictionary<int, int>();
                        perKey[1] += 1;
                        totals[time] = sum;
                    });
            }
            """;

        await Verifier.AnalyzerAsync(source);
    }

    [Fact]
    public async Task At_most_once_outputs_and_runtime_delivery_are_not_reported()
    {
        const string source = """
            using StreamLinq;

            class Counter
            {
                private long total;

                public void Wire(IDStream<int> stream, DeliveryGuarantee chosen)
                {
                    stream.ForEachBatch((batch, time) => { total += batch.Count; }, DeliveryGuarantee.AtMostOnce);
                    stream.ForEachBatch((batch, time) => { total += batch.Count; }, delivery: chosen);
                }
            }
            """;

        await Verifier.AnalyzerAsync(source);
    }

    [Fact]
    public async Task Sinks_marked_idempotent_are_not_reported()
    {
        const string source = """
            using System.Collections.Generic;
            using System.Threading;
            using System.Threading.Tasks;
            using StreamLinq;

            class ReplaySafeSink : IBatchSink<int>, IIdempotentSink
            {
                private int written;

                public Task WriteBatchAsync(IReadOnlyList<int> batch, BatchTime time, CancellationToken cancellationToken)
                {
                    written += batch.Count;
                    return Task.CompletedTask;
                }
            }

            class Wiring
            {
                private int total;

                public void Wire(IDStream<int> stream)
                {
                    stream.ForEachBatch([IdempotentSink] (batch, time) => { total += batch.Count; });
                    stream.ForEachBatch(Write);
                    stream.WriteTo(new ReplaySafeSink());
                }

                [IdempotentSink]
                private void Write(IReadOnlyList<int> batch, BatchTime time) => total += batch.Count;
            }
            """;

        await Verifier.AnalyzerAsync(source);
    }

    [Fact]
    public async Task List_ForEach_and_look_alike_methods_outside_StreamLinq_are_not_sinks()
    {
        const string source = """
            using System;
            using System.Collections.Generic;

            static class LookAlike
            {
                public static void ForEachBatch<T>(this List<T> list, Action<IReadOnlyList<T>, long> action) => action(list, 0);
            }

            class Counter
            {
                private long total;

                public void Run(List<int> numbers)
                {
                    numbers.ForEach(x => total += x);
                    numbers.ForEachBatch((batch, time) => total++);
                }
            }
            """;

        await Verifier.AnalyzerAsync(source);
    }

    [Fact]
    public async Task Marking_a_sink_class_idempotent_from_inside_its_WriteBatchAsync_marks_the_class()
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

            class Wiring
            {
                public void Wire(IDStream<int> stream) => stream.WriteTo(new CountingSink());
            }
            """;
        const string fixedSource = """
            using System.Collections.Generic;
            using System.Threading;
            using System.Threading.Tasks;
            using StreamLinq;

            [IdempotentSink]
            class CountingSink : IBatchSink<int>
            {
                private int written;

                public Task WriteBatchAsync(IReadOnlyList<int> batch, BatchTime time, CancellationToken cancellationToken)
                {
                    written += batch.Count;
                    return Task.CompletedTask;
                }
            }

            class Wiring
            {
                public void Wire(IDStream<int> stream) => stream.WriteTo(new CountingSink());
            }
            """;

        await Verifier.CodeFixAsync<MarkSinkIdempotentFix>(
            source,
            fixedSource,
            [Verifier.Diagnostic().WithLocation(0).WithArguments("written += batch.Count", "CountingSink", "written")],
            MarkSinkIdempotentFix.EquivalenceKey);
    }
}
