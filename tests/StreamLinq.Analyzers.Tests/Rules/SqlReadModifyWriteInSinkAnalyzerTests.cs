using StreamLinq.Analyzers.Tests.Corpus;
using Verifier = StreamLinq.Analyzers.Tests.Support.Verify<StreamLinq.Analyzers.Rules.SqlReadModifyWriteInSinkAnalyzer>;

namespace StreamLinq.Analyzers.Tests.Rules;

public class SqlReadModifyWriteInSinkAnalyzerTests
{
    [Fact]
    public async Task Set_items_that_read_the_stored_column_in_updates_upserts_and_ef_updates_are_reported()
    {
        const string source = """
            using System.Linq;
            using Dapper;
            using Microsoft.EntityFrameworkCore;
            using StreamLinq;

            class Product { public int Id { get; set; } public int Stock { get; set; } }
            class Db : DbContext { public DbSet<Product> Products { get; } = new(); }

            class Sink
            {
                public void Wire(IDStream<(string K, int N)> counts, Npgsql.NpgsqlConnection conn) =>
                    counts.ForEachBatch(async (batch, time, ct) =>
                    {
                        conn.Execute({|#0:"UPDATE hits SET n = n + @N WHERE k = @K"|});
                        conn.Execute({|#1:@"INSERT INTO totals AS t (k, n) VALUES (@K, @N) -- sums
                                       ON CONFLICT (k) DO UPDATE SET n = t.n + EXCLUDED.n"|});
                        conn.Execute({|#2:"INSERT INTO stock (k, n) VALUES (@K, @N) ON DUPLICATE KEY UPDATE n = n + VALUES(n)"|});
                        using var db = new Db();
                        await db.Products.Where(p => p.Id == 1).ExecuteUpdateAsync(s => {|#3:s.SetProperty(p => p.Stock, p => p.Stock - 1)|}, ct);
                    });
            }
            """ + LibraryStubs.Source;

        await Verifier.AnalyzerAsync(
            source,
            Verifier.Diagnostic().WithLocation(0).WithArguments("n = n + @p", "ForEachBatch"),
            Verifier.Diagnostic().WithLocation(1).WithArguments("n = t . n + EXCLUDED . n", "ForEachBatch"),
            Verifier.Diagnostic().WithLocation(2).WithArguments("n = n + VALUES ( n )", "ForEachBatch"),
            Verifier.Diagnostic().WithLocation(3).WithArguments("s.SetProperty(p => p.Stock, p => p.Stock - 1)", "ForEachBatch"));
    }

    [Fact]
    public async Task Overwrites_guarded_updates_idempotent_functions_and_sql_in_comments_or_literals_are_not_reported()
    {
        const string source = """
            using Dapper;
            using StreamLinq;

            class Sink
            {
                public void Wire(IDStream<int> xs, Npgsql.NpgsqlConnection conn) =>
                    xs.ForEachBatch((batch, time) =>
                    {
                        conn.Execute("INSERT INTO t (k, n) VALUES (@k, @n) ON CONFLICT (k) DO UPDATE SET n = EXCLUDED.n");
                        conn.Execute("INSERT INTO t AS t (k, n, b) VALUES (@k, @n, @b) ON CONFLICT (k) DO UPDATE SET n = t.n + EXCLUDED.n, b = EXCLUDED.b WHERE t.b < EXCLUDED.b");
                        conn.Execute("UPDATE t SET high = GREATEST(high, @v), flags = flags | 4, seen = COALESCE(seen, @s) WHERE k = @k");
                        conn.Execute("UPDATE t SET label = 'n = n + 1' WHERE k = @k /* SET n = n + 1 */");
                        conn.Execute("UPDATE t SET n = s.n FROM staging s WHERE t.k = s.k");
                        conn.Execute("-- UPDATE t SET n = n + 1\nSELECT 1");
                    });
            }
            """ + LibraryStubs.Source;

        await Verifier.AnalyzerAsync(source);
    }
}
