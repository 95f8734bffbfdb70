using System.Linq.Expressions;
using StreamLinq.DStreams;

namespace StreamLinq;

public static partial class DStreamQueryable
{
    /// <summary>
    /// Gives the stream's records an event time and a watermark: the largest event time seen so
    /// far minus <paramref name="maxOutOfOrderness"/>.
    /// </summary>
    /// <typeparam name="TSource">The type of the records.</typeparam>
    /// <param name="source">The stream.</param>
    /// <param name="eventTime">Extracts a record's event time.</param>
    /// <param name="maxOutOfOrderness">How far behind the latest event time a record may arrive and still be on time; not negative.</param>
    /// <returns>The same records, per batch, ready for <see cref="WindowByEventTime"/>.</returns>
    /// <remarks>
    /// Per batch by itself; the watermark is kept by the event-time windows that follow, which
    /// advance it after each batch (never backwards) and checkpoint it with their contents.
    /// </remarks>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxOutOfOrderness"/> is negative.</exception>
    public static IEventTimeDStream<TSource> WithEventTime<TSource>(this IDStream<TSource> source, Expression<Func<TSource, DateTimeOffset>> eventTime, TimeSpan maxOutOfOrderness)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(eventTime);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxOutOfOrderness, TimeSpan.Zero);
        var method = MethodOf(new Func<IDStream<TSource>, Expression<Func<TSource, DateTimeOffset>>, TimeSpan, IEventTimeDStream<TSource>>(WithEventTime));
        return new EventTimeDStream<TSource>(source.Context, Expression.Call(null, method, source.Expression, Expression.Quote(eventTime), Expression.Constant(maxOutOfOrderness)));
    }

    /// <summary>
    /// Groups the records into event-time windows per key, and emits a window's records once the
    /// watermark passes its end.
    /// </summary>
    /// <typeparam name="TSource">The type of the records.</typeparam>
    /// <typeparam name="TKey">The type of the window key.</typeparam>
    /// <param name="source">A stream with event time.</param>
    /// <param name="keySelector">The key windows are kept per (sessions are always per key); a constant for global windows.</param>
    /// <param name="windows">Tumbling, sliding or session windows.</param>
    /// <param name="allowedLateness">
    /// How long after the watermark passes a window's end the window still accepts late records; not negative.
    /// </param>
    /// <param name="mode">Final results only (the default), or a first result and updates.</param>
    /// <returns>
    /// A stream whose batch holds the windows emitted after that batch, ordered by end then start;
    /// any query can follow (<c>Select(w =&gt; new { w.Key, w.Start, N = w.Records.Count })</c>).
    /// </returns>
    /// <remarks>
    /// Across batches. A record is admitted into a window if, when its batch starts, the
    /// watermark has not passed the window's end plus <paramref name="allowedLateness"/>; a record
    /// admitted into none of its windows goes to <see cref="LateData"/>. For sessions the window is
    /// the session the record would join: the one it forms with its key's open sessions and the
    /// batch's other records of that key, merging every session it touches. A record behind the
    /// watermark is therefore admitted whenever that session is still open, and refused only when
    /// the whole session's end plus the lateness is behind the watermark. A session the watermark
    /// closed has been emitted and is forgotten: a later record never reopens it (if not too late
    /// on its own, it starts a new session). The watermark moves after each batch, so the result
    /// does not depend on the order of records within a batch. Open
    /// windows' records and the watermark live in a keyed state store that checkpoints write and
    /// restore; replayed batches are admitted again against the restored watermark.
    /// </remarks>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="allowedLateness"/> is negative.</exception>
    public static IEventTimeWindowedDStream<TKey, TSource> WindowByEventTime<TSource, TKey>(
        this IEventTimeDStream<TSource> source,
        Expression<Func<TSource, TKey>> keySelector,
        EventTimeWindows windows,
        TimeSpan allowedLateness = default,
        WindowOutputMode mode = WindowOutputMode.FinalOnly)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(keySelector);
        ArgumentNullException.ThrowIfNull(windows);
        ArgumentOutOfRangeException.ThrowIfLessThan(allowedLateness, TimeSpan.Zero);
        var method = MethodOf(new Func<IEventTimeDStream<TSource>, Expression<Func<TSource, TKey>>, EventTimeWindows, TimeSpan, WindowOutputMode, IEventTimeWindowedDStream<TKey, TSource>>(WindowByEventTime));
        return new EventTimeWindowedDStream<TKey, TSource>(
            source.Context,
            Expression.Call(null, method, source.Expression, Expression.Quote(keySelector), Expression.Constant(windows), Expression.Constant(allowedLateness), Expression.Constant(mode)));
    }

    /// <summary>The records too late for every event-time window they belong to: never silently dropped.</summary>
    /// <typeparam name="TKey">The type of the window key.</typeparam>
    /// <typeparam name="TSource">The type of the records.</typeparam>
    /// <param name="source">The windows' stream.</param>
    /// <returns>A stream whose batch holds the records of that batch that no window admitted, in arrival order.</returns>
    /// <remarks>Reads the windows' operator; it runs once per batch however many outputs read either stream.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    public static IDStream<TSource> LateData<TKey, TSource>(this IEventTimeWindowedDStream<TKey, TSource> source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return Create<TSource>(source, new Func<IEventTimeWindowedDStream<TKey, TSource>, IDStream<TSource>>(LateData));
    }
}
