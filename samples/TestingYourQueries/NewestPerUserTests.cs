using MoviePlayerCheckpoints;
using StreamLinq;
using StreamLinq.Testing;

namespace TestingYourQueries;

/// <summary>The harness by hand: records placed in given batches, exact outputs expected at given batch times.</summary>
public sealed class NewestPerUserTests
{
    [Fact]
    public async Task Each_batch_keeps_each_users_newest_checkpoint_of_that_batch()
    {
        var input = new TestInput<PlayerCheckpoint>();
        var newest = new TestOutput<PlayerCheckpoint>();
        await using var harness = new StreamTestHarness(options =>
        {
            var context = new StreamingContext(TimeSpan.FromSeconds(1), options);
            MoviePlayer.NewestPerUser(context.AddInput(input)).WriteTo(newest);
            return context;
        });
        await harness.StartAsync();

        var ann12 = Checkpoint("ann", 12);
        var ann14 = Checkpoint("ann", 14);
        var bob3 = Checkpoint("bob", 3);
        input.PushAt(harness.NextBatchTime, ann14, bob3, ann12);
        input.PushAt(harness.NextBatchTime + TimeSpan.FromSeconds(2), ann12);
        var batches = await harness.RunBatchesAsync(3);

        Assert.All(batches, b => Assert.Null(b.Failure));
        Assert.Equal([ann14, bob3], newest.Batches[batches[0].Time]);
        Assert.Empty(newest.Batches[batches[1].Time]);
        Assert.Equal([ann12], newest.Batches[batches[2].Time]);
    }

    private static PlayerCheckpoint Checkpoint(string user, int minute) =>
        new(user, "Metropolis", TimeSpan.FromMinutes(minute), Checkpoints.Start.AddMinutes(minute));
}
