using MoviePlayerCheckpoints;
using StreamLinq.Testing.FsCheck;

namespace TestingYourQueries;

/// <summary>Split invariance: a per-batch query gives what LINQ to Objects gives over the whole input, however the stream is cut.</summary>
public sealed class SplitInvarianceTests
{
    [Fact]
    public void Picking_the_users_who_passed_an_hour_does_not_depend_on_batch_boundaries()
    {
        var result = StreamCheck.Run(StreamProperties.SplitInvariance(Checkpoints.Any, q => q.Where(c => c.Position >= TimeSpan.FromHours(1)).Select(c => c.User)), maxTest: 40);

        Assert.True(result.Passed, result.Message);
    }

    [Fact]
    public void Newest_checkpoint_per_user_alone_depends_on_batch_boundaries_and_shrinks_to_one_user_in_two_batches()
    {
        // The movie player's query by itself: per batch, so a user with checkpoints in two batches
        // comes out twice; the sink's version guard is what makes the job right (see ReplaySafetyTests).
        var result = StreamCheck.Run(StreamProperties.SplitInvariance(Checkpoints.Any, q => q.GroupBy(c => c.User).Select(g => g.OrderByDescending(c => c.UsersTime).First())));

        Assert.False(result.Passed);
        var input = result.CounterexampleAs<BatchedInput<PlayerCheckpoint>>();
        Assert.Equal(2, input.Batches.Count);
        Assert.All(input.Batches, b => Assert.Single(b));
        Assert.Equal(input.Batches[0][0].User, input.Batches[1][0].User);
        Assert.Contains(input.TimeOf(1).ToString(), result.Message, StringComparison.Ordinal);
    }
}
