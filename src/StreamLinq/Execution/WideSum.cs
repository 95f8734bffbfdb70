using System.Linq.Expressions;

namespace StreamLinq.Execution;

/// <summary>
/// Where sums and averages accumulate: <c>int</c> in <c>long</c>, <c>long</c> in <see cref="Int128"/>,
/// <c>float</c> in <c>double</c> (as LINQ does), others in their own type. No partial, running or
/// intermediate sum of a wider accumulator can overflow (that would take 2^32 records for an
/// <c>int</c>, 2^64 for a <c>long</c>), so the order in which partitions, batches and windows
/// add and subtract does not matter; the range is checked once, on the value emitted, as
/// LINQ's <c>Sum</c> throws when the true sum does not fit. <c>decimal</c> has no wider
/// standard type and stays <c>decimal</c>, checked at every addition.
/// </summary>
internal static class WideSum
{
    /// <summary>The accumulator of a sum or average of <paramref name="valueType"/>.</summary>
    public static Type StorageFor(Type valueType) =>
        valueType == typeof(int) ? typeof(long)
        : valueType == typeof(long) ? typeof(Int128)
        : valueType == typeof(float) ? typeof(double)
        : valueType;

    /// <summary>The exact sum <c>low + carry * 2^64</c> of a <see cref="AddWithCarry"/> accumulation.</summary>
    public static Int128 Join(long low, long carry) => (Int128)low + ((Int128)carry << 64);

    /// <summary>
    /// Adds the <c>long</c> <paramref name="value"/> (a variable) to a sum kept as a wrapping
    /// <c>long</c> <paramref name="low"/> and the count of its wraps <paramref name="carry"/>:
    /// the per-record cost of a checked <c>long</c> add, where an <see cref="Int128"/> add costs
    /// about half as much again in a compiled loop. <see cref="Join"/> gives the exact sum.
    /// </summary>
    public static Expression AddWithCarry(Expression low, Expression carry, ParameterExpression value)
    {
        var sum = Expression.Variable(typeof(long), "sum");
        return Expression.Block(
            [sum],
            Expression.Assign(sum, Expression.Add(low, value)),

            // The add wrapped when the sum's sign differs from both operands'; it wrapped upwards
            // when the value is positive.
            Expression.IfThen(
                Expression.LessThan(Expression.And(Expression.ExclusiveOr(low, sum), Expression.ExclusiveOr(value, sum)), Expression.Constant(0L)),
                Expression.AddAssign(carry, Expression.Or(Expression.RightShift(value, Expression.Constant(63)), Expression.Constant(1L)))),
            Expression.Assign(low, sum));
    }

    /// <summary>
    /// Adds the <c>long</c> <paramref name="value"/> (a variable) to a sum kept in two halves:
    /// <paramref name="low"/> sums the values' low 32 bits (unsigned), <paramref name="high"/>
    /// their high 32 bits (signed). Neither can overflow before 2^32 values, the bound every wide
    /// accumulator here assumes, and the update is two adds with no compare or branch, a third of
    /// <see cref="AddWithCarry"/>'s instructions in a compiled loop. <see cref="JoinHalves"/>
    /// gives the exact sum.
    /// </summary>
    public static Expression AddHalves(ParameterExpression low, ParameterExpression high, ParameterExpression value) =>
        Expression.Block(
            Expression.AddAssign(low, Expression.And(value, Expression.Constant(0xFFFF_FFFFL))),
            Expression.AddAssign(high, Expression.RightShift(value, Expression.Constant(32))));

    /// <summary>The exact sum <c>low + high * 2^32</c> of an <see cref="AddHalves"/> accumulation, <paramref name="low"/> read as unsigned.</summary>
    public static Int128 JoinHalves(long low, long high) => (Int128)(ulong)low + ((Int128)high << 32);

    /// <summary>The accumulator as a <c>long</c>, or an <see cref="OverflowException"/> when the sum does not fit.</summary>
    public static long ToInt64(Int128 sum) => checked((long)sum);

    /// <summary><paramref name="sum"/> converted to <paramref name="type"/>, checked for range unless floating point.</summary>
    public static Expression Narrow(Expression sum, Type type)
    {
        if (sum.Type == type)
        {
            return sum;
        }

        if (sum.Type == typeof(Int128))
        {
            return Narrow(Expression.Call(typeof(WideSum).GetMethod(nameof(ToInt64))!, sum), type);
        }

        return IsFloating(sum.Type) || IsFloating(type) ? Expression.Convert(sum, type) : Expression.ConvertChecked(sum, type);
    }

    /// <summary>The mean of <paramref name="count"/> values summing to <paramref name="sum"/>: <c>decimal</c> for decimals, else <c>double</c>, as LINQ computes it.</summary>
    public static Expression Average(Expression sum, Expression count) =>
        sum.Type == typeof(decimal)
            ? Expression.Divide(sum, Expression.Convert(count, typeof(decimal)))
            : Expression.Divide(Narrow(sum, typeof(double)), Expression.Convert(count, typeof(double)));

    /// <summary>The addition of one value to an accumulator: checked for decimals (the only accumulator that can overflow).</summary>
    public static Expression Add(Expression accumulator, Expression value) =>
        accumulator.Type == typeof(decimal) ? Expression.AddChecked(accumulator, value) : Expression.Add(accumulator, value);

    public static bool IsFloating(Type type) => type == typeof(double) || type == typeof(float) || type == typeof(Half);
}
