using StreamLinq.Sources;

namespace StreamLinq.Checkpointing;

/// <summary>A sealed batch waiting to be processed: its time and each input's share.</summary>
/// <param name="Time">The batch time.</param>
/// <param name="Inputs">Each input's sealed share, by input id.</param>
/// <param name="SubmissionTime">When the batch was sealed, in clock ticks.</param>
/// <param name="DoneOutputs">
/// Outputs (by index) already committed for this batch, which must not run again: the
/// at-most-once outputs of a batch recovered from a checkpoint.
/// </param>
/// <param name="Interval">The batch interval in force when it was cut.</param>
internal sealed record BatchJob(BatchTime Time, IReadOnlyList<ISealedInput> Inputs, long SubmissionTime, HashSet<int> DoneOutputs, TimeSpan Interval);
