using StreamLinq.Sources;

namespace StreamLinq.Scheduling;

/// <summary>A sealed batch waiting to be processed: its time and each input's share.</summary>
internal sealed record BatchJob(BatchTime Time, IReadOnlyList<ISealedInput> Inputs, long SubmissionTime);
