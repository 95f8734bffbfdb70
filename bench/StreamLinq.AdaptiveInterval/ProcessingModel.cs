namespace StreamLinq.AdaptiveInterval;

/// <summary>What processing a batch costs: a fixed part per batch (scheduling, a sink's round trip) and a part per record.</summary>
internal sealed record ProcessingModel(TimeSpan PerBatch, TimeSpan PerRecord)
{
    public TimeSpan For(int records) => PerBatch + (PerRecord * records);
}
