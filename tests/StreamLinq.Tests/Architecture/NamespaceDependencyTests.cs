using System.Reflection;
using System.Reflection.Emit;

namespace StreamLinq.Tests.Architecture;

/// <summary>
/// The direction of the dependencies between the engine's namespaces, checked on the compiled
/// StreamLinq assembly: every type (with its nested and compiler-generated types: lambdas,
/// closures, async state machines) and everything it refers to — base type, interfaces, fields,
/// signatures, locals, attributes and every type, method and field its IL names.
/// </summary>
public class NamespaceDependencyTests
{
    /// <summary>
    /// The intended layering, top to bottom. A namespace may refer to its own layer and the
    /// layers below it, never above. The root namespace <c>StreamLinq</c> is the public surface
    /// (the context, options, batch times, exceptions): everything may use it and it may use
    /// everything, so it is not in the table.
    /// </summary>
    private static readonly string[][] Layers =
    [
        // Runs batches and writes checkpoints: the driver; and cluster mode's cut of the plan into driver, executor and reducer work.
        ["StreamLinq.Scheduling", "StreamLinq.Checkpointing", "StreamLinq.Distributed"],

        // The public operators, which build expression trees and ask the planner to explain them.
        ["StreamLinq.DStreams"],

        // Plans: expression tree -> logical plan -> physical plan, and how plans are shown.
        ["StreamLinq.Query", "StreamLinq.Query.Logical"],

        // Runs a physical plan: nodes, their state, what they read and where results go.
        ["StreamLinq.Execution", "StreamLinq.State", "StreamLinq.State.Codecs", "StreamLinq.Sources", "StreamLinq.Sinks", "StreamLinq.Monitoring"],
    ];

    /// <summary>
    /// Upward references the design accepts, each with its reason. The planner recognises the
    /// operators by their methods and the input streams by their type: the trees it reads are
    /// made of <c>DStreams</c>' vocabulary.
    /// </summary>
    private static readonly (string From, string To, string Why)[] Allowed =
    [
        ("StreamLinq.Query", "StreamLinq.DStreams", "the planner recognises DStreamQueryable's operator methods and input streams in the trees it reads"),
        ("StreamLinq.Sources", "StreamLinq.Checkpointing", "receivers' write-ahead logs live in the checkpoint directory and are created owner-only as checkpoints are (OwnerOnlyFiles)"),
    ];

    private static readonly Assembly Engine = typeof(StreamingContext).Assembly;

    [Fact]
    public void Execution_refers_to_no_type_of_Query()
    {
        var graph = Dependencies();
        var offending = graph
            .Where(d => d.From.StartsWith("StreamLinq.Execution", StringComparison.Ordinal) && d.To.StartsWith("StreamLinq.Query", StringComparison.Ordinal))
            .Select(d => $"{d.FromType} -> {d.ToType}")
            .ToList();
        Assert.True(offending.Count == 0, "Execution refers to Query:\n" + string.Join("\n", offending));
    }

    [Fact]
    public void Every_namespace_refers_only_to_its_own_layer_and_the_layers_below()
    {
        var layerOf = Layers.SelectMany((names, layer) => names.Select(name => (name, layer))).ToDictionary(p => p.name, p => p.layer);
        var graph = Dependencies();
        var unknown = graph.SelectMany(d => new[] { d.From, d.To }).Where(ns => ns != "StreamLinq" && !layerOf.ContainsKey(ns)).Distinct().ToList();
        Assert.True(unknown.Count == 0, "Namespaces missing from the layering table: " + string.Join(", ", unknown));
        var gone = layerOf.Keys.Where(ns => !Engine.GetTypes().Any(t => t.Namespace == ns)).ToList();
        Assert.True(gone.Count == 0, "Namespaces in the layering table that the assembly no longer has: " + string.Join(", ", gone));

        var upward = graph
            .Where(d => d.From != "StreamLinq" && d.To != "StreamLinq")
            .Where(d => layerOf[d.To] < layerOf[d.From])
            .Where(d => !Allowed.Any(a => a.From == d.From && a.To == d.To))
            .Select(d => $"{d.From} -> {d.To} ({d.FromType} uses {d.ToType})")
            .ToList();
        Assert.True(upward.Count == 0, "References against the layering:\n" + string.Join("\n", upward));
    }

    [Fact]
    public void Every_accepted_upward_reference_is_still_made()
    {
        // An exception nobody needs any more would let the reference come back unnoticed.
        var graph = Dependencies();
        var unused = Allowed.Where(a => !graph.Any(d => d.From == a.From && d.To == a.To)).Select(a => $"{a.From} -> {a.To}").ToList();
        Assert.True(unused.Count == 0, "Accepted upward references no longer made (remove them from the table): " + string.Join(", ", unused));
    }

    [Fact]
    public void The_check_sees_references_made_only_in_method_bodies_and_lambdas()
    {
        // A check that missed IL would pass on anything: these references exist only in code.
        var graph = Dependencies();
        Assert.Contains(graph, d => d.FromType == "StreamLinq.Query.PlanBuilder" && d.To == "StreamLinq.Query.Logical");
        Assert.Contains(graph, d => d.From == "StreamLinq.Scheduling" && d.To == "StreamLinq.Execution");
        Assert.Contains(graph, d => d.From == "StreamLinq.Query" && d.ToType == "StreamLinq.Execution.FusedStage`2");
    }

    private sealed record Dependency(string From, string To, string FromType, string ToType);

    private static List<Dependency> Dependencies()
    {
        var found = new HashSet<Dependency>();
        foreach (var type in Engine.GetTypes())
        {
            var from = Outermost(type);
            if (from.Namespace is not { } fromNamespace || !fromNamespace.StartsWith("StreamLinq", StringComparison.Ordinal))
            {
                continue;
            }

            foreach (var used in ReferencedTypes(type).SelectMany(Flatten).Where(t => t.Assembly == Engine))
            {
                var to = Outermost(used);
                if (to.Namespace is { } toNamespace && toNamespace != fromNamespace)
                {
                    found.Add(new Dependency(fromNamespace, toNamespace, from.FullName!, to.FullName!));
                }
            }
        }

        return [.. found];
    }

    private static Type Outermost(Type type)
    {
        while (type.DeclaringType is { } outer)
        {
            type = outer;
        }

        return type.IsGenericType ? type.GetGenericTypeDefinition() : type;
    }

    /// <summary>A type with its element types and generic arguments.</summary>
    private static IEnumerable<Type> Flatten(Type? type)
    {
        if (type is null || type.IsGenericParameter)
        {
            yield break;
        }

        if (type.HasElementType)
        {
            foreach (var inner in Flatten(type.GetElementType()))
            {
                yield return inner;
            }

            yield break;
        }

        yield return type.IsGenericType ? type.GetGenericTypeDefinition() : type;
        if (type.IsGenericType)
        {
            foreach (var argument in type.GetGenericArguments().SelectMany(Flatten))
            {
                yield return argument;
            }
        }
    }

    private const BindingFlags Declared = BindingFlags.DeclaredOnly | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static;

    private static IEnumerable<Type?> ReferencedTypes(Type type)
    {
        yield return type.BaseType;
        foreach (var i in type.GetInterfaces())
        {
            yield return i;
        }

        foreach (var attribute in Attributes(type.GetCustomAttributesData()))
        {
            yield return attribute;
        }

        foreach (var field in type.GetFields(Declared))
        {
            yield return field.FieldType;
            foreach (var attribute in Attributes(field.GetCustomAttributesData()))
            {
                yield return attribute;
            }
        }

        foreach (var property in type.GetProperties(Declared))
        {
            yield return property.PropertyType;
        }

        foreach (var method in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
        {
            foreach (var used in MethodTypes(method))
            {
                yield return used;
            }
        }
    }

    private static IEnumerable<Type?> MethodTypes(MethodBase method)
    {
        if (method is MethodInfo info)
        {
            yield return info.ReturnType;
        }

        foreach (var parameter in method.GetParameters())
        {
            yield return parameter.ParameterType;
        }

        foreach (var attribute in Attributes(method.GetCustomAttributesData()))
        {
            yield return attribute;
        }

        if (method.GetMethodBody() is not { } body)
        {
            yield break;
        }

        foreach (var local in body.LocalVariables)
        {
            yield return local.LocalType;
        }

        foreach (var member in Operands(method, body.GetILAsByteArray() ?? []))
        {
            switch (member)
            {
                case Type t:
                    yield return t;
                    break;
                case FieldInfo f:
                    yield return f.DeclaringType;
                    yield return f.FieldType;
                    break;
                case MethodBase m:
                    yield return m.DeclaringType;
                    if (m is MethodInfo mi)
                    {
                        yield return mi.ReturnType;
                        foreach (var argument in mi.IsGenericMethod ? mi.GetGenericArguments() : [])
                        {
                            yield return argument;
                        }
                    }

                    foreach (var parameter in m.GetParameters())
                    {
                        yield return parameter.ParameterType;
                    }

                    break;
            }
        }
    }

    private static IEnumerable<Type?> Attributes(IEnumerable<CustomAttributeData> attributes) =>
        attributes.SelectMany(a => a.ConstructorArguments.Select(c => c.Value as Type).Prepend(a.AttributeType));

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    /// <summary>The types, methods and fields the IL of <paramref name="method"/> names.</summary>
    private static IEnumerable<MemberInfo> Operands(MethodBase method, byte[] il)
    {
        var typeArguments = method.DeclaringType is { IsGenericType: true } declaring ? declaring.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        var i = 0;
        while (i < il.Length)
        {
            var code = il[i] == 0xFE ? OpCodesByValue[(short)(0xFE00 | il[i + 1])] : OpCodesByValue[il[i]];
            i += code.Size;
            switch (code.OperandType)
            {
                case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineTok or OperandType.InlineType:
                    yield return method.Module.ResolveMember(BitConverter.ToInt32(il, i), typeArguments, methodArguments)!;
                    i += 4;
                    break;
                case OperandType.InlineSwitch:
                    i += 4 + (4 * BitConverter.ToInt32(il, i));
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    i += 8;
                    break;
                case OperandType.InlineVar:
                    i += 2;
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    i += 1;
                    break;
                case OperandType.InlineNone:
                    break;
                default:
                    i += 4;
                    break;
            }
        }
    }
}
