namespace StreamLinq.Sources;

/// <summary>A source whose ingestion rate back pressure can set (a receiver-based push source).</summary>
internal interface IRateControlledSource
{
    /// <summary>Sets the records per second the source accepts, capped by its configured maximum.</summary>
    void SetRate(double recordsPerSecond);
}
