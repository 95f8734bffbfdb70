using System.Globalization;
using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using StreamLinq.DStreams;
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
/// </remarks>
/// <param name="Hash">The SHA-256 over all outputs.</param>
/// <param name="Outputs">One entry per output operation, in order.</param>
internal sealed record QueryFingerprint(string Hash, IReadOnlyList<OutputFingerprint> Outputs)
{
    public static QueryFingerprint Compute(IReadOnlyList<OutputOperation> outputs)
    {
        var entries = outputs.Select(output =>
        {
            var normalised = new Normaliser().Visit(output.Query);
            var hash = Sha256($"{output.Name}\n{SignatureOf(normalised)}");
            return new OutputFingerprint(output.Index, output.Name, hash, new ConstantMask().Visit(normalised).ToString(), Operators(normalised));
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
            chain.Add((call.Method.Name, Sha256(string.Concat(call.Arguments.Skip(1).Select(SignatureOf)))));
        }

        chain.Reverse();
        return chain.Select((op, i) => new OperatorFingerprint(i + 1, op.Name, op.Hash)).ToList();
    }

    private static string SignatureOf(Expression expression)
    {
        var signature = new StringBuilder();
        new Signature(signature).Visit(expression);
        return signature.ToString();
    }

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static bool IsSimple(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(DateTime) ||
        type == typeof(DateTimeOffset) || type == typeof(TimeSpan) || type == typeof(Guid) ||
        (Nullable.GetUnderlyingType(type) is { } inner && IsSimple(inner));

    private static bool IsClosure(Type type) => type.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false);

    /// <summary>A readable, stable name: anonymous types by their properties, generics with their arguments.</summary>
    private static string TypeName(Type type)
    {
        if (type.Name.Contains("AnonymousType", StringComparison.Ordinal) && IsClosure(type))
        {
            return "{ " + string.Join(", ", type.GetProperties().Select(p => $"{p.Name}: {TypeName(p.PropertyType)}")) + " }";
        }

        if (type.IsGenericType)
        {
            var name = type.GetGenericTypeDefinition().FullName ?? type.Name;
            return name[..name.IndexOf('`', StringComparison.Ordinal)] + "<" + string.Join(", ", type.GetGenericArguments().Select(TypeName)) + ">";
        }

        return type.FullName ?? type.Name;
    }

    /// <summary>
    /// Rewrites a query tree into its normal form: parameters renamed by order of appearance,
    /// inputs and captured objects replaced by named placeholders, captured simple values
    /// inlined as constants.
    /// </summary>
    private sealed class Normaliser : ExpressionVisitor
    {
        private readonly Dictionary<ParameterExpression, ParameterExpression> _renamed = [];

        protected override Expression VisitLambda<T>(Expression<T> node)
        {
            var parameters = node.Parameters.Select(p => _renamed[p] = Expression.Parameter(p.Type, $"p{_renamed.Count}")).ToList();
            return Expression.Lambda(node.Type, Visit(node.Body), parameters);
        }

        protected override Expression VisitParameter(ParameterExpression node) =>
            _renamed.TryGetValue(node, out var renamed) ? renamed : node;

        protected override Expression VisitConstant(ConstantExpression node) => node.Value switch
        {
            IInputDStream input => Expression.Parameter(node.Type, $"input{input.Id}:{SourceKind(input)}"),
            null => node,
            var value when IsSimple(value.GetType()) => node,
            IDStream stream => Visit(stream.Expression),
            var value => Expression.Parameter(node.Type, $"constant:{TypeName(value.GetType())}"),
        };

        protected override Expression VisitMember(MemberExpression node)
        {
            if (node.Expression is ConstantExpression { Value: { } closure } && IsClosure(closure.GetType()))
            {
                var value = node.Member switch
                {
                    FieldInfo field => field.GetValue(closure),
                    PropertyInfo property => property.GetValue(closure),
                    _ => null,
                };
                return value switch
                {
                    IDStream stream => Visit(stream.Expression),
                    _ when value is not null && IsSimple(value.GetType()) => Expression.Constant(value, node.Type),
                    _ => Expression.Parameter(node.Type, $"captured:{node.Member.Name}"),
                };
            }

            return base.VisitMember(node);
        }

        private static string SourceKind(IInputDStream input)
        {
            var name = input.Source.GetType().Name;
            var tick = name.IndexOf('`', StringComparison.Ordinal);
            return tick < 0 ? name : name[..tick];
        }
    }

    /// <summary>
    /// Hides every constant's value behind its type (<c>&lt;String&gt;</c>) for the plan text, which is
    /// stored in the checkpoint and quoted in errors: a captured password or key must not be.
    /// </summary>
    private sealed class ConstantMask : ExpressionVisitor
    {
        protected override Expression VisitConstant(ConstantExpression node) =>
            node.Value is null ? node : Expression.Parameter(node.Type, $"<{node.Type.Name}>");
    }

    /// <summary>Writes every node of a normalised tree with its types, members and methods, in pre-order.</summary>
    private sealed class Signature(StringBuilder text) : ExpressionVisitor
    {
        public override Expression? Visit(Expression? node)
        {
            if (node is null)
            {
                return null;
            }

            text.Append('(').Append(node.NodeType).Append(' ').Append(TypeName(node.Type));
            switch (node)
            {
                case MethodCallExpression call:
                    text.Append(' ').Append(TypeName(call.Method.DeclaringType!)).Append('.').Append(call.Method.Name);
                    if (call.Method.IsGenericMethod)
                    {
                        text.Append('<').AppendJoin(',', call.Method.GetGenericArguments().Select(TypeName)).Append('>');
                    }

                    break;
                case MemberExpression member:
                    text.Append(' ').Append(member.Member.Name);
                    break;
                case ConstantExpression constant:
                    text.Append(' ').Append(Convert.ToString(constant.Value, CultureInfo.InvariantCulture));
                    break;
                case ParameterExpression parameter:
                    text.Append(' ').Append(parameter.Name);
                    break;
                case NewExpression { Constructor: { } constructor }:
                    text.Append(' ').AppendJoin(',', constructor.GetParameters().Select(p => TypeName(p.ParameterType)));
                    break;
                case UnaryExpression { Method: { } method }:
                    text.Append(' ').Append(method.Name);
                    break;
                case BinaryExpression { Method: { } method }:
                    text.Append(' ').Append(method.Name);
                    break;
            }

            var result = base.Visit(node);
            text.Append(')');
            return result;
        }
    }
}

/// <summary>The fingerprint of one output operation.</summary>
/// <param name="Index">The output's position, from 1.</param>
/// <param name="Name">The output's kind, e.g. <c>ForEachBatch</c>.</param>
/// <param name="Hash">The SHA-256 of its normalised tree.</param>
/// <param name="Plan">The normalised tree as text with every constant shown as its type only, quoted when it changes.</param>
/// <param name="Operators">The operators from the input to the output, each with its own hash; null in checkpoints written before they were recorded.</param>
internal sealed record OutputFingerprint(int Index, string Name, string Hash, string Plan, IReadOnlyList<OperatorFingerprint>? Operators = null);

/// <summary>One operator of an output's chain.</summary>
/// <param name="Position">From 1, counted from the input.</param>
/// <param name="Name">The operator's method, e.g. <c>Where</c>.</param>
/// <param name="Hash">The SHA-256 of its arguments' normalised trees, constants' values included.</param>
internal sealed record OperatorFingerprint(int Position, string Name, string Hash);
