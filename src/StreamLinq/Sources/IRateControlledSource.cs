namespace StreamLinq.Sources;

/// <summary>A source whose ingestion rate back pressure can set (a receiver-based push source).</summary>
internal interface IRateControlledSource
{
    /// <summary>Sets the records per second the source accepts, capped by its configured maximum.</summary>
    void SetRate(double recordsPerSecond);

    /// <summary>
    /// How long producers were held back by a full buffer since the last call: ingest could not
    /// take what was offered, which back pressure counts as backlog.
    /// </summary>
    TimeSpan TakeBlockedTime() => TimeSpan.Zero;
}
