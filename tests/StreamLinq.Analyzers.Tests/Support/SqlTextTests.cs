using StreamLinq.Analyzers.Support;

namespace StreamLinq.Analyzers.Tests.Support;

/// <summary>The SQL reader behind SLQ0004 and SLQ0008: statements, comments, literals and SET items.</summary>
public class SqlTextTests
{
    private static readonly string[] Samples =
    [
        "INSERT INTO t (a) VALUES (@a) -- ON CONFLICT DO NOTHING\n",
        "INSERT INTO t (a) VALUES ('it''s; ON CONFLICT') /* ON CONFLICT /* nested */ DO NOTHING */",
        "UPDATE t SET n = n + $1, s = $tag$ n = n + 1 $tag$ WHERE k = :k",
        "INSERT INTO \"Totals\" AS t (k, n) VALUES (@k, @n) ON CONFLICT (k) DO UPDATE SET n = t.n + EXCLUDED.n, v = EXCLUDED.v WHERE t.v < EXCLUDED.v",
        "MERGE [dbo].[kv] AS t USING s ON t.k = s.k WHEN MATCHED THEN UPDATE SET t.[v] = t.[v] + s.[v];",
        "COPY readings (sensor, value) FROM STDIN (FORMAT BINARY)",
    ];

    [Fact]
    public void An_on_conflict_inside_a_comment_or_a_literal_does_not_make_an_insert_an_upsert()
    {
        Assert.True(SqlText.IsPlainInsert(Samples[0]));
        Assert.True(SqlText.IsPlainInsert(Samples[1]));
        Assert.True(SqlText.IsPlainInsert(Samples[5]));
        Assert.False(SqlText.IsPlainInsert("INSERT INTO t (a) VALUES (@a) ON CONFLICT (a) DO NOTHING"));
        Assert.False(SqlText.IsPlainInsert("SELECT 1; -- INSERT INTO t VALUES (1)"));
    }

    [Fact]
    public void Each_statement_of_a_text_is_judged_on_its_own()
    {
        Assert.True(SqlText.IsPlainInsert("INSERT INTO a (x) VALUES (1) ON CONFLICT DO NOTHING; INSERT INTO b (x) VALUES (2)"));
        Assert.Equal("n = n + 1", SqlText.RelativeUpdate("UPDATE a SET v = 1; UPDATE b SET n = n + 1"));
    }

    [Fact]
    public void A_set_item_reading_its_stored_column_is_found_through_quotes_aliases_and_brackets_but_not_in_literals()
    {
        Assert.Equal("n = n + @p", SqlText.RelativeUpdate(Samples[2]));
        Assert.Null(SqlText.RelativeUpdate(Samples[3]));
        Assert.Equal("n = t . n + EXCLUDED . n", SqlText.RelativeUpdate(Samples[3].Replace(", v = EXCLUDED.v", string.Empty, StringComparison.Ordinal)));
        Assert.Equal("t . v = t . v + s . v", SqlText.RelativeUpdate(Samples[4]));
        Assert.Null(SqlText.RelativeUpdate("UPDATE t SET label = 'n = n + 1', n = @n"));
    }

    [Fact]
    public void Sql_cut_off_anywhere_is_read_without_throwing()
    {
        foreach (var sample in Samples)
        {
            for (var length = 0; length <= sample.Length; length++)
            {
                var prefix = sample.Substring(0, length);
                var exception = Record.Exception(() =>
                {
                    SqlText.IsPlainInsert(prefix);
                    SqlText.RelativeUpdate(prefix);
                });
                Assert.True(exception is null, $"'{prefix}': {exception}");
            }
        }
    }
}
