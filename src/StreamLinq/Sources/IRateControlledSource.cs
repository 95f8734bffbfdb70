namespace StreamLinq.Sources;

/// <summary>
/// A source whose ingestion rate back pressure can set: with <see cref="StreamingOptions.BackPressure"/>
/// on, the context's rate estimator calls <see cref="SetRate"/> after each batch so that batches
/// keep up with the interval. A push source (<see cref="PushSource{T}"/>) honours it already; a
/// pull source honours it by sealing fewer records per batch.
/// </summary>
public interface IRateControlledSource
{
    /// <summary>Sets the records per second the source accepts, capped by its configured maximum.</summary>
    /// <param name="recordsPerSecond">The rate; positive infinity lifts the limit.</param>
    void SetRate(double recordsPerSecond);

    /// <summary>
    /// How long producers were held back by a full buffer since the last call (called once per
    /// completed batch): ingest could not take what was offered, so back pressure bounds the rate
    /// by what the source took per interval and counts the wait as backlog. A pull source keeps
    /// the default, zero.
    /// </summary>
    /// <returns>The time held back since the previous call.</returns>
    TimeSpan TakeBlockedTime() => TimeSpan.Zero;
}
