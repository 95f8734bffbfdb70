using System.Collections;
using System.Globalization;
using System.Linq.Expressions;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;

namespace StreamLinq.Query;

/// <summary>
/// Renders expressions, constants and types as a reader writes them in C#, for <c>Explain()</c>
/// and error messages: <c>line.Split(' ', ',')</c> rather than <c>line.Split( , ,)</c>,
/// <c>KeyValuePair&lt;string, int&gt;</c> rather than <c>KeyValuePair`2</c>, <c>new { W, N }</c>
/// rather than <c>&lt;&gt;f__AnonymousType2`2</c>, a captured variable by its name.
/// </summary>
/// <remarks>
/// Display only: the checkpoint's query fingerprint and the operators' state ids come from
/// <see cref="CanonicalForm"/>, which must not change when this rendering is improved.
/// </remarks>
internal static class CSharpText
{
    private static readonly Dictionary<Type, string> Keywords = new()
    {
        [typeof(bool)] = "bool", [typeof(byte)] = "byte", [typeof(sbyte)] = "sbyte", [typeof(char)] = "char",
        [typeof(short)] = "short", [typeof(ushort)] = "ushort", [typeof(int)] = "int", [typeof(uint)] = "uint",
        [typeof(long)] = "long", [typeof(ulong)] = "ulong", [typeof(float)] = "float", [typeof(double)] = "double",
        [typeof(decimal)] = "decimal", [typeof(string)] = "string", [typeof(object)] = "object", [typeof(void)] = "void",
        [typeof(nint)] = "nint", [typeof(nuint)] = "nuint",
    };

    /// <summary>The expression as C# source.</summary>
    public static string Expression(Expression expression)
    {
        var text = new StringBuilder();
        new Writer(text).Write(expression, Precedence.Lowest);
        return text.ToString();
    }

    /// <summary>A type as written in C#: keywords, generic arguments, <c>int?</c>, <c>(int, string)</c>, <c>new { W, N }</c>.</summary>
    public static string Type(Type type)
    {
        if (Keywords.TryGetValue(type, out var keyword))
        {
            return keyword;
        }

        if (type.IsArray)
        {
            return Type(type.GetElementType()!) + "[" + new string(',', type.GetArrayRank() - 1) + "]";
        }

        if (type.IsByRef || type.IsPointer)
        {
            return Type(type.GetElementType()!);
        }

        if (type.IsGenericParameter)
        {
            return type.Name;
        }

        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return Type(underlying) + "?";
        }

        if (IsAnonymous(type))
        {
            return "new { " + string.Join(", ", type.GetProperties().Select(p => p.Name)) + " }";
        }

        if (type.IsGenericType && type.FullName?.StartsWith("System.ValueTuple`", StringComparison.Ordinal) == true)
        {
            return "(" + string.Join(", ", TupleElements(type).Select(Type)) + ")";
        }

        var name = type.Name;
        var tick = name.IndexOf('`', StringComparison.Ordinal);
        if (tick >= 0)
        {
            name = name[..tick];
        }

        // A nested type's generic arguments include its declaring type's; show only its own.
        var arguments = type.IsGenericType ? type.GetGenericArguments() : [];
        var outer = "";
        if (type.IsNested && !type.IsGenericParameter && type.DeclaringType is { } declaring && !IsCompilerGenerated(declaring))
        {
            var inherited = declaring.IsGenericTypeDefinition ? declaring.GetGenericArguments().Length : 0;
            var declaringType = inherited > 0 && arguments.Length >= inherited ? declaring.MakeGenericType(arguments[..inherited]) : declaring;
            outer = Type(declaringType) + ".";
            arguments = arguments[inherited..];
        }

        return arguments.Length == 0 ? outer + name : outer + name + "<" + string.Join(", ", arguments.Select(Type)) + ">";
    }

    /// <summary>A constant as a C# literal where it has one, e.g. <c>'\t'</c>, <c>"a\"b"</c>, <c>2.5m</c>, <c>new[] { ' ', ',' }</c>.</summary>
    public static string Literal(object? value) => value switch
    {
        null => "null",
        bool b => b ? "true" : "false",
        char c => "'" + Escape(c.ToString(), '\'') + "'",
        string s => "\"" + Escape(s, '"') + "\"",
        int i => i.ToString(CultureInfo.InvariantCulture),
        long l => l.ToString(CultureInfo.InvariantCulture) + "L",
        uint u => u.ToString(CultureInfo.InvariantCulture) + "u",
        ulong ul => ul.ToString(CultureInfo.InvariantCulture) + "ul",
        short or ushort or byte or sbyte => Convert.ToString(value, CultureInfo.InvariantCulture)!,
        double d => DoubleLiteral(d),
        float f => FloatLiteral(f),
        decimal m => m.ToString(CultureInfo.InvariantCulture) + "m",
        Enum e => EnumLiteral(e),
        TimeSpan span => $"TimeSpan.Parse(\"{span.ToString("c", CultureInfo.InvariantCulture)}\")",
        DateTime time => $"DateTime.Parse(\"{time.ToString("O", CultureInfo.InvariantCulture)}\")",
        DateTimeOffset time => $"DateTimeOffset.Parse(\"{time.ToString("O", CultureInfo.InvariantCulture)}\")",
        Guid guid => $"Guid.Parse(\"{guid}\")",
        Type type => $"typeof({Type(type)})",
        Array array when array.Rank == 1 && array.Length <= 16 =>
            "new " + Type(array.GetType().GetElementType()!) + "[] { " + string.Join(", ", array.Cast<object?>().Select(Literal)) + " }",
        Array array => $"new {Type(array.GetType().GetElementType()!)}[{array.Length}] {{ ... }}",
        Delegate => "function",
        IEnumerable sequence => "value(" + Type(sequence.GetType()) + ")",
        _ => "value(" + Type(value.GetType()) + ")",
    };

    private static string DoubleLiteral(double d) => d switch
    {
        double.NaN => "double.NaN",
        double.PositiveInfinity => "double.PositiveInfinity",
        double.NegativeInfinity => "double.NegativeInfinity",
        _ => WithPoint(d.ToString("R", CultureInfo.InvariantCulture)),
    };

    private static string FloatLiteral(float f) => f switch
    {
        float.NaN => "float.NaN",
        float.PositiveInfinity => "float.PositiveInfinity",
        float.NegativeInfinity => "float.NegativeInfinity",
        _ => f.ToString("R", CultureInfo.InvariantCulture) + "f",
    };

    // 2 is an int in C#; a double constant of 2 reads as 2.0 (or 1E+20, already a double).
    private static string WithPoint(string number) =>
        number.Contains('.', StringComparison.Ordinal) || number.Contains('E', StringComparison.Ordinal) ? number : number + ".0";

    private static string EnumLiteral(Enum value)
    {
        var type = value.GetType();
        if (Enum.IsDefined(type, value))
        {
            return Type(type) + "." + value;
        }

        var flags = value.ToString();
        return char.IsDigit(flags[0]) || flags[0] == '-'
            ? $"({Type(type)}){flags}"
            : string.Join(" | ", flags.Split(", ").Select(name => Type(type) + "." + name));
    }

    private static string Escape(string text, char quote)
    {
        var escaped = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            escaped.Append(c switch
            {
                '\\' => @"\\",
                '\0' => @"\0",
                '\a' => @"\a",
                '\b' => @"\b",
                '\f' => @"\f",
                '\n' => @"\n",
                '\r' => @"\r",
                '\t' => @"\t",
                '\v' => @"\v",
                _ when c == quote => "\\" + c,
                _ when char.IsControl(c) || char.IsSurrogate(c) || c is '\u2028' or '\u2029' || char.GetUnicodeCategory(c) == UnicodeCategory.Format =>
                    "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
                _ => c.ToString(),
            });
        }

        return escaped.ToString();
    }

    private static IEnumerable<Type> TupleElements(Type tuple)
    {
        var arguments = tuple.GetGenericArguments();
        foreach (var argument in arguments.Take(7))
        {
            yield return argument;
        }

        if (arguments.Length == 8)
        {
            foreach (var rest in TupleElements(arguments[7]))
            {
                yield return rest;
            }
        }
    }

    private static bool IsCompilerGenerated(Type type) => type.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false);

    private static bool IsAnonymous(Type type) =>
        IsCompilerGenerated(type) && type.Name.Contains("AnonymousType", StringComparison.Ordinal);

    /// <summary>C#'s operator precedence, lowest first.</summary>
    private enum Precedence
    {
        Lowest,
        Lambda,
        Conditional,
        Coalesce,
        OrElse,
        AndAlso,
        Or,
        Xor,
        And,
        Equality,
        Relational,
        Shift,
        Additive,
        Multiplicative,
        Unary,
        Primary,
    }

    private sealed class Writer(StringBuilder text)
    {
        public void Write(Expression? node, Precedence context)
        {
            if (node is null)
            {
                return;
            }

            if (node is UnaryExpression unary && IsUnwritten(unary))
            {
                Write(unary.Operand, context);
                return;
            }

            var own = PrecedenceOf(node);
            var parenthesise = own < context;
            if (parenthesise)
            {
                text.Append('(');
            }

            WriteNode(node);
            if (parenthesise)
            {
                text.Append(')');
            }
        }

        private static Precedence PrecedenceOf(Expression node) => node.NodeType switch
        {
            ExpressionType.Lambda => Precedence.Lambda,
            ExpressionType.Conditional => Precedence.Conditional,
            ExpressionType.Coalesce => Precedence.Coalesce,
            ExpressionType.OrElse => Precedence.OrElse,
            ExpressionType.AndAlso => Precedence.AndAlso,
            ExpressionType.Or => Precedence.Or,
            ExpressionType.ExclusiveOr => Precedence.Xor,
            ExpressionType.And => Precedence.And,
            ExpressionType.Equal or ExpressionType.NotEqual => Precedence.Equality,
            ExpressionType.LessThan or ExpressionType.LessThanOrEqual or ExpressionType.GreaterThan or ExpressionType.GreaterThanOrEqual
                or ExpressionType.TypeIs or ExpressionType.TypeAs => Precedence.Relational,
            ExpressionType.LeftShift or ExpressionType.RightShift => Precedence.Shift,
            ExpressionType.Add or ExpressionType.AddChecked or ExpressionType.Subtract or ExpressionType.SubtractChecked => Precedence.Additive,
            ExpressionType.Multiply or ExpressionType.MultiplyChecked or ExpressionType.Divide or ExpressionType.Modulo => Precedence.Multiplicative,
            ExpressionType.Negate or ExpressionType.NegateChecked or ExpressionType.UnaryPlus or ExpressionType.Not or ExpressionType.OnesComplement
                or ExpressionType.Convert or ExpressionType.ConvertChecked => Precedence.Unary,
            ExpressionType.Quote => Precedence.Lambda,
            _ => Precedence.Primary,
        };

        private void WriteNode(Expression node)
        {
            switch (node)
            {
                case LambdaExpression lambda:
                    WriteLambda(lambda);
                    break;
                case BinaryExpression binary:
                    WriteBinary(binary);
                    break;
                case UnaryExpression unary:
                    WriteUnary(unary);
                    break;
                case ConstantExpression constant:
                    WriteConstant(constant);
                    break;
                case ParameterExpression parameter:
                    text.Append(parameter.Name ?? "_");
                    break;
                case MemberExpression member:
                    WriteMember(member);
                    break;
                case MethodCallExpression call:
                    WriteCall(call);
                    break;
                case ConditionalExpression conditional:
                    Write(conditional.Test, Precedence.Coalesce);
                    text.Append(" ? ");
                    Write(conditional.IfTrue, Precedence.Conditional);
                    text.Append(" : ");
                    Write(conditional.IfFalse, Precedence.Conditional);
                    break;
                case NewExpression created:
                    WriteNew(created);
                    break;
                case MemberInitExpression init:
                    WriteNew(init.NewExpression, omitEmptyArguments: true);
                    text.Append(" { ");
                    WriteJoined(init.Bindings, WriteBinding);
                    text.Append(" }");
                    break;
                case ListInitExpression list:
                    WriteNew(list.NewExpression, omitEmptyArguments: true);
                    text.Append(" { ");
                    WriteJoined(list.Initializers, WriteElementInit);
                    text.Append(" }");
                    break;
                case NewArrayExpression { NodeType: ExpressionType.NewArrayInit } array:
                    text.Append("new ").Append(Type(array.Type.GetElementType()!)).Append("[] { ");
                    WriteJoined(array.Expressions, e => Write(e, Precedence.Lambda));
                    text.Append(" }");
                    break;
                case NewArrayExpression array:
                    var element = array.Type.GetElementType()!;
                    while (element.IsArray)
                    {
                        element = element.GetElementType()!;
                    }

                    text.Append("new ").Append(Type(element)).Append('[');
                    WriteJoined(array.Expressions, e => Write(e, Precedence.Lowest));
                    text.Append(']');
                    break;
                case TypeBinaryExpression typeIs:
                    Write(typeIs.Expression, Precedence.Shift);
                    text.Append(" is ").Append(Type(typeIs.TypeOperand));
                    break;
                case InvocationExpression invocation:
                    Write(invocation.Expression, Precedence.Primary);
                    text.Append('(');
                    WriteJoined(invocation.Arguments, e => Write(e, Precedence.Lambda));
                    text.Append(')');
                    break;
                case IndexExpression index:
                    Write(index.Object, Precedence.Primary);
                    text.Append('[');
                    WriteJoined(index.Arguments, e => Write(e, Precedence.Lowest));
                    text.Append(']');
                    break;
                case DefaultExpression defaultValue:
                    text.Append("default(").Append(Type(defaultValue.Type)).Append(')');
                    break;
                default:
                    // Statement nodes (blocks, loops) cannot come from a C# lambda; show what .NET shows.
                    text.Append(node);
                    break;
            }
        }

        private void WriteLambda(LambdaExpression lambda)
        {
            if (lambda.Parameters.Count == 1)
            {
                text.Append(lambda.Parameters[0].Name ?? "_");
            }
            else
            {
                text.Append('(');
                WriteJoined(lambda.Parameters, p => text.Append(p.Name ?? "_"));
                text.Append(')');
            }

            text.Append(" => ");
            Write(lambda.Body, Precedence.Lambda);
        }

        private void WriteBinary(BinaryExpression binary)
        {
            if (binary.NodeType == ExpressionType.ArrayIndex)
            {
                Write(binary.Left, Precedence.Primary);
                text.Append('[');
                Write(binary.Right, Precedence.Lowest);
                text.Append(']');
                return;
            }

            if (binary.NodeType == ExpressionType.Power)
            {
                text.Append("Math.Pow(");
                Write(binary.Left, Precedence.Lambda);
                text.Append(", ");
                Write(binary.Right, Precedence.Lambda);
                text.Append(')');
                return;
            }

            var own = PrecedenceOf(binary);
            var symbol = binary.NodeType switch
            {
                ExpressionType.Add or ExpressionType.AddChecked => "+",
                ExpressionType.Subtract or ExpressionType.SubtractChecked => "-",
                ExpressionType.Multiply or ExpressionType.MultiplyChecked => "*",
                ExpressionType.Divide => "/",
                ExpressionType.Modulo => "%",
                ExpressionType.And => "&",
                ExpressionType.Or => "|",
                ExpressionType.ExclusiveOr => "^",
                ExpressionType.AndAlso => "&&",
                ExpressionType.OrElse => "||",
                ExpressionType.Equal => "==",
                ExpressionType.NotEqual => "!=",
                ExpressionType.LessThan => "<",
                ExpressionType.LessThanOrEqual => "<=",
                ExpressionType.GreaterThan => ">",
                ExpressionType.GreaterThanOrEqual => ">=",
                ExpressionType.Coalesce => "??",
                ExpressionType.LeftShift => "<<",
                ExpressionType.RightShift => ">>",
                _ => null,
            };
            if (symbol is null)
            {
                text.Append(binary);
                return;
            }

            // Left-associative, except ??: the right operand of a same-precedence operator needs parentheses.
            var rightAssociative = binary.NodeType == ExpressionType.Coalesce;
            Write(Promoted(binary.Left, binary.Right), rightAssociative ? own + 1 : own);
            text.Append(' ').Append(symbol).Append(' ');
            Write(Promoted(binary.Right, binary.Left), rightAssociative ? own : own + 1);
        }

        /// <summary>
        /// The operand as the reader wrote it when the compiler widened it for the operator: C#
        /// promotes <c>char</c>, <c>byte</c> and <c>short</c> to <c>int</c> on both sides, and one
        /// side to the other's type. A cast that changes the operation (<c>(double)a / b</c>) stays.
        /// </summary>
        private static Expression Promoted(Expression operand, Expression other)
        {
            if (operand is not UnaryExpression { NodeType: ExpressionType.Convert } widened || !IsImplicitNumeric(widened.Operand.Type, widened.Type))
            {
                return operand;
            }

            var otherIsUnconverted = other is not UnaryExpression { NodeType: ExpressionType.Convert or ExpressionType.ConvertChecked };
            var bothSmall = IsSmallIntegral(widened.Operand.Type) && widened.Type == typeof(int) &&
                other is UnaryExpression { NodeType: ExpressionType.Convert, Operand: var inner } && IsSmallIntegral(inner.Type);
            return otherIsUnconverted || bothSmall ? widened.Operand : operand;
        }

        private static bool IsSmallIntegral(Type type) =>
            type == typeof(char) || type == typeof(byte) || type == typeof(sbyte) || type == typeof(short) || type == typeof(ushort);

        private static bool IsImplicitNumeric(Type from, Type to)
        {
            from = Nullable.GetUnderlyingType(from) ?? from;
            to = Nullable.GetUnderlyingType(to) ?? to;
            Type[] targets = System.Type.GetTypeCode(from) switch
            {
                TypeCode.SByte => [typeof(short), typeof(int), typeof(long), typeof(float), typeof(double), typeof(decimal)],
                TypeCode.Byte => [typeof(short), typeof(ushort), typeof(int), typeof(uint), typeof(long), typeof(ulong), typeof(float), typeof(double), typeof(decimal)],
                TypeCode.Int16 => [typeof(int), typeof(long), typeof(float), typeof(double), typeof(decimal)],
                TypeCode.UInt16 or TypeCode.Char => [typeof(int), typeof(uint), typeof(long), typeof(ulong), typeof(float), typeof(double), typeof(decimal)],
                TypeCode.Int32 => [typeof(long), typeof(float), typeof(double), typeof(decimal)],
                TypeCode.UInt32 => [typeof(long), typeof(ulong), typeof(float), typeof(double), typeof(decimal)],
                TypeCode.Int64 or TypeCode.UInt64 => [typeof(float), typeof(double), typeof(decimal)],
                TypeCode.Single => [typeof(double)],
                _ => [],
            };
            return from.IsPrimitive && targets.Contains(to);
        }

        /// <summary>Conversions C# makes implicitly (to a base type or interface, to <c>T?</c>): the reader did not write them.</summary>
        private static bool IsUnwritten(UnaryExpression unary) =>
            unary.NodeType is ExpressionType.Convert or ExpressionType.ConvertChecked &&
            (unary.Type == unary.Operand.Type || (!unary.Type.IsValueType && unary.Type.IsAssignableFrom(unary.Operand.Type)) ||
             Nullable.GetUnderlyingType(unary.Type) == unary.Operand.Type);

        private void WriteUnary(UnaryExpression unary)
        {
            switch (unary.NodeType)
            {
                case ExpressionType.Quote:
                    Write(unary.Operand, Precedence.Lambda);
                    return;
                case ExpressionType.Convert or ExpressionType.ConvertChecked or ExpressionType.Unbox:
                    text.Append('(').Append(Type(unary.Type)).Append(')');
                    Write(unary.Operand, Precedence.Unary);
                    return;
                case ExpressionType.TypeAs:
                    Write(unary.Operand, Precedence.Shift);
                    text.Append(" as ").Append(Type(unary.Type));
                    return;
                case ExpressionType.ArrayLength:
                    Write(unary.Operand, Precedence.Primary);
                    text.Append(".Length");
                    return;
                case ExpressionType.Throw:
                    text.Append("throw ");
                    Write(unary.Operand, Precedence.Lowest);
                    return;
            }

            text.Append(unary.NodeType switch
            {
                ExpressionType.Negate or ExpressionType.NegateChecked => "-",
                ExpressionType.UnaryPlus => "+",
                ExpressionType.Not => unary.Type == typeof(bool) || unary.Type == typeof(bool?) ? "!" : "~",
                ExpressionType.OnesComplement => "~",
                _ => unary.NodeType + " ",
            });
            Write(unary.Operand, Precedence.Unary);
        }

        private void WriteConstant(ConstantExpression constant)
        {
            if (constant.Value is IDStream stream && stream is not DStreams.IInputDStream)
            {
                text.Append(Expression(stream.Expression));
                return;
            }

            text.Append(constant.Value switch
            {
                DStreams.IInputDStream input => input.ToString(),
                { } value when IsCompilerGenerated(value.GetType()) => "closure",
                _ => Literal(constant.Value),
            });
        }

        private void WriteMember(MemberExpression member)
        {
            // A captured variable is a field of a compiler-generated closure: the reader wrote its name.
            if (member.Expression is ConstantExpression { Value: { } closure } && IsCompilerGenerated(closure.GetType()))
            {
                text.Append(member.Member.Name);
                return;
            }

            if (member.Expression is null)
            {
                text.Append(Type(member.Member.DeclaringType!));
            }
            else
            {
                Write(member.Expression, Precedence.Primary);
            }

            text.Append('.').Append(member.Member.Name);
        }

        private void WriteCall(MethodCallExpression call)
        {
            var method = call.Method;
            var arguments = call.Arguments.AsEnumerable();
            if (call.Object is not null)
            {
                // An indexer: get_Item, or string's get_Chars.
                if (method.IsSpecialName && method.Name.StartsWith("get_", StringComparison.Ordinal) && call.Arguments.Count > 0)
                {
                    Write(call.Object, Precedence.Primary);
                    text.Append('[');
                    WriteJoined(call.Arguments, e => Write(e, Precedence.Lowest));
                    text.Append(']');
                    return;
                }

                Write(call.Object, Precedence.Primary);
            }
            else if (method.IsDefined(typeof(ExtensionAttribute), inherit: false) && call.Arguments.Count > 0)
            {
                Write(call.Arguments[0], Precedence.Primary);
                arguments = call.Arguments.Skip(1);
            }
            else
            {
                text.Append(Type(method.DeclaringType!));
            }

            text.Append('.').Append(method.Name);
            if (method.IsGenericMethod && !ArgumentsInferType(method))
            {
                text.Append('<');
                WriteJoined(method.GetGenericArguments(), t => text.Append(Type(t)));
                text.Append('>');
            }

            text.Append('(');
            WriteJoined(WithoutDefaults(method, call.Arguments, arguments.ToList()), e => Write(e, Precedence.Lambda));
            text.Append(')');
        }

        // The compiler fills optional parameters in (Split(',') becomes Split(',', StringSplitOptions.None)); the reader left them out.
        private static List<Expression> WithoutDefaults(MethodInfo method, IReadOnlyList<Expression> all, List<Expression> shown)
        {
            var parameters = method.GetParameters();
            var last = all.Count - 1;
            while (shown.Count > 0 && last >= 0 && last < parameters.Length && parameters[last].HasDefaultValue &&
                   all[last] is ConstantExpression { Value: var value } && Equals(value, parameters[last].DefaultValue is DBNull ? null : Normalise(parameters[last])))
            {
                shown.RemoveAt(shown.Count - 1);
                last--;
            }

            return shown;
        }

        // An enum default is stored as its underlying number.
        private static object? Normalise(ParameterInfo parameter) =>
            parameter.ParameterType.IsEnum && parameter.DefaultValue is not null && parameter.DefaultValue.GetType() != parameter.ParameterType
                ? Enum.ToObject(parameter.ParameterType, parameter.DefaultValue)
                : parameter.DefaultValue;

        // Cast<T>, OfType<T>, Empty<T> name their type; calls whose parameters mention every type argument let C# infer it.
        private static bool ArgumentsInferType(MethodInfo method)
        {
            var definition = method.GetGenericMethodDefinition();
            var mentioned = new HashSet<Type>();
            foreach (var parameter in definition.GetParameters())
            {
                Collect(parameter.ParameterType, mentioned);
            }

            return definition.GetGenericArguments().All(mentioned.Contains);
        }

        private static void Collect(Type type, HashSet<Type> found)
        {
            if (type.IsGenericParameter)
            {
                found.Add(type);
            }
            else if (type.HasElementType)
            {
                Collect(type.GetElementType()!, found);
            }
            else if (type.IsGenericType)
            {
                foreach (var argument in type.GetGenericArguments())
                {
                    Collect(argument, found);
                }
            }
        }

        private void WriteNew(NewExpression created, bool omitEmptyArguments = false)
        {
            if (IsAnonymous(created.Type) && created.Members is { } members)
            {
                text.Append("new { ");
                for (var i = 0; i < created.Arguments.Count; i++)
                {
                    if (i > 0)
                    {
                        text.Append(", ");
                    }

                    // new { x.Word } names its member after the one it reads; write it as the reader did.
                    if (!(created.Arguments[i] is MemberExpression read && read.Member.Name == members[i].Name) &&
                        !(created.Arguments[i] is ParameterExpression parameter && parameter.Name == members[i].Name))
                    {
                        text.Append(members[i].Name).Append(" = ");
                    }

                    Write(created.Arguments[i], Precedence.Lambda);
                }

                text.Append(" }");
                return;
            }

            if (created.Type.IsValueType && created.Constructor is null)
            {
                text.Append("new ").Append(Type(created.Type)).Append("()");
                return;
            }

            if (created.Type.FullName?.StartsWith("System.ValueTuple`", StringComparison.Ordinal) == true && created.Arguments.Count is > 1 and < 8)
            {
                text.Append('(');
                WriteJoined(created.Arguments, e => Write(e, Precedence.Lambda));
                text.Append(')');
                return;
            }

            text.Append("new ").Append(Type(created.Type));
            if (omitEmptyArguments && created.Arguments.Count == 0)
            {
                return;
            }

            text.Append('(');
            WriteJoined(created.Arguments, e => Write(e, Precedence.Lambda));
            text.Append(')');
        }

        private void WriteBinding(MemberBinding binding)
        {
            text.Append(binding.Member.Name).Append(" = ");
            switch (binding)
            {
                case MemberAssignment assignment:
                    Write(assignment.Expression, Precedence.Lambda);
                    break;
                case MemberMemberBinding nested:
                    text.Append("{ ");
                    WriteJoined(nested.Bindings, WriteBinding);
                    text.Append(" }");
                    break;
                case MemberListBinding list:
                    text.Append("{ ");
                    WriteJoined(list.Initializers, WriteElementInit);
                    text.Append(" }");
                    break;
            }
        }

        private void WriteElementInit(ElementInit init)
        {
            if (init.Arguments.Count == 1)
            {
                Write(init.Arguments[0], Precedence.Lambda);
                return;
            }

            text.Append("{ ");
            WriteJoined(init.Arguments, e => Write(e, Precedence.Lambda));
            text.Append(" }");
        }

        private void WriteJoined<T>(IEnumerable<T> items, Action<T> write)
        {
            var first = true;
            foreach (var item in items)
            {
                if (!first)
                {
                    text.Append(", ");
                }

                write(item);
                first = false;
            }
        }
    }
}
