using System;
using System.Linq;
using System.Text.RegularExpressions;

namespace StreamLinq.Analyzers.Support;

/// <summary>
/// Rewrites <c>INSERT INTO t (key, a, version) VALUES (...)</c> into the upsert that a replay
/// leaves unchanged: <c>ON CONFLICT (key) DO UPDATE SET a = EXCLUDED.a, ... WHERE t.version &lt; EXCLUDED.version</c>
/// (PostgreSQL and SQLite). The first column is taken as the key; the guard is the first column
/// named like a time or a version, so an older batch replayed late never overwrites a newer row.
/// </summary>
internal static class SqlUpsert
{
    private static readonly Regex SingleInsert = new(
        @"^(?<insert>\s*INSERT\s+INTO\s+(?<table>[\w.""]+)\s*\((?<columns>[^()]*)\)\s*VALUES\s*\(.*\))(?<end>\s*;?\s*)$",
        RegexOptions.IgnoreCase | RegexOptions.Singleline | RegexOptions.CultureInvariant);

    private static readonly Regex VersionColumn = new(
        @"time|version|timestamp|_at$|^ts$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    /// <summary>The rewritten SQL and a description of the choice made, or null when the text is not one plain INSERT ... VALUES.</summary>
    public static (string Sql, string Key, string? Guard)? Rewrite(string sql)
    {
        var match = SingleInsert.Match(sql);
        if (!match.Success || match.Groups["insert"].Value.IndexOf(';') >= 0)
        {
            return null;
        }

        var columns = match.Groups["columns"].Value.Split(',').Select(c => c.Trim()).ToArray();
        if (columns.Length == 0 || columns.Any(c => c.Length == 0))
        {
            return null;
        }

        var key = columns[0];
        var others = columns.Skip(1).ToArray();
        var table = match.Groups["table"].Value;
        table = table.Substring(table.LastIndexOf('.') + 1);
        var guard = others.FirstOrDefault(c => VersionColumn.IsMatch(c.Trim('"')));

        var upsert = others.Length == 0
            ? $" ON CONFLICT ({key}) DO NOTHING"
            : $" ON CONFLICT ({key}) DO UPDATE SET {string.Join(", ", others.Select(c => $"{c} = EXCLUDED.{c}"))}" +
              (guard is null ? string.Empty : $" WHERE {table}.{guard} < EXCLUDED.{guard}");
        return (match.Groups["insert"].Value + upsert + match.Groups["end"].Value, key, guard);
    }
}
