namespace StreamLinq.Connectors.Sample;

/// <summary>Settings of a <see cref="FileLogSource"/>.</summary>
public sealed record FileLogOptions
{
    /// <summary>The most bytes one batch reads from each file; 1 MiB by default. A longer line is never read.</summary>
    public int MaxBytesPerBatch { get; init; } = 1 << 20;
}
