using System.Text.RegularExpressions;

namespace StreamLinq.Analyzers.Support;

/// <summary>Recognises SQL text that inserts rows without making the insert an upsert.</summary>
internal static class SqlText
{
    private static readonly Regex Insert = new(@"(^|;)\s*INSERT\s+INTO\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    // PostgreSQL and SQLite (ON CONFLICT), MySQL (ON DUPLICATE KEY UPDATE), and the portable guarded insert.
    private static readonly Regex Upsert = new(
        @"\bON\s+CONFLICT\b|\bON\s+DUPLICATE\s+KEY\s+UPDATE\b|\bWHERE\s+NOT\s+EXISTS\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    /// <summary>Whether the text runs an INSERT INTO that a replay would repeat.</summary>
    public static bool IsPlainInsert(string text) => Insert.IsMatch(text) && !Upsert.IsMatch(text);
}
