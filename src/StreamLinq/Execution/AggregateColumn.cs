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

    /// <summary>Empties the first <paramref name="count"/> slots for a table that starts again (<see cref="GroupTable{TKey}.Reset"/>): a slot's aggregate starts from zero.</summary>
    public abstract void Clear(int count);

    /// <summary>Folds slot <paramref name="from"/> of <paramref name="other"/> into slot <paramref name="into"/> of this column.</summary>
    /// <param name="into">The slot in this column.</param>
    /// <param name="other">The same aggregate of another partition.</param>
    /// <param name="from">The slot in <paramref name="other"/>.</param>
    /// <param name="isNew">Whether <paramref name="into"/> was just created, so holds no value yet.</param>
    public abstract void Merge(int into, AggregateColumn other, int from, bool isNew);

    /// <summary>
    /// Folds what the compiled loop accumulated outside <see cref="AggregateColumn{T}.Values"/>
    /// into it, for the first <paramref name="count"/> slots; called once per table, after its loop.
    /// </summary>
    public virtual void Seal(int count)
    {
    }

    /// <summary>The <c>T</c> of the <see cref="AggregateColumn{T}"/> that <paramref name="columnType"/> is.</summary>
    public static Type StorageOf(Type columnType)
    {
        for (var type = columnType; type is not null; type = type.BaseType)
        {
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(AggregateColumn<>))
            {
                return type.GetGenericArguments()[0];
            }
        }

        throw new ArgumentException($"{columnType} is not an aggregate column.", nameof(columnType));
    }

    /// <summary>Whether <paramref name="columnType"/> is a <see cref="SumColumn{T}"/> (a sum or a count).</summary>
    public static bool IsSum(Type columnType)
    {
        for (var type = columnType; type is not null; type = type.BaseType)
        {
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(SumColumn<>))
            {
                return true;
            }
        }

        return false;
    }
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

    public override void Clear(int count) => Array.Clear(Values, 0, count);
}

/// <summary>
/// A sum or a count: merging adds, checked. Sums are kept wider than their values
/// (<see cref="WideSum"/>), so only a decimal sum can overflow here.
/// </summary>
internal class SumColumn<T> : AggregateColumn<T>
    where T : INumber<T>
{
    public override void Merge(int into, AggregateColumn other, int from, bool isNew) =>
        Values[into] = checked(Values[into] + ((SumColumn<T>)other).Values[from]);
}

/// <summary>
/// A sum of <c>long</c> values, exact in <see cref="Int128"/> <see cref="AggregateColumn{T}.Values"/>.
/// The compiled loop adds into a wrapping <c>long</c> (<see cref="Low"/>) and counts its wraps
/// (<see cref="Carry"/>), which costs what a checked <c>long</c> add does; <see cref="Seal"/>
/// folds both into the values, which merges, windows and checkpoints then use.
/// </summary>
internal sealed class WideSumColumn : SumColumn<Int128>
{
    public long[] Low = new long[16];

    public long[] Carry = new long[16];

    public override void Grow(int capacity)
    {
        base.Grow(capacity);
        if (Values.Length > Low.Length)
        {
            Array.Resize(ref Low, Values.Length);
            Array.Resize(ref Carry, Values.Length);
        }
    }

    public override void Seal(int count)
    {
        for (var slot = 0; slot < count; slot++)
        {
            Values[slot] = checked(Values[slot] + WideSum.Join(Low[slot], Carry[slot]));
            Low[slot] = 0;
            Carry[slot] = 0;
        }
    }
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
