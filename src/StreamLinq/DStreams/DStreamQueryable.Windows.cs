using System.Linq.Expressions;

namespace StreamLinq;

public static partial class DStreamQueryable
{
    /// <summary>
    /// A sliding window over the stream (Spark's <c>window</c>): at every slide, a batch holding the
    /// records of the last <paramref name="length"/> of batches; any query can follow.
    /// </summary>
    /// <typeparam name="TSource">The type of the records.</typeparam>
    /// <param name="source">The stream to window.</param>
    /// <param name="length">How much of the stream each window covers; a positive multiple of the batch interval.</param>
    /// <param name="slide">How often a window is produced; a positive multiple of the batch interval.</param>
    /// <returns>
    /// A stream that has a batch only at batch times <c>T</c> that are multiples of <paramref name="slide"/>
    /// (counted from the clock's epoch), holding the records of the batches in <c>(T - length, T]</c>, in
    /// batch order. At other batch times it has no batch, and the outputs reading it do not run.
    /// </returns>
    /// <remarks>
    /// Across batches. The window keeps the records of the batches it still covers in a state store
    /// that checkpoints write and restore; a replayed batch replaces its own records in the window.
    /// <c>Window(...).GroupBy(k).Select(g =&gt; ...)</c> with Count, Sum and Average of integers
    /// compiles to an incremental windowed aggregation (subtracts the leaving batches, adds the
    /// entering one; int sums run in a long, long sums in an <see cref="Int128"/>, and only the
    /// window's value is checked against the result type's range, so a window fails with an
    /// <see cref="OverflowException"/> exactly when its true sum does not fit); with Min or Max it
    /// keeps a partial aggregate per batch and combines them in batch order (so a floating-point
    /// sum over a window adds the batches' sums, and may differ from LINQ's sum over the window's
    /// records in the last bits, within the bound stated on <see cref="Sum(IDStream{double})"/>), never
    /// re-reading records; <c>Window(...).Count()</c> adds and subtracts per-batch counts. Other queries
    /// run over the window's records at every slide.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="length"/> or <paramref name="slide"/> is not a positive multiple of the batch interval.
    /// </exception>
    public static IDStream<TSource> Window<TSource>(this IDStream<TSource> source, TimeSpan length, TimeSpan slide)
    {
        ArgumentNullException.ThrowIfNull(source);
        CheckWindow(source, length, slide);
        return Create<TSource>(
            source,
            new Func<IDStream<TSource>, TimeSpan, TimeSpan, IDStream<TSource>>(Window),
            Expression.Constant(length),
            Expression.Constant(slide));
    }

    /// <summary>A window of <paramref name="length"/> that slides every batch.</summary>
    /// <typeparam name="TSource">The type of the records.</typeparam>
    /// <param name="source">The stream to window.</param>
    /// <param name="length">How much of the stream each window covers; a positive multiple of the batch interval.</param>
    /// <returns>A stream whose batch at every batch time holds the records of the last <paramref name="length"/>.</returns>
    /// <remarks>As <see cref="Window{TSource}(IDStream{TSource}, TimeSpan, TimeSpan)"/> with the batch interval as slide.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="length"/> is not a positive multiple of the batch interval.</exception>
    public static IDStream<TSource> Window<TSource>(this IDStream<TSource> source, TimeSpan length)
    {
        ArgumentNullException.ThrowIfNull(source);
        return source.Window(length, source.Context.BatchInterval);
    }

    /// <summary>Counts the records of each window (Spark's <c>countByWindow</c>).</summary>
    /// <typeparam name="TSource">The type of the records.</typeparam>
    /// <param name="source">The stream to count.</param>
    /// <param name="length">The window's length; a positive multiple of the batch interval.</param>
    /// <param name="slide">The window's slide; a positive multiple of the batch interval.</param>
    /// <returns>A stream with exactly one record per slide: the number of records in the window, 0 when empty.</returns>
    /// <remarks>
    /// Across batches, incrementally: each batch's count enters the window once and is subtracted
    /// when it leaves, so a slide costs the same whatever the window's length. The state is one count
    /// per batch in the window, checkpointed.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    /// <exception cref="ArgumentException">The length or slide is not a positive multiple of the batch interval.</exception>
    public static IDStream<long> CountByWindow<TSource>(this IDStream<TSource> source, TimeSpan length, TimeSpan slide)
    {
        ArgumentNullException.ThrowIfNull(source);
        return source.Count().ReduceByWindow((a, b) => a + b, (a, b) => a - b, length, slide);
    }

    /// <summary>Combines the records of each window pairwise (Spark's <c>reduceByWindow</c>).</summary>
    /// <typeparam name="TSource">The type of the records.</typeparam>
    /// <param name="source">The stream to reduce.</param>
    /// <param name="func">An associative combination of two values.</param>
    /// <param name="length">The window's length; a positive multiple of the batch interval.</param>
    /// <param name="slide">The window's slide; a positive multiple of the batch interval.</param>
    /// <returns>A stream with one record per slide whose window is not empty: the reduction of its records in order.</returns>
    /// <remarks>
    /// Across batches. Each batch is reduced once when it arrives; the window keeps that partial
    /// per batch (checkpointed) and combines the partials at each slide, never re-reading records.
    /// </remarks>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The length or slide is not a positive multiple of the batch interval.</exception>
    public static IDStream<TSource> ReduceByWindow<TSource>(
        this IDStream<TSource> source,
        Expression<Func<TSource, TSource, TSource>> func,
        TimeSpan length,
        TimeSpan slide)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(func);
        CheckWindow(source, length, slide);
        return Create<TSource>(
            source,
            new Func<IDStream<TSource>, Expression<Func<TSource, TSource, TSource>>, TimeSpan, TimeSpan, IDStream<TSource>>(ReduceByWindow),
            Expression.Quote(func),
            Expression.Constant(length),
            Expression.Constant(slide));
    }

    /// <summary>Combines the records of each window incrementally, with an inverse (Spark's <c>reduceByWindow</c> with <c>invReduceFunc</c>).</summary>
    /// <typeparam name="TSource">The type of the records.</typeparam>
    /// <param name="source">The stream to reduce.</param>
    /// <param name="func">An associative, commutative combination of two values.</param>
    /// <param name="inverseFunc">Removes a value from a combination: <c>inverseFunc(func(a, b), b) == a</c>.</param>
    /// <param name="length">The window's length; a positive multiple of the batch interval.</param>
    /// <param name="slide">The window's slide; a positive multiple of the batch interval.</param>
    /// <returns>A stream with one record per slide whose window is not empty: the reduction of its records.</returns>
    /// <remarks>
    /// Across batches, incrementally: the running value adds each entering batch's partial and
    /// removes each leaving one's, so a slide's cost does not grow with the window's length. The
    /// running value and one partial per batch in the window are checkpointed.
    /// </remarks>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The length or slide is not a positive multiple of the batch interval.</exception>
    public static IDStream<TSource> ReduceByWindow<TSource>(
        this IDStream<TSource> source,
        Expression<Func<TSource, TSource, TSource>> func,
        Expression<Func<TSource, TSource, TSource>> inverseFunc,
        TimeSpan length,
        TimeSpan slide)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(func);
        ArgumentNullException.ThrowIfNull(inverseFunc);
        CheckWindow(source, length, slide);
        return Create<TSource>(
            source,
            new Func<IDStream<TSource>, Expression<Func<TSource, TSource, TSource>>, Expression<Func<TSource, TSource, TSource>>, TimeSpan, TimeSpan, IDStream<TSource>>(ReduceByWindow),
            Expression.Quote(func),
            Expression.Quote(inverseFunc),
            Expression.Constant(length),
            Expression.Constant(slide));
    }

    /// <summary>Combines the values of each key over each window (Spark's <c>reduceByKeyAndWindow</c>).</summary>
    /// <typeparam name="TKey">The type of the keys.</typeparam>
    /// <typeparam name="TValue">The type of the values.</typeparam>
    /// <param name="source">A stream of key/value pairs.</param>
    /// <param name="func">An associative combination of two values of one key.</param>
    /// <param name="length">The window's length; a positive multiple of the batch interval.</param>
    /// <param name="slide">The window's slide; a positive multiple of the batch interval.</param>
    /// <returns>A stream with a batch per slide: one pair per key present in the window, its values combined in order.</returns>
    /// <remarks>
    /// Across batches. Each batch is reduced by key once, when it arrives; the window keeps those
    /// partials per batch (checkpointed) and combines them at each slide, never re-reading records.
    /// In cluster mode each executor first reduces its partition's values per key (map-side
    /// combine), relying on <paramref name="func"/> being associative; values still meet in record order.
    /// </remarks>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The length or slide is not a positive multiple of the batch interval.</exception>
    public static IDStream<KeyValuePair<TKey, TValue>> ReduceByKeyAndWindow<TKey, TValue>(
        this IDStream<KeyValuePair<TKey, TValue>> source,
        Expression<Func<TValue, TValue, TValue>> func,
        TimeSpan length,
        TimeSpan slide)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(func);
        CheckWindow(source, length, slide);
        return Create<KeyValuePair<TKey, TValue>>(
            source,
            new Func<IDStream<KeyValuePair<TKey, TValue>>, Expression<Func<TValue, TValue, TValue>>, TimeSpan, TimeSpan, IDStream<KeyValuePair<TKey, TValue>>>(ReduceByKeyAndWindow),
            Expression.Quote(func),
            Expression.Constant(length),
            Expression.Constant(slide));
    }

    /// <summary>
    /// Combines the values of each key over each window incrementally, with an inverse (Spark's
    /// <c>reduceByKeyAndWindow</c> with <c>invReduceFunc</c> and <c>filterFunc</c>).
    /// </summary>
    /// <typeparam name="TKey">The type of the keys.</typeparam>
    /// <typeparam name="TValue">The type of the values.</typeparam>
    /// <param name="source">A stream of key/value pairs.</param>
    /// <param name="func">An associative, commutative combination of two values of one key.</param>
    /// <param name="inverseFunc">Removes a value from a combination: <c>inverseFunc(func(a, b), b) == a</c>.</param>
    /// <param name="length">The window's length; a positive multiple of the batch interval.</param>
    /// <param name="slide">The window's slide; a positive multiple of the batch interval.</param>
    /// <param name="filter">
    /// Optional: a key whose pair fails it is dropped from the window's state and output (Spark's filterFunc).
    /// Keys with no record left in the window are always dropped.
    /// </param>
    /// <returns>A stream with a batch per slide: one pair per key present in the window (and passing the filter).</returns>
    /// <remarks>
    /// Across batches, incrementally: each batch's per-key partial is added when it enters and
    /// removed with <paramref name="inverseFunc"/> when it leaves, so a slide's cost grows with the
    /// batches' sizes, not with the window's length. The running values, each key's record count
    /// and one partial per batch are kept in state stores that checkpoints write and restore.
    /// In cluster mode each executor first reduces its partition's values per key (map-side
    /// combine), relying on <paramref name="func"/> being associative.
    /// </remarks>
    /// <exception cref="ArgumentNullException">An argument other than <paramref name="filter"/> is null.</exception>
    /// <exception cref="ArgumentException">The length or slide is not a positive multiple of the batch interval.</exception>
    public static IDStream<KeyValuePair<TKey, TValue>> ReduceByKeyAndWindow<TKey, TValue>(
        this IDStream<KeyValuePair<TKey, TValue>> source,
        Expression<Func<TValue, TValue, TValue>> func,
        Expression<Func<TValue, TValue, TValue>> inverseFunc,
        TimeSpan length,
        TimeSpan slide,
        Expression<Func<KeyValuePair<TKey, TValue>, bool>>? filter = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(func);
        ArgumentNullException.ThrowIfNull(inverseFunc);
        CheckWindow(source, length, slide);
        return Create<KeyValuePair<TKey, TValue>>(
            source,
            new Func<IDStream<KeyValuePair<TKey, TValue>>, Expression<Func<TValue, TValue, TValue>>, Expression<Func<TValue, TValue, TValue>>, TimeSpan, TimeSpan, Expression<Func<KeyValuePair<TKey, TValue>, bool>>?, IDStream<KeyValuePair<TKey, TValue>>>(ReduceByKeyAndWindow),
            Expression.Quote(func),
            Expression.Quote(inverseFunc),
            Expression.Constant(length),
            Expression.Constant(slide),
            filter is null ? Expression.Constant(null, typeof(Expression<Func<KeyValuePair<TKey, TValue>, bool>>)) : Expression.Quote(filter));
    }

    /// <summary>
    /// Combines the values of each key over each window, the key and the value read from records of
    /// any type (Spark's <c>map(x =&gt; (k, v)).reduceByKeyAndWindow</c>).
    /// </summary>
    /// <typeparam name="TSource">The type of the records: a record, a class, an anonymous type.</typeparam>
    /// <typeparam name="TKey">The type of the keys.</typeparam>
    /// <typeparam name="TValue">The type of the values.</typeparam>
    /// <param name="source">The stream.</param>
    /// <param name="keySelector">The key of a record.</param>
    /// <param name="valueSelector">The value of a record.</param>
    /// <param name="func">An associative combination of two values of one key.</param>
    /// <param name="length">The window's length; a positive multiple of the batch interval.</param>
    /// <param name="slide">The window's slide; a positive multiple of the batch interval.</param>
    /// <returns>A stream with a batch per slide: one pair per key present in the window, its values combined in order.</returns>
    /// <remarks>
    /// Across batches, as the key/value pair form it is planned as (<c>Select</c> of the pair, then
    /// <c>ReduceByKeyAndWindow(func, length, slide)</c>): one partial per batch and key, checkpointed.
    /// </remarks>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The length or slide is not a positive multiple of the batch interval.</exception>
    public static IDStream<KeyValuePair<TKey, TValue>> ReduceByKeyAndWindow<TSource, TKey, TValue>(
        this IDStream<TSource> source,
        Expression<Func<TSource, TKey>> keySelector,
        Expression<Func<TSource, TValue>> valueSelector,
        Expression<Func<TValue, TValue, TValue>> func,
        TimeSpan length,
        TimeSpan slide)
    {
        ArgumentNullException.ThrowIfNull(source);
        return source.Select(Pair(keySelector, valueSelector)).ReduceByKeyAndWindow(func, length, slide);
    }

    /// <summary>
    /// Combines the values of each key over each window incrementally, with an inverse, the key and
    /// the value read from records of any type.
    /// </summary>
    /// <typeparam name="TSource">The type of the records: a record, a class, an anonymous type.</typeparam>
    /// <typeparam name="TKey">The type of the keys.</typeparam>
    /// <typeparam name="TValue">The type of the values.</typeparam>
    /// <param name="source">The stream.</param>
    /// <param name="keySelector">The key of a record.</param>
    /// <param name="valueSelector">The value of a record.</param>
    /// <param name="func">An associative, commutative combination of two values of one key.</param>
    /// <param name="inverseFunc">Removes a value from a combination: <c>inverseFunc(func(a, b), b) == a</c>.</param>
    /// <param name="length">The window's length; a positive multiple of the batch interval.</param>
    /// <param name="slide">The window's slide; a positive multiple of the batch interval.</param>
    /// <param name="filter">Optional: a key whose pair fails it is dropped from the window's state and output.</param>
    /// <returns>A stream with a batch per slide: one pair per key present in the window (and passing the filter).</returns>
    /// <remarks>
    /// Across batches, incrementally, as the key/value pair form it is planned as (<c>Select</c> of
    /// the pair, then <c>ReduceByKeyAndWindow(func, inverseFunc, length, slide, filter)</c>); its state is checkpointed.
    /// </remarks>
    /// <exception cref="ArgumentNullException">An argument other than <paramref name="filter"/> is null.</exception>
    /// <exception cref="ArgumentException">The length or slide is not a positive multiple of the batch interval.</exception>
    public static IDStream<KeyValuePair<TKey, TValue>> ReduceByKeyAndWindow<TSource, TKey, TValue>(
        this IDStream<TSource> source,
        Expression<Func<TSource, TKey>> keySelector,
        Expression<Func<TSource, TValue>> valueSelector,
        Expression<Func<TValue, TValue, TValue>> func,
        Expression<Func<TValue, TValue, TValue>> inverseFunc,
        TimeSpan length,
        TimeSpan slide,
        Expression<Func<KeyValuePair<TKey, TValue>, bool>>? filter = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        return source.Select(Pair(keySelector, valueSelector)).ReduceByKeyAndWindow(func, inverseFunc, length, slide, filter);
    }

    /// <summary>Counts how often each distinct record occurs in each window (Spark's <c>countByValueAndWindow</c>).</summary>
    /// <typeparam name="TSource">The type of the records.</typeparam>
    /// <param name="source">The stream to count.</param>
    /// <param name="length">The window's length; a positive multiple of the batch interval.</param>
    /// <param name="slide">The window's slide; a positive multiple of the batch interval.</param>
    /// <returns>A stream with a batch per slide: one (value, count) pair per distinct record in the window.</returns>
    /// <remarks>
    /// Across batches, incrementally, as <c>ReduceByKeyAndWindow</c> with an inverse: values whose
    /// count drops to zero leave the state. The state is checkpointed.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    /// <exception cref="ArgumentException">The length or slide is not a positive multiple of the batch interval.</exception>
    public static IDStream<KeyValuePair<TSource, long>> CountByValueAndWindow<TSource>(this IDStream<TSource> source, TimeSpan length, TimeSpan slide)
    {
        ArgumentNullException.ThrowIfNull(source);
        return source
            .Select(x => new KeyValuePair<TSource, long>(x, 1L))
            .ReduceByKeyAndWindow((a, b) => a + b, (a, b) => a - b, length, slide);
    }

    private static void CheckWindow(IDStream source, TimeSpan length, TimeSpan slide)
    {
        var interval = source.Context.BatchInterval;
        if (length <= TimeSpan.Zero || slide <= TimeSpan.Zero || length.Ticks % interval.Ticks != 0 || slide.Ticks % interval.Ticks != 0)
        {
            throw new ArgumentException(
                $"A window's length ({length}) and slide ({slide}) must both be positive multiples of the batch interval ({interval}).",
                length <= TimeSpan.Zero || length.Ticks % interval.Ticks != 0 ? nameof(length) : nameof(slide));
        }
    }
}
