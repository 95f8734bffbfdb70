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

    [Fact]
    public async Task An_insert_is_fixed_into_an_upsert_guarded_by_its_version_column()
    {
        const string source = """
            using StreamLinq;

            class Writer
            {
                public void Wire(IDStream<string> stream, Command command) =>
                    stream.ForEachBatch((batch, time) =>
                    {
                        command.Execute({|#0:"INSERT INTO public.user_counts (user_id, clicks, batch_time) VALUES (@u, @c, @t);"|});
                        command.Execute({|#1:@"INSERT INTO seen (id)
                            VALUES (@id)"|});
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
                        command.Execute("INSERT INTO public.user_counts (user_id, clicks, batch_time) VALUES (@u, @c, @t) ON CONFLICT (user_id) DO UPDATE SET clicks = EXCLUDED.clicks, batch_time = EXCLUDED.batch_time WHERE user_counts.batch_time < EXCLUDED.batch_time;");
                        command.Execute(@"INSERT INTO seen (id)
                            VALUES (@id) ON CONFLICT (id) DO NOTHING");
                    });
            }
            """ + Database;

        await Verifier.CodeFixAsync<SqlInsertToUpsertFix>(
            source, fixedSource, 
            [
                Verifier.Diagnostic().WithLocation(0).WithArguments("INSERT INTO public.user_counts (user_id, clicks, batch_time) VALUES (@u, @c, ...", "ForEachBatch"),
                Verifier.Diagnostic().WithLocation(1).WithArguments("INSERT INTO seen (id) VALUES (@id)", "ForEachBatch"),
            ],
            SqlInsertToUpsertFix.EquivalenceKey);
    }
}
