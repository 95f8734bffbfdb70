namespace StreamLinq;

/// <summary>A stream whose records carry an event time and a watermark policy (<see cref="DStreamQueryable.WithEventTime"/>).</summary>
/// <typeparam name="T">The type of the records.</typeparam>
public interface IEventTimeDStream<out T> : IDStream<T>
{
}

/// <summary>
/// The results of event-time windows (<see cref="DStreamQueryable.WindowByEventTime"/>); the records
/// too late for every window they belong to are a stream of their own (<see cref="DStreamQueryable.LateData"/>).
/// </summary>
/// <typeparam name="TKey">The type of the window key.</typeparam>
/// <typeparam name="T">The type of the records.</typeparam>
public interface IEventTimeWindowedDStream<TKey, T> : IDStream<EventTimeWindow<TKey, T>>
{
}
