using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace StreamLinq.Analyzers.Support;

/// <summary>
/// Recognises an update applied once per batch time:
/// <c>if (mark is null || time &gt; mark) { total += n; mark = time; }</c>, where <c>time</c> is the
/// sink's <c>BatchTime</c> parameter and <c>mark</c> outlives the call. Batches reach a sink in time
/// order and a replay repeats a batch already seen, so the guarded update runs once per batch.
/// </summary>
/// <remarks>
/// Only for state in memory (SLQ0001): the mark dies with the counter it guards. A mark in memory
/// guarding a file, a table or a message does not survive the crash that causes the replay.
/// </remarks>
internal static class BatchTimeGuard
{
    public static bool IsGuarded(IOperation operation, SinkBody sink, INamedTypeSymbol? batchTime)
    {
        if (batchTime is null)
        {
            return false;
        }

        for (var child = operation; child.Parent is { } parent && child != sink.Body; child = parent)
        {
            if (parent is IConditionalOperation conditional && child == conditional.WhenTrue &&
                Mark(conditional.Condition, batchTime) is var (mark, time) &&
                Storage.OutlivesCall(mark, sink) && Storage.RootStorage(mark) is { } markStorage &&
                conditional.WhenTrue.Descendants().Any(o =>
                    o is ISimpleAssignmentOperation assignment &&
                    SymbolEqualityComparer.Default.Equals(Storage.RootStorage(assignment.Target), markStorage) &&
                    OutputOperations.Unwrap(assignment.Value) is IParameterReferenceOperation value &&
                    SymbolEqualityComparer.Default.Equals(value.Parameter, time)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The mark and the time parameter of <c>time &gt; mark</c> (or <c>mark &lt; time</c>), alone or
    /// after <c>mark is null ||</c>; null for any other condition.
    /// </summary>
    private static (IOperation Mark, IParameterSymbol Time)? Mark(IOperation condition, INamedTypeSymbol batchTime)
    {
        condition = OutputOperations.Unwrap(condition);
        if (condition is IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalOr } or)
        {
            var left = Mark(or.LeftOperand, batchTime);
            var right = Mark(or.RightOperand, batchTime);
            return left is { } l && IsNullTest(or.RightOperand, l.Mark) ? l
                : right is { } r && IsNullTest(or.LeftOperand, r.Mark) ? r
                : null;
        }

        if (condition is not IBinaryOperation { OperatorKind: BinaryOperatorKind.GreaterThan or BinaryOperatorKind.LessThan } comparison)
        {
            return null;
        }

        var (later, earlier) = comparison.OperatorKind == BinaryOperatorKind.GreaterThan
            ? (comparison.LeftOperand, comparison.RightOperand)
            : (comparison.RightOperand, comparison.LeftOperand);
        return OutputOperations.Unwrap(later) is IParameterReferenceOperation time &&
               SymbolEqualityComparer.Default.Equals(time.Parameter.Type, batchTime) &&
               Storage.RootStorage(OutputOperations.Unwrap(earlier)) is not null
            ? (OutputOperations.Unwrap(earlier), time.Parameter)
            : null;
    }

    private static bool IsNullTest(IOperation operation, IOperation mark)
    {
        var storage = Storage.RootStorage(mark);
        var tested = OutputOperations.Unwrap(operation) switch
        {
            IIsPatternOperation { Pattern: IConstantPatternOperation { Value.ConstantValue: { HasValue: true, Value: null } } } pattern => pattern.Value,
            IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals, RightOperand.ConstantValue: { HasValue: true, Value: null } } equals => equals.LeftOperand,
            _ => null,
        };
        return tested is not null && SymbolEqualityComparer.Default.Equals(Storage.RootStorage(OutputOperations.Unwrap(tested)), storage);
    }
}
