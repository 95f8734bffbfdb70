using System;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using StreamLinq.Analyzers.Support;

namespace StreamLinq.Analyzers.Rules;

/// <summary>
/// SLQ0001: <c>++</c>, <c>--</c>, a compound assignment or an <c>Interlocked</c> increment in a
/// sink, on state that outlives the call. A replayed batch counts twice.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class CounterUpdateInSinkAnalyzer : SinkEffectAnalyzer
{
    internal static readonly DiagnosticDescriptor Rule = Descriptors.CounterUpdateInSink;

    internal static readonly DiagnosticDescriptor NoCheckpointRule = Descriptors.CounterUpdateWithoutCheckpoint;

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule, NoCheckpointRule);

    internal override Action<IOperation, SinkBody, Action<Diagnostic>>? CreateEffectCheck(Compilation compilation)
    {
        var interlocked = compilation.GetTypeByMetadataName("System.Threading.Interlocked");
        var math = compilation.GetTypeByMetadataName("System.Math");
        var batchTime = compilation.GetTypeByMetadataName("StreamLinq.BatchTime");
        var origins = new StreamOrigins(compilation);
        return (operation, sink, report) =>
        {
            var target = operation switch
            {
                IIncrementOrDecrementOperation step => step.Target,
                ICompoundAssignmentOperation compound when !IsIdempotentCompound(compound) => compound.Target,
                IInvocationOperation call when IsInterlockedUpdate(call, interlocked) => call.Arguments[0].Value,
                IInvocationOperation call when IsRelativeAddOrUpdate(call, math, sink.Context) => call.Instance ?? call.Arguments[0].Value,
                ISimpleAssignmentOperation assignment when IsSelfUpdate(assignment, math) => assignment.Target,
                _ => null,
            };

            if (target is not null && Storage.OutlivesCall(target, sink) &&
                !(Storage.RootStorage(target) is { } storage && Storage.IsResetInCall(storage, sink)) &&
                !BatchTimeGuard.IsGuarded(operation, sink, batchTime))
            {
                var rule = IsCapturedFromUncheckpointedContext(target, sink, origins) ? NoCheckpointRule : Rule;
                report(Diagnostic.Create(rule, operation.Syntax.GetLocation(), Show(operation), sink.OperationName, Show(target)));
            }
        };
    }

    /// <summary>
    /// Whether <paramref name="target"/> is a local captured from the function that creates, with
    /// <c>new StreamingContext(...)</c>, every context the sink's stream comes from, and that function
    /// does not hand the context out (return it, as a <c>GetOrCreate</c> factory does): the local and
    /// the uncheckpointed context then live and die together.
    /// </summary>
    private static bool IsCapturedFromUncheckpointedContext(IOperation target, SinkBody sink, StreamOrigins origins)
    {
        if (Storage.RootStorage(target) is not ILocalSymbol local || sink.Output is null ||
            local.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax() is not { } declaration ||
            StreamOrigins.OutputStream(sink.Output) is not { } stream || origins.Sources(stream) is not { Count: > 0 } sources)
        {
            return false;
        }

        var function = StreamOrigins.Function(declaration);
        return function is not null && sources.All(source => origins.UncheckpointedContextScope(source) == function);
    }

    /// <summary>
    /// <c>total = total + n</c>, <c>list = list.Add(x)</c>: a compound assignment spelled out.
    /// <c>Math.Max</c> and <c>Math.Min</c> of the old value are idempotent and pass.
    /// </summary>
    private static bool IsSelfUpdate(ISimpleAssignmentOperation assignment, INamedTypeSymbol? math)
    {
        if (IsIdempotentCombination(assignment.Target, assignment.Value))
        {
            return false;
        }

        if (assignment.Target is IArrayElementReferenceOperation or IPropertyReferenceOperation { Arguments.Length: > 0 })
        {
            return ReadsSameElement(assignment);
        }

        var isMinOrMax = assignment.Value is IInvocationOperation { TargetMethod.Name: "Max" or "Min" } call &&
            SymbolEqualityComparer.Default.Equals(call.TargetMethod.ContainingType, math);
        return Storage.RootStorage(assignment.Target) is { } storage && Storage.Reads(assignment.Value, storage) && !isMinOrMax;
    }

    /// <summary>
    /// <c>flags |= Flag</c>, <c>done &amp;= ok</c>: setting or clearing bits that do not depend on
    /// the target gives the same result when applied twice.
    /// </summary>
    private static bool IsIdempotentCompound(ICompoundAssignmentOperation compound) =>
        compound.OperatorKind is BinaryOperatorKind.Or or BinaryOperatorKind.And &&
        !(Storage.RootStorage(compound.Target) is { } storage && Storage.Reads(compound.Value, storage));

    /// <summary>
    /// <c>x = x | flag</c>, <c>ok = ok &amp;&amp; valid</c>, <c>name = name ?? fallback</c>: the compound
    /// assignments above, and <c>??=</c>, spelled out; the other operand must not read the target.
    /// </summary>
    private static bool IsIdempotentCombination(IOperation target, IOperation value)
    {
        if (Storage.RootStorage(target) is not { } storage)
        {
            return false;
        }

        bool IsTarget(IOperation operand) =>
            OutputOperations.Unwrap(operand) is var read && read.Kind == target.Kind &&
            SymbolEqualityComparer.Default.Equals(Storage.RootStorage(read), storage) &&
            read.Syntax.IsEquivalentTo(target.Syntax, topLevel: false);

        return OutputOperations.Unwrap(value) switch
        {
            IBinaryOperation { OperatorKind: BinaryOperatorKind.Or or BinaryOperatorKind.And or BinaryOperatorKind.ConditionalOr or BinaryOperatorKind.ConditionalAnd } binary =>
                (IsTarget(binary.LeftOperand) && !Storage.Reads(binary.RightOperand, storage)) ||
                (IsTarget(binary.RightOperand) && !Storage.Reads(binary.LeftOperand, storage)),
            ICoalesceOperation coalesce => IsTarget(coalesce.Value) && !Storage.Reads(coalesce.WhenNull, storage),
            _ => false,
        };
    }

    /// <summary>
    /// <c>counts[w] = counts[w] + 1</c>, <c>counts[w] = counts.GetValueOrDefault(w) + 1</c>: the
    /// value is read from the collection it is written to.
    /// </summary>
    private static bool ReadsSameElement(ISimpleAssignmentOperation assignment) =>
        Storage.RootStorage(assignment.Target) is { } storage && Storage.Reads(assignment.Value, storage);

    /// <summary>
    /// <c>AddOrUpdate(key, add, (k, old) =&gt; old + n)</c> (ConcurrentDictionary, ImmutableInterlocked):
    /// the update factory computes from the stored value. One that ignores it, or keeps its
    /// <c>Math.Max</c>/<c>Math.Min</c>, writes the same on replay and passes.
    /// </summary>
    private static bool IsRelativeAddOrUpdate(IInvocationOperation call, INamedTypeSymbol? math, SinkContext context)
    {
        if (call.TargetMethod.Name != "AddOrUpdate")
        {
            return false;
        }

        foreach (var argument in call.Arguments)
        {
            if (OutputOperations.Unwrap(argument.Value) is IDelegateCreationOperation { Target: IAnonymousFunctionOperation { Symbol.Parameters.Length: >= 2 } factory })
            {
                var old = factory.Symbol.Parameters[1];
                var returned = factory.Body.Descendants().OfType<IReturnOperation>().Select(r => r.ReturnedValue).ToList();
                var keepsExtreme = returned.Count > 0 && returned.All(v =>
                    OutputOperations.Unwrap(v!) is IInvocationOperation { TargetMethod.Name: "Max" or "Min" } extreme &&
                    SymbolEqualityComparer.Default.Equals(extreme.TargetMethod.ContainingType, math));
                if (!keepsExtreme && factory.Body.Descendants().OfType<IParameterReferenceOperation>()
                        .Any(p => SymbolEqualityComparer.Default.Equals(p.Parameter, old)))
                {
                    return true;
                }
            }
            else if (OutputOperations.Unwrap(argument.Value) is IDelegateCreationOperation { Target: IMethodReferenceOperation { Method: { Parameters.Length: >= 2 } method } } &&
                     OutputOperations.SourceBody(method.OriginalDefinition, context) is { } body &&
                     body.Descendants().OfType<IParameterReferenceOperation>().Any(p => SymbolEqualityComparer.Default.Equals(p.Parameter, method.OriginalDefinition.Parameters[1])))
            {
                // AddOrUpdate(key, 1, Increment) with static int Increment(string key, int old) => old + 1.
                return true;
            }
        }

        return false;
    }

    private static bool IsInterlockedUpdate(IInvocationOperation call, INamedTypeSymbol? interlocked) =>
        interlocked is not null &&
        SymbolEqualityComparer.Default.Equals(call.TargetMethod.ContainingType, interlocked) &&
        call.TargetMethod.Name is "Increment" or "Decrement" or "Add" &&
        call.Arguments.Length > 0;
}
