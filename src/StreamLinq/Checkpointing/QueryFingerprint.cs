using System.Linq.Expressions;
using System.Security.Cryptography;
using System.Text;
using StreamLinq.Query;
using StreamLinq.Sinks;

namespace StreamLinq.Checkpointing;

/// <summary>
/// The identity of a context's queries, stored in every checkpoint so that a restarted driver
/// refuses state written by a different query.
/// </summary>
/// <remarks>
/// <para>What counts as a change: the outputs (their number, order and kind), the operators and
/// their order, every lambda's body (operators, members, methods, constants), the element
/// types, the kind of each input (directory, Redis stream, queue, ...), and the values of
/// captured variables of simple types (numbers, strings, enums, dates, GUIDs), since a changed
/// threshold changes the results.</para>
/// <para>What does not: lambda parameter names, the numbering of anonymous types (only their
/// property names and types count), the contents of captured objects of other types (only their
/// type counts: a captured dictionary may be reloaded), the connection details of sources and
/// sinks, and the delivery guarantees.</para>
/// <para>Values never appear in clear: they enter only the SHA-256 hashes; the plan text kept in
/// the checkpoint (and quoted when a query changed) shows each constant as its type, and a changed
/// value is reported by the operator that holds it.</para>
/// <para>The normal form is <see cref="CanonicalForm"/>'s, the same walk that names operators'
/// state (<see cref="State.StateIds"/>).</para>
/// </remarks>
/// <param name="Hash">The SHA-256 over all outputs.</param>
/// <param name="Outputs">One entry per output operation, in order.</param>
internal sealed record QueryFingerprint(string Hash, IReadOnlyList<OutputFingerprint> Outputs)
{
    public static QueryFingerprint Compute(IReadOnlyList<OutputOperation> outputs)
    {
        var entries = outputs.Select(output =>
        {
            var normalised = CanonicalForm.Normalise(output.Query);
            var hash = Sha256($"{output.Name}\n{CanonicalForm.Signature(normalised)}");
            return new OutputFingerprint(output.Index, output.Name, hash, new ConstantMask().Visit(normalised).ToString(), Operators(normalised), output.Id);
        }).ToList();
        return new QueryFingerprint(Sha256(string.Join('\n', entries.Select(e => e.Hash))), entries);
    }

    /// <summary>What differs between the checkpoint's queries and the current ones; null when they match.</summary>
    public static string? Describe(QueryFingerprint stored, QueryFingerprint current)
    {
        if (stored.Hash == current.Hash)
        {
            return null;
        }

        var changes = new List<string>();
        if (stored.Outputs.Count != current.Outputs.Count)
        {
            changes.Add($"the checkpoint has {stored.Outputs.Count} output operation(s), the query now has {current.Outputs.Count}");
        }

        foreach (var (was, now) in stored.Outputs.Zip(current.Outputs))
        {
            if (was.Name != now.Name)
            {
                changes.Add($"output #{now.Index} was {was.Name}, now {now.Name}");
            }
            else if (was.Hash != now.Hash)
            {
                var operators = ChangedOperators(was, now);
                changes.Add(was.Plan == now.Plan
                    ? $"in output {now.Name} #{now.Index}, {operators ?? "an operator"} changed a constant or captured value (values are not shown)"
                    : was.Operators is null
                        // Written before plans hid their constants: the stored text may hold a secret.
                        ? $"the plan of output {now.Name} #{now.Index} changed: it is now `{now.Plan}`"
                        : $"the plan of output {now.Name} #{now.Index} changed{(operators is null ? "" : $" ({operators})")}: was `{was.Plan}`, now `{now.Plan}`");
            }
        }

        if (changes.Count == 0)
        {
            changes.Add("the fingerprints differ");
        }

        return string.Join("; ", changes);
    }

    /// <summary>"operator #2 Where" (positions from the input), or null when the operator lists cannot be compared.</summary>
    private static string? ChangedOperators(OutputFingerprint was, OutputFingerprint now)
    {
        if (was.Operators is not { } before || now.Operators is not { } after)
        {
            return null;
        }

        var changed = after.Where(op => op.Position > before.Count || before[op.Position - 1] is var old && (old.Name != op.Name || old.Hash != op.Hash))
            .Select(op => $"operator #{op.Position} {op.Name}")
            .ToList();
        if (before.Count > after.Count)
        {
            changed.Add($"{before.Count - after.Count} operator(s) removed");
        }

        return changed.Count == 0 ? null : string.Join(", ", changed);
    }

    /// <summary>
    /// The chain of operators from the input to the output, each with the hash of its own arguments
    /// (lambdas, constants), so a change can be pinned to an operator without quoting a value.
    /// </summary>
    private static List<OperatorFingerprint> Operators(Expression normalised)
    {
        var chain = new List<(string Name, string Hash)>();
        for (var node = normalised; node is MethodCallExpression { Method.IsStatic: true, Arguments.Count: > 0 } call; node = call.Arguments[0])
        {
            chain.Add((call.Method.Name, Sha256(string.Concat(call.Arguments.Skip(1).Select(CanonicalForm.Signature)))));
        }

        chain.Reverse();
        return chain.Select((op, i) => new OperatorFingerprint(i + 1, op.Name, op.Hash)).ToList();
    }

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>
    /// Hides every constant's value behind its type (<c>&lt;String&gt;</c>) for the plan text, which is
    /// stored in the checkpoint and quoted in errors: a captured password or key must not be.
    /// </summary>
    private sealed class ConstantMask : ExpressionVisitor
    {
        protected override Expression VisitConstant(ConstantExpression node) =>
            node.Value is null ? node : Expression.Parameter(node.Type, $"<{node.Type.Name}>");
    }
}

/// <summary>The fingerprint of one output operation.</summary>
/// <param name="Index">The output's position, from 1.</param>
/// <param name="Name">The output's kind, e.g. <c>ForEachBatch</c>.</param>
/// <param name="Hash">The SHA-256 of its normalised tree.</param>
/// <param name="Plan">The normalised tree as text with every constant shown as its type only, quoted when it changes.</param>
/// <param name="Operators">The operators from the input to the output, each with its own hash; null in checkpoints written before they were recorded.</param>
/// <param name="Id">The output's identity (<c>OutputOperation.Id</c>), by which an upgrade finds it again; null in checkpoints written before outputs could be named.</param>
internal sealed record OutputFingerprint(int Index, string Name, string Hash, string Plan, IReadOnlyList<OperatorFingerprint>? Operators = null, string? Id = null);

/// <summary>One operator of an output's chain.</summary>
/// <param name="Position">From 1, counted from the input.</param>
/// <param name="Name">The operator's method, e.g. <c>Where</c>.</param>
/// <param name="Hash">The SHA-256 of its arguments' normalised trees, constants' values included.</param>
internal sealed record OperatorFingerprint(int Position, string Name, string Hash);
