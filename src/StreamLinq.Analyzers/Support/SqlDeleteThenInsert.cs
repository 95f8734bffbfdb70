using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace StreamLinq.Analyzers.Support;

/// <summary>
/// Recognises the delete-then-insert idiom: <c>DELETE FROM t WHERE batch = @t</c> run before
/// <c>INSERT INTO t (batch, ...)</c> in the same sink. A replay first deletes what the earlier run
/// inserted under the same key, then inserts it again: the table ends as after one run.
/// </summary>
/// <remarks>
/// The DELETE must name the same table and compare only with <c>=</c> to parameters, joined by
/// AND, on columns that the INSERT writes; the analyzer cannot see that the parameter is bound to
/// the value the INSERT writes, and takes the shared column name as that promise.
/// </remarks>
internal static class SqlDeleteThenInsert
{
    private const RegexOptions Options = RegexOptions.IgnoreCase | RegexOptions.Singleline | RegexOptions.CultureInvariant;

    private static readonly Regex Delete = new(
        @"\bDELETE\s+FROM\s+(?<table>[\w.""`\[\]]+)\s+WHERE\s+(?<where>[^;]*)", Options);

    private static readonly Regex Condition = new(
        @"^\s*\(?\s*(?<column>[\w.""`\[\]]+)\s*=\s*(?<value>[@:$]\w+|\?)\s*\)?\s*$", Options);

    private static readonly Regex And = new(@"\s+AND\s+", Options);

    private static readonly Regex Insert = new(
        @"\bINSERT\s+INTO\s+(?<table>[\w.""`\[\]]+)\s*\((?<columns>[^()]*)\)", Options);

    private static readonly Regex Comment = new(@"--[^\n]*|/\*.*?\*/", Options);

    /// <summary>
    /// Whether the INSERT statements in <paramref name="insertSql"/> all write rows that a DELETE
    /// run before them (in <paramref name="earlierSql"/>, or earlier in the same text) clears by key.
    /// </summary>
    public static bool IsReplacedByKey(string insertSql, IEnumerable<string> earlierSql)
    {
        var deletes = earlierSql.SelectMany(DeleteKeys).ToList();
        var found = false;
        foreach (var statement in Comment.Replace(insertSql, " ").Split(';'))
        {
            deletes.AddRange(DeleteKeys(statement));
            foreach (Match insert in Insert.Matches(statement))
            {
                var table = Name(insert.Groups["table"].Value);
                var columns = new HashSet<string>(insert.Groups["columns"].Value.Split(',').Select(Name), StringComparer.Ordinal);
                if (!deletes.Any(d => d.Table == table && d.Columns.All(columns.Contains)))
                {
                    return false;
                }

                found = true;
            }
        }

        return found;
    }

    private static IEnumerable<(string Table, string[] Columns)> DeleteKeys(string sql)
    {
        foreach (Match delete in Delete.Matches(Comment.Replace(sql, " ")))
        {
            var conditions = And.Split(delete.Groups["where"].Value.Trim());
            var columns = conditions.Select(c => Condition.Match(c)).ToArray();
            if (columns.Length > 0 && columns.All(c => c.Success))
            {
                yield return (Name(delete.Groups["table"].Value), columns.Select(c => Name(c.Groups["column"].Value)).ToArray());
            }
        }
    }

    /// <summary>A table or column name without schema, qualifier or quotes, in lower case.</summary>
    private static string Name(string name)
    {
        name = name.Trim();
        name = name.Substring(name.LastIndexOf('.') + 1);
        return name.Trim('"', '`', '[', ']').ToLowerInvariant();
    }
}
