using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace StreamLinq.Analyzers.Support;

/// <summary>
/// Turns <c>INSERT INTO t (batch_time, id, ...) VALUES (...)</c> into the insert that a replay
/// leaves unchanged without changing which rows the table holds: <c>ON CONFLICT (batch_time, id)
/// DO NOTHING</c>. The conflict key is the batch time column plus a record key that the user picks
/// among the other columns (one action per column): only the user knows which column tells a
/// batch's rows apart. An insert without a batch time column gets no rewrite: no key chosen from
/// the record alone keeps an append-only table append-only.
/// </summary>
internal static class SqlUpsert
{
    private static readonly Regex SingleInsert = new(
        @"^(?<insert>\s*INSERT\s+INTO\s+(?<table>[\w.""]+)\s*\((?<columns>[^()]*)\)\s*VALUES\s*\(.*\))(?<end>\s*;?\s*)$",
        RegexOptions.IgnoreCase | RegexOptions.Singleline | RegexOptions.CultureInvariant);

    // The column that holds the batch time: batch, batch_time, batchtime, batch_ts, batch_ms, batch_id, ...
    private static readonly Regex BatchColumn = new(
        @"^batch_?(time|ts|timestamp|at|ms|ticks|id|start)?(_?(ms|ticks|utc))?$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    /// <summary>
    /// One rewrite per record key the user may pick, or none when the text is not one plain
    /// <c>INSERT ... VALUES</c> with a batch time column and at least one other column.
    /// </summary>
    public static IEnumerable<(string Sql, string BatchColumn, string RecordKey, string Table)> Rewrites(string sql)
    {
        var match = SingleInsert.Match(sql);
        if (!match.Success || match.Groups["insert"].Value.IndexOf(';') >= 0 ||
            match.Groups["insert"].Value.IndexOf("--", System.StringComparison.Ordinal) >= 0 ||
            match.Groups["insert"].Value.IndexOf("/*", System.StringComparison.Ordinal) >= 0)
        {
            yield break;
        }

        var columns = match.Groups["columns"].Value.Split(',').Select(c => c.Trim()).ToArray();
        if (columns.Any(c => c.Length == 0))
        {
            yield break;
        }

        var batch = columns.FirstOrDefault(c => BatchColumn.IsMatch(c.Trim('"')));
        if (batch is null)
        {
            yield break;
        }

        foreach (var key in columns.Where(c => c != batch))
        {
            yield return (match.Groups["insert"].Value + $" ON CONFLICT ({batch}, {key}) DO NOTHING" + match.Groups["end"].Value, batch, key, match.Groups["table"].Value);
        }
    }
}
