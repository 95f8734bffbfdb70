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
}
