namespace StreamLinq.Dashboard;

/// <summary>One batch as the page shows it: a table row, a point on each timeline, and its details.</summary>
internal sealed record BatchRow(
    string Time,
    long TimeMs,
    long Records,
    double InputRate,
    double IntervalMs,
    double SchedulingMs,
    double ProcessingMs,
    double TotalMs,
    string? Failure,
    IReadOnlyList<BatchRow.Input> Inputs,
    IReadOnlyList<BatchRow.Output> Outputs)
{
    /// <param name="batch">The completed batch.</param>
    /// <param name="interval">The context's interval, for a batch that does not say which was in force.</param>
    public static BatchRow From(BatchInfo batch, TimeSpan interval)
    {
        var records = batch.RecordCount ?? 0;
        var inForce = batch.Interval > TimeSpan.Zero ? batch.Interval : interval;
        return new BatchRow(
            batch.Time.ToString(),
            batch.Time.Milliseconds,
            records,
            inForce > TimeSpan.Zero ? records / inForce.TotalSeconds : 0,
            inForce.TotalMilliseconds,
            batch.SchedulingDelay?.TotalMilliseconds ?? 0,
            batch.ProcessingDelay?.TotalMilliseconds ?? 0,
            batch.TotalDelay?.TotalMilliseconds ?? 0,
            batch.Failure?.Message,
            [.. (batch.Inputs ?? []).Select(i => new Input(i.Source, i.Records))],
            [.. (batch.Outputs ?? []).Select(o => new Output(o.Output, o.Duration.TotalMilliseconds, o.Failed))]);
    }

    public sealed record Input(string Source, long Records);

    public sealed record Output(string Name, double Ms, bool Failed);
}
