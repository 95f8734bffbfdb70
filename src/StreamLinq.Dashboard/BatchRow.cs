namespace StreamLinq.Dashboard;

/// <summary>One batch as the page shows it: a table row, a point on each timeline, and its details.</summary>
internal sealed record BatchRow(
    string Time,
    long TimeMs,
    long Records,
    double InputRate,
    double SchedulingMs,
    double ProcessingMs,
    double TotalMs,
    string? Failure,
    IReadOnlyList<BatchRow.Input> Inputs,
    IReadOnlyList<BatchRow.Output> Outputs)
{
    public static BatchRow From(BatchInfo batch, TimeSpan interval)
    {
        var records = batch.RecordCount ?? 0;
        return new BatchRow(
            batch.Time.ToString(),
            batch.Time.Milliseconds,
            records,
            interval > TimeSpan.Zero ? records / interval.TotalSeconds : 0,
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
