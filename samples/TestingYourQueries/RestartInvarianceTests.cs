using MoviePlayerCheckpoints;
using StreamLinq;
using StreamLinq.Testing.FsCheck;

namespace TestingYourQueries;

/// <summary>Restart invariance: a crash at any batch and recovery from the last checkpoint change no batch's output.</summary>
public sealed class RestartInvarianceTests
{
    [Fact]
    public void Checkpoints_per_user_counted_in_engine_state_survive_a_restart()
    {
        var result = StreamCheck.Run(StreamProperties.RestartInvariance(Checkpoints.Any, s => s
            .Select(c => new KeyValuePair<string, int>(c.User, 1))
            .UpdateStateByKey<string, int, int>((values, count) => (count ?? 0) + values.Count)), maxTest: 25);

        Assert.True(result.Passed, result.Message);
    }

    [Fact]
    public void Counts_kept_in_the_jobs_own_dictionary_are_lost_on_restart_and_shrink_to_one_user_on_both_sides_of_the_crash()
    {
        var result = StreamCheck.Run(StreamProperties.RestartInvariance(Checkpoints.Any, s =>
        {
            var counts = new RunningCounts();
            return s.Select(c => counts.Add(c.User));
        }));

        Assert.False(result.Passed);
        var crashed = result.CounterexampleAs<CrashedInput<PlayerCheckpoint>>();
        Assert.Equal(0, crashed.CrashAfter);
        Assert.Equal(2, crashed.Input.Batches.Count);
        Assert.All(crashed.Input.Batches, b => Assert.Single(b));
        Assert.Equal(crashed.Input.Batches[0][0].User, crashed.Input.Batches[1][0].User);
    }
}
