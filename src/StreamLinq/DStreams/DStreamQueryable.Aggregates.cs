using System.Linq.Expressions;
using System.Numerics;

namespace StreamLinq;

public static partial class DStreamQueryable
{
    /// <summary>Counts the records of each batch (Spark's <c>count</c>).</summary>
    /// <typeparam name="TSource">The type of the records.</typeparam>
    /// <param name="source">The stream to count.</param>
    /// <returns>A stream with exactly one record per batch, its count; 0 for an empty batch.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    /// <remarks>
    /// Per batch, no state. Compiled, with the Where/Select/SelectMany chain below it, into one
    /// loop that counts: the records are never materialised.
    /// </remarks>
    public static IDStream<long> Count<TSource>(this IDStream<TSource> source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return Create<long>(source, new Func<IDStream<TSource>, IDStream<long>>(Count));
    }

    /// <summary>Folds the records of each batch, from a seed, in order.</summary>
    /// <typeparam name="TSource">The type of the records.</typeparam>
    /// <typeparam name="TAccumulate">The type of the accumulator.</typeparam>
    /// <param name="source">The stream to fold.</param>
    /// <param name="seed">The accumulator's value at the start of every batch.</param>
    /// <param name="func">Adds one record to the accumulator.</param>
    /// <returns>A stream with exactly one record per batch, the fold's result; the seed for an empty batch.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static IDStream<TAccumulate> Aggregate<TSource, TAccumulate>(
        this IDStream<TSource> source,
        TAccumulate seed,
        Expression<Func<TAccumulate, TSource, TAccumulate>> func)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(func);
        return Create<TAccumulate>(
            source,
            new Func<IDStream<TSource>, TAccumulate, Expression<Func<TAccumulate, TSource, TAccumulate>>, IDStream<TAccumulate>>(Aggregate),
            Expression.Constant(seed, typeof(TAccumulate)),
            Expression.Quote(func));
    }

    /// <summary>Combines the records of each batch pairwise (Spark's <c>reduce</c>).</summary>
    /// <typeparam name="TSource">The type of the records.</typeparam>
    /// <param name="source">The stream to reduce.</param>
    /// <param name="func">
    /// Combines two values; applied left to right in record order, so it need not be commutative.
    /// </param>
    /// <returns>A stream with one record per non-empty batch, the reduction; nothing for an empty batch.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static IDStream<TSource> Reduce<TSource>(this IDStream<TSource> source, Expression<Func<TSource, TSource, TSource>> func)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(func);
        return Create<TSource>(source, new Func<IDStream<TSource>, Expression<Func<TSource, TSource, TSource>>, IDStream<TSource>>(Reduce), Expression.Quote(func));
    }

    /// <summary>Sums the records of each batch in one compiled loop, with no delegate call per record.</summary>
    /// <param name="source">The stream to sum.</param>
    /// <returns>A stream with exactly one record per batch, its sum; 0 for an empty batch.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    /// <remarks>Per batch, no state. The sum is kept in a <see cref="long"/>; a batch whose sum does not fit in an <see cref="int"/> fails with an <see cref="OverflowException"/>.</remarks>
    public static IDStream<int> Sum(this IDStream<int> source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return Create<int>(source, new Func<IDStream<int>, IDStream<int>>(Sum));
    }

    /// <summary>Sums a value of each record of each batch, the selector inlined into one compiled loop.</summary>
    /// <typeparam name="TSource">The type of the records.</typeparam>
    /// <param name="source">The stream to sum.</param>
    /// <param name="selector">The value of a record to add.</param>
    /// <returns>A stream with exactly one record per batch, its sum; 0 for an empty batch.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <remarks>Per batch, no state. The sum is kept in a <see cref="long"/>; a batch whose sum does not fit in an <see cref="int"/> fails with an <see cref="OverflowException"/>.</remarks>
    public static IDStream<int> Sum<TSource>(this IDStream<TSource> source, Expression<Func<TSource, int>> selector)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(selector);
        return Create<int>(source, new Func<IDStream<TSource>, Expression<Func<TSource, int>>, IDStream<int>>(Sum), Expression.Quote(selector));
    }

    /// <summary>Sums the records of each batch in one compiled loop, with no delegate call per record.</summary>
    /// <param name="source">The stream to sum.</param>
    /// <returns>A stream with exactly one record per batch, its sum; 0 for an empty batch.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    /// <remarks>Per batch, no state. The sum is kept in an <see cref="Int128"/>, so partitions' partial sums never overflow; a batch whose sum does not fit in a <see cref="long"/> fails with an <see cref="OverflowException"/>, as LINQ's Sum throws.</remarks>
    public static IDStream<long> Sum(this IDStream<long> source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return Create<long>(source, new Func<IDStream<long>, IDStream<long>>(Sum));
    }

    /// <summary>Sums a value of each record of each batch, the selector inlined into one compiled loop.</summary>
    /// <typeparam name="TSource">The type of the records.</typeparam>
    /// <param name="source">The stream to sum.</param>
    /// <param name="selector">The value of a record to add.</param>
    /// <returns>A stream with exactly one record per batch, its sum; 0 for an empty batch.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <remarks>Per batch, no state. The sum is kept in an <see cref="Int128"/>, so partitions' partial sums never overflow; a batch whose sum does not fit in a <see cref="long"/> fails with an <see cref="OverflowException"/>, as LINQ's Sum throws.</remarks>
    public static IDStream<long> Sum<TSource>(this IDStream<TSource> source, Expression<Func<TSource, long>> selector)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(selector);
        return Create<long>(source, new Func<IDStream<TSource>, Expression<Func<TSource, long>>, IDStream<long>>(Sum), Expression.Quote(selector));
    }

    /// <summary>Sums the records of each batch in one compiled loop, with no delegate call per record.</summary>
    /// <param name="source">The stream to sum.</param>
    /// <returns>A stream with exactly one record per batch, its sum; 0 for an empty batch.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    /// <remarks>Per batch, no state. The sum is kept in a <see cref="double"/> and rounded at the end, as LINQ's Sum does. The sum is floating point, with the guarantee stated on <see cref="Sum(IDStream{double})"/>: the same bits whatever the degree of parallelism, LINQ's bits when the batch is one chunk.</remarks>
    public static IDStream<float> Sum(this IDStream<float> source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return Create<float>(source, new Func<IDStream<float>, IDStream<float>>(Sum));
    }

    /// <summary>Sums a value of each record of each batch, the selector inlined into one compiled loop.</summary>
    /// <typeparam name="TSource">The type of the records.</typeparam>
    /// <param name="source">The stream to sum.</param>
    /// <param name="selector">The value of a record to add.</param>
    /// <returns>A stream with exactly one record per batch, its sum; 0 for an empty batch.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <remarks>Per batch, no state. The sum is kept in a <see cref="double"/> and rounded at the end, as LINQ's Sum does. The sum is floating point, with the guarantee stated on <see cref="Sum(IDStream{double})"/>: the same bits whatever the degree of parallelism, LINQ's bits when the batch is one chunk.</remarks>
    public static IDStream<float> Sum<TSource>(this IDStream<TSource> source, Expression<Func<TSource, float>> selector)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(selector);
        return Create<float>(source, new Func<IDStream<TSource>, Expression<Func<TSource, float>>, IDStream<float>>(Sum), Expression.Quote(selector));
    }

    /// <summary>Sums the records of each batch in one compiled loop, with no delegate call per record.</summary>
    /// <param name="source">The stream to sum.</param>
    /// <returns>A stream with exactly one record per batch, its sum; 0 for an empty batch.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    /// <remarks>Per batch, no state. Overflow gives infinity, as in LINQ's Sum. The batch is cut into chunks (at most 16, each of at least <see cref="StreamingOptions.MinPartitionSize"/> records), each chunk is summed in record order and the chunks' sums are added in chunk order. The chunks depend only on the batch's size and <see cref="StreamingOptions.MinPartitionSize"/>, never on the machine's cores or <see cref="StreamingOptions.MaxDegreeOfParallelism"/>, so the same batch (and its replay) gives the same bits everywhere. The result is LINQ's, bit for bit, when the batch is one chunk (fewer than twice <see cref="StreamingOptions.MinPartitionSize"/> records); otherwise it may differ from it in the last bits, and both lie within (n - 1)·2^-53·Σ|x| of the exact sum of the n values, the bound of every order of summation.</remarks>
    public static IDStream<double> Sum(this IDStream<double> source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return Create<double>(source, new Func<IDStream<double>, IDStream<double>>(Sum));
    }

    /// <summary>Sums a value of each record of each batch, the selector inlined into one compiled loop.</summary>
    /// <typeparam name="TSource">The type of the records.</typeparam>
    /// <param name="source">The stream to sum.</param>
    /// <param name="selector">The value of a record to add.</param>
    /// <returns>A stream with exactly one record per batch, its sum; 0 for an empty batch.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <remarks>Per batch, no state. Overflow gives infinity, as in LINQ's Sum. The sum is floating point, with the guarantee stated on <see cref="Sum(IDStream{double})"/>: the same bits whatever the degree of parallelism, LINQ's bits when the batch is one chunk.</remarks>
    public static IDStream<double> Sum<TSource>(this IDStream<TSource> source, Expression<Func<TSource, double>> selector)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(selector);
        return Create<double>(source, new Func<IDStream<TSource>, Expression<Func<TSource, double>>, IDStream<double>>(Sum), Expression.Quote(selector));
    }

    /// <summary>Sums the records of each batch in one compiled loop, with no delegate call per record.</summary>
    /// <param name="source">The stream to sum.</param>
    /// <returns>A stream with exactly one record per batch, its sum; 0 for an empty batch.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    /// <remarks>Per batch, no state. A batch whose sum overflows fails with an <see cref="OverflowException"/>. <see cref="decimal"/> has no wider type to sum in, so the sum is checked at every addition: as with LINQ's running sum, a partial sum (of a partition, or a window's running sum) that leaves the range of <see cref="decimal"/> fails the batch even when the total would fit.</remarks>
    public static IDStream<decimal> Sum(this IDStream<decimal> source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return Create<decimal>(source, new Func<IDStream<decimal>, IDStream<decimal>>(Sum));
    }

    /// <summary>Sums a value of each record of each batch, the selector inlined into one compiled loop.</summary>
    /// <typeparam name="TSource">The type of the records.</typeparam>
    /// <param name="source">The stream to sum.</param>
    /// <param name="selector">The value of a record to add.</param>
    /// <returns>A stream with exactly one record per batch, its sum; 0 for an empty batch.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <remarks>Per batch, no state. A batch whose sum overflows fails with an <see cref="OverflowException"/>. <see cref="decimal"/> has no wider type to sum in, so the sum is checked at every addition: as with LINQ's running sum, a partial sum (of a partition, or a window's running sum) that leaves the range of <see cref="decimal"/> fails the batch even when the total would fit.</remarks>
    public static IDStream<decimal> Sum<TSource>(this IDStream<TSource> source, Expression<Func<TSource, decimal>> selector)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(selector);
        return Create<decimal>(source, new Func<IDStream<TSource>, Expression<Func<TSource, decimal>>, IDStream<decimal>>(Sum), Expression.Quote(selector));
    }

    /// <summary>Averages the records of each batch in one compiled loop (a running sum and count).</summary>
    /// <param name="source">The stream to average.</param>
    /// <returns>A stream with one record per non-empty batch, its mean; nothing for an empty batch.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    /// <remarks>Per batch, no state. Where LINQ's Average throws on an empty sequence, an empty batch simply yields no record.</remarks>
    public static IDStream<double> Average(this IDStream<int> source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return Create<double>(source, new Func<IDStream<int>, IDStream<double>>(Average));
    }

    /// <summary>Averages a value of each record of each batch, the selector inlined into one compiled loop.</summary>
    /// <typeparam name="TSource">The type of the records.</typeparam>
    /// <param name="source">The stream to average.</param>
    /// <param name="selector">The value of a record to average.</param>
    /// <returns>A stream with one record per non-empty batch, its mean; nothing for an empty batch.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <remarks>Per batch, no state. Where LINQ's Average throws on an empty sequence, an empty batch simply yields no record.</remarks>
    public static IDStream<double> Average<TSource>(this IDStream<TSource> source, Expression<Func<TSource, int>> selector)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(selector);
        return Create<double>(source, new Func<IDStream<TSource>, Expression<Func<TSource, int>>, IDStream<double>>(Average), Expression.Quote(selector));
    }

    /// <summary>Averages the records of each batch in one compiled loop (a running sum and count).</summary>
    /// <param name="source">The stream to average.</param>
    /// <returns>A stream with one record per non-empty batch, its mean; nothing for an empty batch.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    /// <remarks>Per batch, no state. Where LINQ's Average throws on an empty sequence, an empty batch simply yields no record. The sum is kept in an <see cref="Int128"/>; a batch whose sum does not fit in a <see cref="long"/> fails with an <see cref="OverflowException"/>, as LINQ's Average throws.</remarks>
    public static IDStream<double> Average(this IDStream<long> source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return Create<double>(source, new Func<IDStream<long>, IDStream<double>>(Average));
    }

    /// <summary>Averages a value of each record of each batch, the selector inlined into one compiled loop.</summary>
    /// <typeparam name="TSource">The type of the records.</typeparam>
    /// <param name="source">The stream to average.</param>
    /// <param name="selector">The value of a record to average.</param>
    /// <returns>A stream with one record per non-empty batch, its mean; nothing for an empty batch.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <remarks>Per batch, no state. Where LINQ's Average throws on an empty sequence, an empty batch simply yields no record. The sum is kept in an <see cref="Int128"/>; a batch whose sum does not fit in a <see cref="long"/> fails with an <see cref="OverflowException"/>, as LINQ's Average throws.</remarks>
    public static IDStream<double> Average<TSource>(this IDStream<TSource> source, Expression<Func<TSource, long>> selector)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(selector);
        return Create<double>(source, new Func<IDStream<TSource>, Expression<Func<TSource, long>>, IDStream<double>>(Average), Expression.Quote(selector));
    }

    /// <summary>Averages the records of each batch in one compiled loop (a running sum and count).</summary>
    /// <param name="source">The stream to average.</param>
    /// <returns>A stream with one record per non-empty batch, its mean; nothing for an empty batch.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    /// <remarks>Per batch, no state. Where LINQ's Average throws on an empty sequence, an empty batch simply yields no record; the mean is the sum divided by the count. The sum is floating point, with the guarantee stated on <see cref="Sum(IDStream{double})"/>: the same bits whatever the degree of parallelism, LINQ's bits when the batch is one chunk.</remarks>
    public static IDStream<float> Average(this IDStream<float> source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return Create<float>(source, new Func<IDStream<float>, IDStream<float>>(Average));
    }

    /// <summary>Averages a value of each record of each batch, the selector inlined into one compiled loop.</summary>
    /// <typeparam name="TSource">The type of the records.</typeparam>
    /// <param name="source">The stream to average.</param>
    /// <param name="selector">The value of a record to average.</param>
    /// <returns>A stream with one record per non-empty batch, its mean; nothing for an empty batch.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <remarks>Per batch, no state. Where LINQ's Average throws on an empty sequence, an empty batch simply yields no record; the mean is the sum divided by the count. The sum is floating point, with the guarantee stated on <see cref="Sum(IDStream{double})"/>: the same bits whatever the degree of parallelism, LINQ's bits when the batch is one chunk.</remarks>
    public static IDStream<float> Average<TSource>(this IDStream<TSource> source, Expression<Func<TSource, float>> selector)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(selector);
        return Create<float>(source, new Func<IDStream<TSource>, Expression<Func<TSource, float>>, IDStream<float>>(Average), Expression.Quote(selector));
    }

    /// <summary>Averages the records of each batch in one compiled loop (a running sum and count).</summary>
    /// <param name="source">The stream to average.</param>
    /// <returns>A stream with one record per non-empty batch, its mean; nothing for an empty batch.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    /// <remarks>Per batch, no state. Where LINQ's Average throws on an empty sequence, an empty batch simply yields no record; the mean is the sum divided by the count. The sum is floating point, with the guarantee stated on <see cref="Sum(IDStream{double})"/>: the same bits whatever the degree of parallelism, LINQ's bits when the batch is one chunk.</remarks>
    public static IDStream<double> Average(this IDStream<double> source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return Create<double>(source, new Func<IDStream<double>, IDStream<double>>(Average));
    }

    /// <summary>Averages a value of each record of each batch, the selector inlined into one compiled loop.</summary>
    /// <typeparam name="TSource">The type of the records.</typeparam>
    /// <param name="source">The stream to average.</param>
    /// <param name="selector">The value of a record to average.</param>
    /// <returns>A stream with one record per non-empty batch, its mean; nothing for an empty batch.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <remarks>Per batch, no state. Where LINQ's Average throws on an empty sequence, an empty batch simply yields no record; the mean is the sum divided by the count. The sum is floating point, with the guarantee stated on <see cref="Sum(IDStream{double})"/>: the same bits whatever the degree of parallelism, LINQ's bits when the batch is one chunk.</remarks>
    public static IDStream<double> Average<TSource>(this IDStream<TSource> source, Expression<Func<TSource, double>> selector)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(selector);
        return Create<double>(source, new Func<IDStream<TSource>, Expression<Func<TSource, double>>, IDStream<double>>(Average), Expression.Quote(selector));
    }

    /// <summary>Averages the records of each batch in one compiled loop (a running sum and count).</summary>
    /// <param name="source">The stream to average.</param>
    /// <returns>A stream with one record per non-empty batch, its mean; nothing for an empty batch.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    /// <remarks>Per batch, no state. Where LINQ's Average throws on an empty sequence, an empty batch simply yields no record.</remarks>
    public static IDStream<decimal> Average(this IDStream<decimal> source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return Create<decimal>(source, new Func<IDStream<decimal>, IDStream<decimal>>(Average));
    }

    /// <summary>Averages a value of each record of each batch, the selector inlined into one compiled loop.</summary>
    /// <typeparam name="TSource">The type of the records.</typeparam>
    /// <param name="source">The stream to average.</param>
    /// <param name="selector">The value of a record to average.</param>
    /// <returns>A stream with one record per non-empty batch, its mean; nothing for an empty batch.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <remarks>Per batch, no state. Where LINQ's Average throws on an empty sequence, an empty batch simply yields no record.</remarks>
    public static IDStream<decimal> Average<TSource>(this IDStream<TSource> source, Expression<Func<TSource, decimal>> selector)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(selector);
        return Create<decimal>(source, new Func<IDStream<TSource>, Expression<Func<TSource, decimal>>, IDStream<decimal>>(Average), Expression.Quote(selector));
    }

    /// <summary>The smallest record of each batch, found in one compiled loop.</summary>
    /// <typeparam name="TSource">The numeric type of the records.</typeparam>
    /// <param name="source">The stream.</param>
    /// <returns>A stream with one record per non-empty batch, its smallest; nothing for an empty batch.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    /// <remarks>Per batch, no state. As in LINQ, a NaN anywhere in the batch makes the minimum NaN. Where LINQ's Min throws on an empty sequence, an empty batch simply yields no record.</remarks>
    public static IDStream<TSource> Min<TSource>(this IDStream<TSource> source)
        where TSource : INumber<TSource>
    {
        ArgumentNullException.ThrowIfNull(source);
        return Create<TSource>(source, new Func<IDStream<TSource>, IDStream<TSource>>(Min));
    }

    /// <summary>The smallest of a value of each record of each batch, the selector inlined into one compiled loop.</summary>
    /// <typeparam name="TSource">The type of the records.</typeparam>
    /// <typeparam name="TResult">The numeric type of the value.</typeparam>
    /// <param name="source">The stream.</param>
    /// <param name="selector">The value of a record to compare.</param>
    /// <returns>A stream with one record per non-empty batch, the smallest value; nothing for an empty batch.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <remarks>Per batch, no state. As in LINQ, a NaN anywhere in the batch makes the minimum NaN. Where LINQ's Min throws on an empty sequence, an empty batch simply yields no record.</remarks>
    public static IDStream<TResult> Min<TSource, TResult>(this IDStream<TSource> source, Expression<Func<TSource, TResult>> selector)
        where TResult : INumber<TResult>
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(selector);
        return Create<TResult>(source, new Func<IDStream<TSource>, Expression<Func<TSource, TResult>>, IDStream<TResult>>(Min), Expression.Quote(selector));
    }

    /// <summary>The largest record of each batch, found in one compiled loop.</summary>
    /// <typeparam name="TSource">The numeric type of the records.</typeparam>
    /// <param name="source">The stream.</param>
    /// <returns>A stream with one record per non-empty batch, its largest; nothing for an empty batch.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    /// <remarks>Per batch, no state. As in LINQ, the maximum is NaN only when every value is NaN. Where LINQ's Max throws on an empty sequence, an empty batch simply yields no record.</remarks>
    public static IDStream<TSource> Max<TSource>(this IDStream<TSource> source)
        where TSource : INumber<TSource>
    {
        ArgumentNullException.ThrowIfNull(source);
        return Create<TSource>(source, new Func<IDStream<TSource>, IDStream<TSource>>(Max));
    }

    /// <summary>The largest of a value of each record of each batch, the selector inlined into one compiled loop.</summary>
    /// <typeparam name="TSource">The type of the records.</typeparam>
    /// <typeparam name="TResult">The numeric type of the value.</typeparam>
    /// <param name="source">The stream.</param>
    /// <param name="selector">The value of a record to compare.</param>
    /// <returns>A stream with one record per non-empty batch, the largest value; nothing for an empty batch.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <remarks>Per batch, no state. As in LINQ, the maximum is NaN only when every value is NaN. Where LINQ's Max throws on an empty sequence, an empty batch simply yields no record.</remarks>
    public static IDStream<TResult> Max<TSource, TResult>(this IDStream<TSource> source, Expression<Func<TSource, TResult>> selector)
        where TResult : INumber<TResult>
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(selector);
        return Create<TResult>(source, new Func<IDStream<TSource>, Expression<Func<TSource, TResult>>, IDStream<TResult>>(Max), Expression.Quote(selector));
    }
}
