using StreamLinq.Testing.FsCheck;
using MoviePlayerCheckpoints;

namespace TestingYourQueries;

/// <summary>Replay safety: under at-least-once, batches written again leave the sink as writing each once.</summary>
public sealed class ReplaySafetyTests
{
    [Fact]
    public void The_version_guarded_upsert_ends_in_the_same_table_whatever_is_replayed()
    {
        var result = StreamCheck.Run(StreamProperties.ReplaySafety(Checkpoints.Any, MoviePlayer.NewestPerUser, () => new PositionTable(), t => t.Rows), maxTest: 60);

        Assert.True(result.Passed, result.Message);
    }

    [Fact]
    public void A_plain_increment_counts_a_replayed_batch_twice_and_shrinks_to_one_checkpoint_written_twice()
    {
        var result = StreamCheck.Run(StreamProperties.ReplaySafety(Checkpoints.Any, s => s, () => new CheckpointCountTable(), t => t.Rows));

        Assert.False(result.Passed);
        var replayed = result.CounterexampleAs<ReplayedInput<PlayerCheckpoint>>();
        Assert.Equal(1, replayed.Input.RecordCount);
        Assert.Single(replayed.Input.Batches);
        Assert.Equal([new Replay(0, 0)], replayed.Replays);
    }
}
