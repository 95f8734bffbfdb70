using FsCheck;
using FsCheck.Fluent;
using MoviePlayerCheckpoints;

namespace TestingYourQueries;

/// <summary>Random players' checkpoint events: few users, so that events of one user meet in a batch and across batches.</summary>
public static class Checkpoints
{
    public static readonly DateTimeOffset Start = new(2026, 1, 1, 20, 0, 0, TimeSpan.Zero);

    public static Gen<PlayerCheckpoint> Any { get; } =
        from user in Gen.Elements("ann", "bob", "cy")
        from minute in Gen.Choose(0, 120)
        from second in Gen.Choose(0, 59)
        select new PlayerCheckpoint(user, "Metropolis", TimeSpan.FromMinutes(minute), Start.AddMinutes(minute).AddSeconds(second));
}
