namespace TestingYourQueries;

/// <summary>How many checkpoints a user sent in one event-time window.</summary>
public sealed record WindowCount(string User, DateTimeOffset Start, int Checkpoints);
