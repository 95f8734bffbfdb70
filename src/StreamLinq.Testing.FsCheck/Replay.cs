namespace StreamLinq.Testing.FsCheck;

/// <summary>
/// One at-least-once replay: after batch <see cref="After"/> was written, a crash lost the
/// checkpoints from batch <see cref="From"/> on, so batches <see cref="From"/> to
/// <see cref="After"/> (indexes from 0) are written again, in order.
/// </summary>
/// <param name="After">The batch after whose output the crash happens.</param>
/// <param name="From">The first batch written again; not after <see cref="After"/>.</param>
public readonly record struct Replay(int After, int From)
{
    /// <inheritdoc />
    public override string ToString() => After == From ? $"batch {After} written twice" : $"batches {From}..{After} written again after batch {After}";
}
