using Microsoft.CodeAnalysis.Testing;
using StreamLinq.Analyzers.CodeFixes.Rules;
using Verifier = StreamLinq.Analyzers.Tests.Support.Verify<StreamLinq.Analyzers.Rules.SqlInsertInSinkAnalyzer>;

namespace StreamLinq.Analyzers.Tests.Rules;

public class SqlInsertInSinkAnalyzerTests
{
    private const string Database = """

        class Command
        {
            public string CommandText { get; set; } = "";
            public void Execute(string sql) { }
        }
        """;

    [Fact]
    public async Task Plain_inserts_in_literals_constants_and_interpolations_are_reported()
    {
        const string source = """
            using StreamLinq;

            class Writer
            {
                private const string InsertCount = "insert into counts(word, n) values (@w, @n)";

                public void Wire(IDStream<string> stream, Command command, string table) =>
                    stream.ForEachBatch((batch, time) =>
                    {
                        command.CommandText = {|#0:"INSERT INTO events (id, payload) VALUES (@id, @payload)"|};
                        command.Execute({|#1:InsertCount|});
                        command.Execute({|#2:$"INSERT INTO {table} (id) VALUES (@id)"|});
                    });
            }
            """ + Database;

        await Verifier.AnalyzerAsync(
            source,
            Verifier.Diagnostic().WithLocation(0).WithArguments("INSERT INTO events (id, payload) VALUES (@id, @payload)", "ForEachBatch"),
            Verifier.Diagnostic().WithLocation(1).WithArguments("insert into counts(word, n) values (@w, @n)", "ForEachBatch"),
            Verifier.Diagnostic().WithLocation(2).WithArguments("INSERT INTO ? (id) VALUES (@id)", "ForEachBatch"));
    }

    [Fact]
    public async Task Upserts_merges_other_statements_and_inserts_outside_sinks_are_not_reported()
    {
        const string source = """
            using StreamLinq;

            class Writer
            {
                public void Wire(IDStream<string> stream, Command command)
                {
                    command.Execute("INSERT INTO log (line) VALUES ('started')");
                    stream.ForEachBatch((batch, time) =>
                    {
                        command.Execute("INSERT INTO counts (word, n) VALUES (@w, @n) ON CONFLICT (word) DO UPDATE SET n = EXCLUDED.n");
                        command.Execute("INSERT INTO counts (word, n) VALUES (@w, @n) ON DUPLICATE KEY UPDATE n = VALUES(n)");
                        command.Execute("MERGE INTO counts AS t USING src AS s ON t.word = s.word WHEN MATCHED THEN UPDATE SET n = s.n");
                        command.Execute("UPDATE counts SET n = @n WHERE word = @w");
                    });
                    stream.ForEachBatch((batch, time) => command.Execute("INSERT INTO log (line) VALUES (@l)"), DeliveryGuarantee.AtMostOnce);
                }
            }
            """ + Database;

        await Verifier.AnalyzerAsync(source);
    }

    [Theory]
    [InlineData("user_id", "INSERT INTO public.user_counts (user_id, clicks, batch_time) VALUES (@u, @c, @t) ON CONFLICT (batch_time, user_id) DO NOTHING;")]
    [InlineData("clicks", "INSERT INTO public.user_counts (user_id, clicks, batch_time) VALUES (@u, @c, @t) ON CONFLICT (batch_time, clicks) DO NOTHING;")]
    public async Task An_insert_with_a_batch_time_column_is_keyed_by_batch_time_and_the_record_key_the_user_picks(string recordKey, string upsert)
    {
        const string source = """
            using StreamLinq;

            class Writer
            {
                public void Wire(IDStream<string> stream, Command command) =>
                    stream.ForEachBatch((batch, time) =>
                    {
                        command.Execute({|#0:"INSERT INTO public.user_counts (user_id, clicks, batch_time) VALUES (@u, @c, @t);"|});
                    });
            }
            """ + Database;
        var fixedSource = source.Replace("{|#0:", "").Replace("|}", "").Replace(
            "\"INSERT INTO public.user_counts (user_id, clicks, batch_time) VALUES (@u, @c, @t);\"", "\"" + upsert + "\"");

        await Verifier.CodeFixAsync<SqlInsertToUpsertFix>(
            source, fixedSource,
            [Verifier.Diagnostic().WithLocation(0).WithArguments("INSERT INTO public.user_counts (user_id, clicks, batch_time) VALUES (@u, @c, ...", "ForEachBatch")],
            SqlInsertToUpsertFix.EquivalenceKeyFor(recordKey));
    }

    [Fact]
    public async Task The_batch_time_column_itself_is_never_offered_as_the_record_key_and_verbatim_literals_keep_their_form()
    {
        const string source = """
            using StreamLinq;

            class Writer
            {
                public void Wire(IDStream<string> stream, Command command) =>
                    stream.ForEachBatch((batch, time) =>
                    {
                        command.Execute({|#0:@"INSERT INTO audit (""batch"", line)
                            VALUES (@t, @line)"|});
                    });
            }
            """ + Database;
        const string fixedSource = """
            using StreamLinq;

            class Writer
            {
                public void Wire(IDStream<string> stream, Command command) =>
                    stream.ForEachBatch((batch, time) =>
                    {
                        command.Execute(@"INSERT INTO audit (""batch"", line)
                            VALUES (@t, @line) ON CONFLICT (""batch"", line) DO NOTHING");
                    });
            }
            """ + Database;
        var expected = Verifier.Diagnostic().WithLocation(0).WithArguments("INSERT INTO audit (\"batch\", line) VALUES (@t, @line)", "ForEachBatch");

        await Verifier.CodeFixAsync<SqlInsertToUpsertFix>(source, fixedSource, [expected], SqlInsertToUpsertFix.EquivalenceKeyFor("line"));
        await Verifier.CodeFixAsync<SqlInsertToUpsertFix>(source, source, [expected], SqlInsertToUpsertFix.EquivalenceKeyFor("\"batch\""));
    }

    [Fact]
    public async Task An_insert_without_a_batch_time_column_gets_no_fix_that_would_merge_its_rows()
    {
        // Keying an append-only log by its first column (the old fix) kept one row per id; no key taken from the record alone is safe.
        const string source = """
            using StreamLinq;

            class Writer
            {
                public void Wire(IDStream<string> stream, Command command) =>
                    stream.ForEachBatch((batch, time) =>
                    {
                        command.Execute({|#0:"INSERT INTO events (id, payload) VALUES (@id, @payload)"|});
                        command.Execute({|#1:"INSERT INTO seen (id) VALUES (@id)"|});
                    });
            }
            """ + Database;
        DiagnosticResult[] expected =
        [
            Verifier.Diagnostic().WithLocation(0).WithArguments("INSERT INTO events (id, payload) VALUES (@id, @payload)", "ForEachBatch"),
            Verifier.Diagnostic().WithLocation(1).WithArguments("INSERT INTO seen (id) VALUES (@id)", "ForEachBatch"),
        ];

        await Verifier.CodeFixAsync<SqlInsertToUpsertFix>(source, source, expected, SqlInsertToUpsertFix.EquivalenceKeyFor("id"));
        await Verifier.CodeFixAsync<SqlInsertToUpsertFix>(source, source, expected);
    }
}
