namespace StreamLinq.Testing.FsCheck;

/// <summary>
/// An input and where the job crashes: after batch <see cref="CrashAfter"/> (index from 0) has
/// completed, the context stops abruptly and is rebuilt from its factory and last checkpoint.
/// The counterexample of a restart-invariance property.
/// </summary>
/// <typeparam name="T">The type of the records.</typeparam>
/// <param name="Input">The batches.</param>
/// <param name="CrashAfter">The last batch completed before the crash.</param>
public sealed record CrashedInput<T>(BatchedInput<T> Input, int CrashAfter)
{
    /// <inheritdoc />
    public override string ToString() => $"{Input}; crash after batch {CrashAfter} ({Input.TimeOf(CrashAfter)})";
}
