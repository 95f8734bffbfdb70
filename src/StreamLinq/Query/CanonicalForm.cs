using System.Collections;
using System.Globalization;
using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using StreamLinq.DStreams;

namespace StreamLinq.Query;

/// <summary>
/// The normalised structural form of a query tree, independent of how <c>Explain</c> renders it:
/// node kinds, operators' methods with their generic type arguments, members, types (anonymous
/// types by their properties), lambda parameters numbered by position, inputs by id and kind,
/// constants and captured values of simple types by type and value. Two uses, one walk: the
/// checkpoint's <see cref="Checkpointing.QueryFingerprint"/> and the plan nodes' state ids
/// (<see cref="State.StateIds"/>).
/// </summary>
/// <remarks>
/// The text it produces is hashed, never shown: it may hold captured values. Changing what it
/// writes changes every fingerprint (old checkpoints are refused as a changed query) and every
/// state id (old checkpoints restore without that state), so it changes only with a reason.
/// </remarks>
internal static class CanonicalForm
{
    /// <summary>
    /// Rewrites a query tree into its normal form: parameters renamed by order of appearance,
    /// inputs and captured objects replaced by named placeholders, captured simple values inlined
    /// as constants. With <paramref name="engineValues"/>, a constant of one of StreamLinq's own
    /// types (an <c>EventTimeWindows</c>, a <c>StateSpec</c>) is written with its simple
    /// properties' values rather than its type alone.
    /// </summary>
    public static Expression Normalise(Expression query, bool engineValues = false) => new Normaliser(engineValues).Visit(query);

    /// <summary>Every node of a normalised tree with its types, members, methods and constants, in pre-order.</summary>
    public static string Signature(Expression normalised)
    {
        var signature = new StringBuilder();
        new SignatureWriter(signature).Visit(normalised);
        return signature.ToString();
    }

    /// <summary>
    /// The SHA-256 (hex) of the structural form of a plan subtree, as state ids use it: constants
    /// of StreamLinq's own types count by value, so two event-time windows of different sizes differ.
    /// </summary>
    public static string Hash(Expression query) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Signature(Normalise(query, engineValues: true)))));

    public static bool IsSimple(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(DateTime) ||
        type == typeof(DateTimeOffset) || type == typeof(TimeSpan) || type == typeof(Guid) ||
        (Nullable.GetUnderlyingType(type) is { } inner && IsSimple(inner));

    private static bool IsClosure(Type type) => type.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false);

    /// <summary>A readable, stable name: anonymous types by their properties, generics with their arguments.</summary>
    public static string TypeName(Type type)
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

    private sealed class Normaliser(bool engineValues) : ExpressionVisitor
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
            // A StaticTable is data, not a setting: as any captured collection, its type alone
            // counts, so that a replacement or a restart with other rows keeps every state id.
            var value when engineValues && value is not IEnumerable && value.GetType().Assembly == typeof(CanonicalForm).Assembly =>
                Expression.Parameter(node.Type, $"constant:{TypeName(value.GetType())}{{{SimpleProperties(value)}}}"),
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

        // Sorted by name, so that reordering declarations changes no id; functions and collections do not count.
        private static string SimpleProperties(object value) =>
            string.Join(";", value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.GetIndexParameters().Length == 0 && IsSimple(p.PropertyType))
                .OrderBy(p => p.Name, StringComparer.Ordinal)
                .Select(p => $"{p.Name}={Convert.ToString(p.GetValue(value), CultureInfo.InvariantCulture)}"));
    }

    private sealed class SignatureWriter(StringBuilder text) : ExpressionVisitor
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
