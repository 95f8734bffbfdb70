using CollectionVerifier = StreamLinq.Analyzers.Tests.Support.Verify<StreamLinq.Analyzers.Rules.CollectionAppendInSinkAnalyzer>;
using CounterVerifier = StreamLinq.Analyzers.Tests.Support.Verify<StreamLinq.Analyzers.Rules.CounterUpdateInSinkAnalyzer>;
using SqlVerifier = StreamLinq.Analyzers.Tests.Support.Verify<StreamLinq.Analyzers.Rules.SqlInsertInSinkAnalyzer>;

namespace StreamLinq.Analyzers.Tests.Rules;

/// <summary>
/// Writes that look like accumulation but leave the same result when a batch is replayed (issue 14,
/// item 7). Each test also keeps a near miss beside the idempotent form, so that a rule that went
/// silent altogether would fail.
/// </summary>
public class IdempotentWritesNotReportedTests
{
    private const string Database = """

        class Command
        {
            public void Execute(string sql) { }
        }
        """;

    [Fact]
    public async Task Setting_and_clearing_flags_is_not_reported_but_flags_computed_from_themselves_are()
    {
        const string source = """
            using System;
            using StreamLinq;

            [Flags]
            enum Seen { None = 0, Errors = 1, Warnings = 2 }

            class Monitor
            {
                private Seen seen;
                private bool anyError;
                private bool allValid = true;
                private int mask;
                private readonly int[] bits = new int[4];

                public void Wire(IDStream<string> stream) =>
                    stream.ForEachBatch((batch, time) =>
                    {
                        seen |= Seen.Errors;
                        anyError |= batch.Count > 3;
                        allValid &= batch.Count < 100;
                        mask &= ~4;
                        bits[1] |= 8;
                        seen = seen | Seen.Warnings;
                        anyError = anyError || batch.Count > 5;
                        bits[2] = bits[2] | 16;
                        {|#0:mask |= mask << 1|};
                        {|#1:mask ^= 2|};
                        {|#2:mask = mask | (mask >> 1)|};
                    });
            }
            """;

        await CounterVerifier.AnalyzerAsync(
            source,
            CounterVerifier.Diagnostic().WithLocation(0).WithArguments("mask |= mask << 1", "ForEachBatch", "mask"),
            CounterVerifier.Diagnostic().WithLocation(1).WithArguments("mask ^= 2", "ForEachBatch", "mask"),
            CounterVerifier.Diagnostic().WithLocation(2).WithArguments("mask = mask | (mask >> 1)", "ForEachBatch", "mask"));
    }

    [Fact]
    public async Task Null_coalescing_assignments_are_not_reported()
    {
        const string source = """
            using System.Collections.Generic;
            using StreamLinq;

            class Cache
            {
                private string? first;
                private string? last;
                private readonly Dictionary<int, string?> names = new();

                public void Wire(IDStream<string> stream) =>
                    stream.ForEachBatch((batch, time) =>
                    {
                        first ??= batch[0];
                        last = last ?? batch[0];
                        names[1] ??= batch[0];
                        {|#0:last = last + batch[0]|};
                    });
            }
            """;

        await CounterVerifier.AnalyzerAsync(
            source, CounterVerifier.Diagnostic().WithLocation(0).WithArguments("last = last + batch[0]", "ForEachBatch", "last"));
    }

    [Fact]
    public async Task Object_and_with_initialisers_on_a_fresh_object_are_not_reported()
    {
        const string source = """
            using System.Collections.Generic;
            using StreamLinq;

            class Dto
            {
                public int Count { get; set; }
                public List<int> Items { get; } = new();
            }

            record Row(int N, string Key);

            class Writer
            {
                private readonly Dto current = new();

                public void Wire(IDStream<Row> stream) =>
                    stream.ForEachBatch((batch, time) =>
                    {
                        foreach (var d in batch)
                        {
                            var copy = new Dto { Count = current.Count + d.N, Items = { d.N } };
                            var next = d with { N = d.N + 1 };
                            var anonymous = new { d.N, Total = d.N + 1 };
                            var list = new List<int> { d.N, next.N };
                            {|#0:current.Count += copy.Count|};
                        }
                    });
            }
            """;

        await CounterVerifier.AnalyzerAsync(
            source, CounterVerifier.Diagnostic().WithLocation(0).WithArguments("current.Count += copy.Count", "ForEachBatch", "current.Count"));
        await CollectionVerifier.AnalyzerAsync(source);
    }

    [Fact]
    public async Task A_collection_initialiser_is_not_reported_but_an_add_to_a_field_is()
    {
        const string source = """
            using System.Collections.Generic;
            using StreamLinq;

            class Writer
            {
                private readonly List<int> all = new();

                public void Wire(IDStream<int> stream) =>
                    stream.ForEachBatch((batch, time) =>
                    {
                        var fresh = new List<int> { batch.Count, 1 };
                        var table = new Dictionary<int, int> { { 3, 4 }, { 5, 6 } };
                        {|#0:all.Add(fresh[0])|};
                    });
            }
            """;

        await CollectionVerifier.AnalyzerAsync(
            source,
            CollectionVerifier.Diagnostic().WithLocation(0).WithArguments("all.Add(fresh[0])", "ForEachBatch", "all", "a replayed batch adds its records again"));
    }

    [Fact]
    public async Task A_delete_by_batch_key_before_an_insert_of_that_key_is_not_reported()
    {
        const string source = """
            using StreamLinq;

            class Writer
            {
                public void Wire(IDStream<string> stream, Command command)
                {
                    stream.ForEachBatch((batch, time) =>
                    {
                        command.Execute("DELETE FROM public.audit WHERE batch_time = @t");
                        foreach (var line in batch)
                        {
                            command.Execute("INSERT INTO audit (batch_time, line) VALUES (@t, @line)");
                        }
                    });
                    stream.ForEachBatch((batch, time) =>
                        command.Execute("DELETE FROM \"totals\" WHERE batch = :b AND region = :r; INSERT INTO totals (region, batch, n) VALUES (:r, :b, :n)"));
                    stream.ForEachBatch((batch, time) =>
                    {
                        // An insert before the delete, into another table, or not writing the deleted key is still reported.
                        command.Execute({|#0:"INSERT INTO audit (batch_time, line) VALUES (@t, @line)"|});
                        command.Execute("DELETE FROM audit WHERE batch_time = @t");
                        command.Execute({|#1:"INSERT INTO audit_copy (batch_time, line) VALUES (@t, @line)"|});
                        command.Execute({|#2:"INSERT INTO audit (line) VALUES (@line)"|});
                    });
                    stream.ForEachBatch((batch, time) =>
                    {
                        // A delete of some other rows (a range, a constant) does not clear what a replay inserts again.
                        command.Execute("DELETE FROM audit WHERE batch_time < @t OR line = 'x'");
                        command.Execute({|#3:"INSERT INTO audit (batch_time, line) VALUES (@t, @line)"|});
                    });
                }
            }
            """ + Database;

        await SqlVerifier.AnalyzerAsync(
            source,
            SqlVerifier.Diagnostic().WithLocation(0).WithArguments("INSERT INTO audit (batch_time, line) VALUES (@t, @line)", "ForEachBatch"),
            SqlVerifier.Diagnostic().WithLocation(1).WithArguments("INSERT INTO audit_copy (batch_time, line) VALUES (@t, @line)", "ForEachBatch"),
            SqlVerifier.Diagnostic().WithLocation(2).WithArguments("INSERT INTO audit (line) VALUES (@line)", "ForEachBatch"),
            SqlVerifier.Diagnostic().WithLocation(3).WithArguments("INSERT INTO audit (batch_time, line) VALUES (@t, @line)", "ForEachBatch"));
    }
}
