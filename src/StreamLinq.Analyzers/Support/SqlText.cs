using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace StreamLinq.Analyzers.Support;

/// <summary>
/// Reads the SQL a sink sends: split into tokens with comments and string literals taken out, cut
/// into statements, so that an <c>ON CONFLICT</c> inside a comment does not count and a <c>+</c>
/// inside a literal is not arithmetic. Enough of the grammar to find INSERTs that are not upserts
/// and SET items that compute a column from its stored value.
/// </summary>
internal static class SqlText
{
    private static readonly HashSet<string> IdempotentFunctions = new(StringComparer.OrdinalIgnoreCase)
    {
        "GREATEST", "LEAST", "COALESCE", "IFNULL", "ISNULL", "NVL", "MAX", "MIN",
    };

    private static readonly HashSet<string> ClauseEnds = new(StringComparer.OrdinalIgnoreCase)
    {
        "WHERE", "FROM", "RETURNING", "WHEN", "OUTPUT", "LIMIT", "ORDER",
    };

    /// <summary>The SQL an operation spells out, taking only the outermost piece of a constant or interpolated string.</summary>
    public static string? Of(IOperation operation)
    {
        if (operation.Parent is IInterpolatedStringContentOperation ||
            operation.Parent is { ConstantValue: { HasValue: true, Value: string } } and (IBinaryOperation or IInterpolatedStringOperation))
        {
            return null;
        }

        if (operation is IInterpolatedStringOperation interpolated)
        {
            return string.Concat(interpolated.Parts.Select(p => p is IInterpolatedStringTextOperation t ? t.Text.ConstantValue.Value as string : "?"));
        }

        if (operation.Type?.SpecialType != SpecialType.System_String)
        {
            return null;
        }

        if (operation.ConstantValue is { HasValue: true, Value: string constant })
        {
            return constant;
        }

        // static readonly string Sql = "...": not a constant to the compiler, but as fixed as one.
        return operation is IFieldReferenceOperation { Field: { IsStatic: true, IsReadOnly: true } field } &&
               field.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax() is VariableDeclaratorSyntax { Initializer.Value: LiteralExpressionSyntax literal }
            ? literal.Token.ValueText
            : null;
    }

    /// <summary>
    /// Whether the text runs an INSERT INTO (or a COPY ... FROM) that a replay would repeat: not
    /// made an upsert by ON CONFLICT, ON DUPLICATE KEY UPDATE or WHERE NOT EXISTS in the same statement.
    /// </summary>
    public static bool IsPlainInsert(string text) => Statements(text).Any(IsPlainInsert);

    /// <summary>
    /// The first SET item (<c>n = n + @d</c>, <c>total = t.total + EXCLUDED.total</c>) of an UPDATE,
    /// an upsert's DO UPDATE / ON DUPLICATE KEY UPDATE or a MERGE's WHEN MATCHED that computes a
    /// column from its stored value in a way a second run changes again; null when there is none,
    /// or when the statement only applies where a stored version differs (<c>WHERE t.batch &lt; EXCLUDED.batch</c>).
    /// </summary>
    public static string? RelativeUpdate(string text)
    {
        foreach (var statement in Statements(text))
        {
            var targets = TargetNames(statement);
            foreach (var (items, guard) in SetClauses(statement))
            {
                var setItems = SplitTopLevel(items, ",").ToList();
                if (IsVersionGuarded(setItems, guard, targets))
                {
                    continue;
                }

                foreach (var item in setItems)
                {
                    var equals = item.FindIndex(t => t.Kind == TokenKind.Symbol && t.Text == "=");
                    if (equals <= 0 || item[equals - 1].Kind != TokenKind.Word)
                    {
                        continue;
                    }

                    var column = item[equals - 1].Text;
                    var value = item.Skip(equals + 1).ToList();
                    if (ReadsStored(value, column, targets) && !IsIdempotent(value))
                    {
                        return string.Join(" ", item.Select(t => t.Text));
                    }
                }
            }
        }

        return null;
    }

    private static bool IsPlainInsert(List<Token> statement)
    {
        var inserts = false;
        for (var i = 0; i + 1 < statement.Count; i++)
        {
            if ((statement[i].Is("INSERT") && statement[i + 1].Is("INTO")) ||
                (statement[i].Is("COPY") && statement.Skip(i + 1).Any(t => t.Is("FROM"))))
            {
                inserts = true;
            }
        }

        return inserts && !Contains(statement, "ON", "CONFLICT") && !Contains(statement, "ON", "DUPLICATE", "KEY", "UPDATE") &&
               !Contains(statement, "NOT", "EXISTS");
    }

    /// <summary>
    /// Whether the update only applies to a row whose version marker differs from the batch's: the
    /// guard compares (<c>&lt;</c>, <c>&gt;</c>, <c>&lt;&gt;</c>, <c>!=</c>) a column that the same SET
    /// overwrites with an absolute value (<c>last_batch = EXCLUDED.last_batch ... WHERE t.last_batch &lt; EXCLUDED.last_batch</c>).
    /// A comparison on a column the SET computes from itself (<c>balance = balance - @a WHERE balance &gt; @a</c>) guards nothing.
    /// </summary>
    private static bool IsVersionGuarded(List<List<Token>> items, List<Token> guard, HashSet<string> targets)
    {
        var markers = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in items)
        {
            var equals = item.FindIndex(t => t.Kind == TokenKind.Symbol && t.Text == "=");
            if (equals > 0 && item[equals - 1].Kind == TokenKind.Word && !ReadsStored(item.Skip(equals + 1).ToList(), item[equals - 1].Text, targets))
            {
                markers.Add(item[equals - 1].Text);
            }
        }

        for (var k = 0; k < guard.Count; k++)
        {
            if (guard[k].Kind == TokenKind.Symbol && guard[k].Text is "<" or ">" or "<>" or "!=" &&
                ((k > 0 && guard[k - 1].Kind == TokenKind.Word && markers.Contains(guard[k - 1].Text)) ||
                 (k + 1 < guard.Count && guard[k + 1].Kind == TokenKind.Word && markers.Contains(guard[k + 1].Text)) ||
                 (k + 3 < guard.Count && guard[k + 2].Text == "." && guard[k + 3].Kind == TokenKind.Word && markers.Contains(guard[k + 3].Text))))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The names the written table goes by in a statement: its name and alias after UPDATE, INSERT INTO or MERGE INTO.</summary>
    private static HashSet<string> TargetNames(List<Token> statement)
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i + 1 < statement.Count; i++)
        {
            if (!(statement[i].Is("UPDATE") && i == 0) && !(statement[i].Is("INTO") && i > 0 && (statement[i - 1].Is("INSERT") || statement[i - 1].Is("MERGE"))) &&
                !(statement[i].Is("MERGE") && i == 0 && !statement[i + 1].Is("INTO")))
            {
                continue;
            }

            var j = i + 1;
            while (j + 2 < statement.Count && statement[j + 1].Text == ".")
            {
                j += 2;
            }

            if (statement[j].Kind != TokenKind.Word)
            {
                continue;
            }

            names.Add(statement[j].Text);
            var alias = j + 1 < statement.Count && statement[j + 1].Is("AS") ? j + 2 : j + 1;
            if (alias < statement.Count && statement[alias].Kind == TokenKind.Word &&
                !(statement[alias].Is("SET") || statement[alias].Is("USING") || statement[alias].Is("VALUES") || statement[alias].Is("SELECT") ||
                  statement[alias].Is("DEFAULT") || statement[alias].Is("ON") || statement[alias].Is("WHERE")))
            {
                names.Add(statement[alias].Text);
            }
        }

        return names;
    }

    /// <summary>The SET lists of a statement, each with the condition that guards it (empty when none).</summary>
    private static IEnumerable<(List<Token> Items, List<Token> Guard)> SetClauses(List<Token> statement)
    {
        for (var i = 0; i < statement.Count; i++)
        {
            int start;
            bool isMerge = false;
            if (statement[i].Is("SET") && i > 0 && IsUpdateBefore(statement, i, out isMerge))
            {
                start = i + 1;
            }
            else if (Matches(statement, i, "ON", "DUPLICATE", "KEY", "UPDATE"))
            {
                start = i + 4;
            }
            else
            {
                continue;
            }

            var depth = 0;
            var end = start;
            for (; end < statement.Count; end++)
            {
                var t = statement[end];
                depth += t.Text == "(" ? 1 : t.Text == ")" ? -1 : 0;
                if (depth == 0 && t.Kind == TokenKind.Word && ClauseEnds.Contains(t.Text))
                {
                    break;
                }
            }

            var items = statement.GetRange(start, end - start);
            var guard = new List<Token>();
            if (isMerge)
            {
                // WHEN MATCHED AND <condition> THEN UPDATE SET ...
                var when = statement.FindLastIndex(i, t => t.Is("WHEN"));
                var then = statement.FindLastIndex(i, t => t.Is("THEN"));
                if (when >= 0 && then > when)
                {
                    guard = statement.GetRange(when, then - when);
                }
            }
            else if (end < statement.Count && statement[end].Is("WHERE"))
            {
                var stop = statement.FindIndex(end, t => t.Is("RETURNING"));
                guard = statement.GetRange(end, (stop < 0 ? statement.Count : stop) - end);
            }

            yield return (items, guard);
            i = end - 1;
        }
    }

    /// <summary>Whether a SET belongs to an UPDATE (a statement's, an upsert's DO UPDATE, a MERGE's THEN UPDATE).</summary>
    private static bool IsUpdateBefore(List<Token> statement, int set, out bool isMerge)
    {
        isMerge = statement.Count > 0 && statement[0].Is("MERGE");
        for (var j = set - 1; j >= 0; j--)
        {
            if (statement[j].Is("UPDATE"))
            {
                return true;
            }

            if (statement[j].Kind == TokenKind.Symbol && statement[j].Text is ";" or "=")
            {
                return false;
            }
        }

        return false;
    }

    /// <summary>Whether a SET value reads the stored <paramref name="column"/>: bare or through a table alias, not the new row's (EXCLUDED.c, VALUES(c)).</summary>
    private static bool ReadsStored(List<Token> value, string column, HashSet<string> targets)
    {
        for (var i = 0; i < value.Count; i++)
        {
            if (value[i].Kind != TokenKind.Word || !string.Equals(value[i].Text, column, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var qualified = i >= 2 && value[i - 1].Text == ".";
            if (qualified && (value[i - 2].Is("EXCLUDED") || value[i - 2].Is("NEW") ||
                              (targets.Count > 0 && !targets.Contains(value[i - 2].Text))))
            {
                continue;
            }

            if (!qualified && i >= 2 && value[i - 1].Text == "(" && value[i - 2].Is("VALUES"))
            {
                continue;
            }

            // Part of a longer name (schema.table.column is still the column; column.field is a composite's field).
            if (i + 1 < value.Count && value[i + 1].Text == ".")
            {
                continue;
            }

            return true;
        }

        return false;
    }

    /// <summary>A value that a second run leaves as the first left it: GREATEST/LEAST/COALESCE of it, or bits OR-ed or AND-ed in.</summary>
    private static bool IsIdempotent(List<Token> value)
    {
        if (value.Count >= 3 && value[0].Kind == TokenKind.Word && IdempotentFunctions.Contains(value[0].Text) && value[1].Text == "(" &&
            ClosingParen(value, 1) == value.Count - 1)
        {
            return true;
        }

        var operators = value.Where(t => t.Kind == TokenKind.Symbol && t.Text is "+" or "-" or "*" or "/" or "||" or "|" or "&" or "%" or "^").ToList();
        return (operators.Count > 0 && operators.All(t => t.Text is "|" or "&")) ||
               (operators.Count == 0 && !value.Any(t => t.Kind == TokenKind.Word && t.Text.IndexOf("append", StringComparison.OrdinalIgnoreCase) >= 0 ||
                                                         t.Is("array_cat") || t.Is("concat") || t.Is("jsonb_insert")));
    }

    private static int ClosingParen(List<Token> tokens, int open)
    {
        var depth = 0;
        for (var i = open; i < tokens.Count; i++)
        {
            depth += tokens[i].Text == "(" ? 1 : tokens[i].Text == ")" ? -1 : 0;
            if (depth == 0)
            {
                return i;
            }
        }

        return -1;
    }

    private static IEnumerable<List<Token>> SplitTopLevel(List<Token> tokens, string separator)
    {
        var depth = 0;
        var current = new List<Token>();
        foreach (var t in tokens)
        {
            depth += t.Text == "(" ? 1 : t.Text == ")" ? -1 : 0;
            if (depth == 0 && t.Kind == TokenKind.Symbol && t.Text == separator)
            {
                yield return current;
                current = new List<Token>();
            }
            else
            {
                current.Add(t);
            }
        }

        yield return current;
    }

    private static bool Contains(List<Token> tokens, params string[] words)
    {
        for (var i = 0; i < tokens.Count; i++)
        {
            if (Matches(tokens, i, words))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Matches(List<Token> tokens, int at, params string[] words)
    {
        if (at + words.Length > tokens.Count)
        {
            return false;
        }

        for (var k = 0; k < words.Length; k++)
        {
            if (!tokens[at + k].Is(words[k]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The statements of a text, each a list of tokens without comments; string literals are kept as opaque tokens.</summary>
    public static List<List<Token>> Statements(string text)
    {
        var statements = new List<List<Token>>();
        var current = new List<Token>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '-' && At(text, i + 1) == '-')
            {
                while (i < text.Length && text[i] != '\n')
                {
                    i++;
                }
            }
            else if (c == '/' && At(text, i + 1) == '*')
            {
                // PostgreSQL nests block comments.
                var depth = 0;
                do
                {
                    if (text[i] == '/' && At(text, i + 1) == '*')
                    {
                        depth++;
                        i += 2;
                    }
                    else if (text[i] == '*' && At(text, i + 1) == '/')
                    {
                        depth--;
                        i += 2;
                    }
                    else
                    {
                        i++;
                    }
                }
                while (depth > 0 && i < text.Length);
            }
            else if (c == '\'')
            {
                i++;
                while (i < text.Length && !(text[i] == '\'' && At(text, i + 1) != '\''))
                {
                    i += text[i] == '\'' ? 2 : 1;
                }

                i++;
                current.Add(new Token(TokenKind.String, "'…'"));
            }
            else if (c == '$' && DollarTag(text, i) is { } tag)
            {
                var close = text.IndexOf(tag, i + tag.Length, StringComparison.Ordinal);
                i = close < 0 ? text.Length : close + tag.Length;
                current.Add(new Token(TokenKind.String, "'…'"));
            }
            else if (c is '"' or '`' or '[' && Identifier(text, i) is { } quoted)
            {
                current.Add(new Token(TokenKind.Word, quoted.Name));
                i = quoted.End;
            }
            else if (char.IsLetter(c) || c == '_')
            {
                var start = i;
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] is '_' or '$'))
                {
                    i++;
                }

                current.Add(new Token(TokenKind.Word, text.Substring(start, i - start)));
            }
            else if (char.IsDigit(c))
            {
                var start = i;
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '.'))
                {
                    i++;
                }

                current.Add(new Token(TokenKind.Number, text.Substring(start, i - start)));
            }
            else if (c is '@' or '$' or '?' || (c == ':' && char.IsLetter(At(text, i + 1))))
            {
                i++;
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || text[i] == '_'))
                {
                    i++;
                }

                current.Add(new Token(TokenKind.Parameter, "@p"));
            }
            else if (c == '{' && text.IndexOf('}', i) is var brace and > 0 && brace - i < 12)
            {
                // ExecuteSqlRaw's {0} placeholders.
                i = brace + 1;
                current.Add(new Token(TokenKind.Parameter, "@p"));
            }
            else if (c == ';')
            {
                i++;
                if (current.Count > 0)
                {
                    statements.Add(current);
                    current = new List<Token>();
                }
            }
            else
            {
                var two = i + 1 < text.Length ? text.Substring(i, 2) : string.Empty;
                if (two is "<=" or ">=" or "<>" or "!=" or "||" or "::")
                {
                    current.Add(new Token(TokenKind.Symbol, two));
                    i += 2;
                }
                else
                {
                    current.Add(new Token(TokenKind.Symbol, c.ToString()));
                    i++;
                }
            }
        }

        if (current.Count > 0)
        {
            statements.Add(current);
        }

        return statements;
    }

    private static char At(string text, int index) => index < text.Length ? text[index] : '\0';

    /// <summary>A PostgreSQL dollar-quote tag at <paramref name="start"/> (<c>$$</c>, <c>$body$</c>), or null for a <c>$1</c> parameter.</summary>
    private static string? DollarTag(string text, int start)
    {
        var end = start + 1;
        while (end < text.Length && (char.IsLetter(text[end]) || text[end] == '_'))
        {
            end++;
        }

        return end < text.Length && text[end] == '$' ? text.Substring(start, end - start + 1) : null;
    }

    private static (string Name, int End)? Identifier(string text, int start)
    {
        var close = text[start] == '[' ? ']' : text[start];
        var end = text.IndexOf(close, start + 1);
        return end < 0 ? null : (text.Substring(start + 1, end - start - 1), end + 1);
    }

    internal enum TokenKind
    {
        Word,
        Symbol,
        Parameter,
        Number,
        String,
    }

    internal readonly struct Token
    {
        public Token(TokenKind kind, string text)
        {
            Kind = kind;
            Text = text;
        }

        public TokenKind Kind { get; }

        public string Text { get; }

        public bool Is(string word) => Kind == TokenKind.Word && string.Equals(Text, word, StringComparison.OrdinalIgnoreCase);
    }
}
