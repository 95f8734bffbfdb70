using System.Numerics;

namespace StreamLinq.Execution;

/// <summary>
/// One aggregate of a <see cref="GroupTable{TKey}"/>: a value per group slot. The compiled loop
/// updates <see cref="AggregateColumn{T}.Values"/> directly; <see cref="Merge"/> combines the
/// partial aggregates of two partitions.
/// </summary>
internal abstract class AggregateColumn
{
    public abstract void Grow(int capacity);

    /// <summary>Folds slot <paramref name="from"/> of <paramref name="other"/> into slot <paramref name="into"/> of this column.</summary>
    /// <param name="into">The slot in this column.</param>
    /// <param name="other">The same aggregate of another partition.</param>
    /// <param name="from">The slot in <paramref name="other"/>.</param>
    /// <param name="isNew">Whether <paramref name="into"/> was just created, so holds no value yet.</param>
    public abstract void Merge(int into, AggregateColumn other, int from, bool isNew);
}

internal abstract class AggregateColumn<T> : AggregateColumn
{
    public T[] Values = new T[16];

    public override void Grow(int capacity)
    {
        if (capacity > Values.Length)
        {
            Array.Resize(ref Values, Math.Max(capacity, Values.Length * 2));
        }
    }
}

/// <summary>A sum or a count: merging adds, with overflow checked as LINQ's Sum does.</summary>
internal sealed class SumColumn<T> : AggregateColumn<T>
    where T : INumber<T>
{
    public override void Merge(int into, AggregateColumn other, int from, bool isNew) =>
        Values[into] = checked(Values[into] + ((SumColumn<T>)other).Values[from]);
}

/// <summary>A minimum, with LINQ's rule for NaN: any NaN makes the minimum NaN.</summary>
internal sealed class MinColumn<T> : AggregateColumn<T>
    where T : INumber<T>
{
    public override void Merge(int into, AggregateColumn other, int from, bool isNew)
    {
        var value = ((MinColumn<T>)other).Values[from];
        if (isNew || value < Values[into] || T.IsNaN(value))
        {
            Values[into] = value;
        }
    }
}

/// <summary>A maximum, with LINQ's rule for NaN: NaN only when every value is NaN.</summary>
internal sealed class MaxColumn<T> : AggregateColumn<T>
    where T : INumber<T>
{
    public override void Merge(int into, AggregateColumn other, int from, bool isNew)
    {
        var value = ((MaxColumn<T>)other).Values[from];
        if (isNew || value > Values[into] || T.IsNaN(Values[into]))
        {
            Values[into] = value;
        }
    }
}
