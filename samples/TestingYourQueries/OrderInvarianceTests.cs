using MoviePlayerCheckpoints;
using StreamLinq;
using StreamLinq.Testing.FsCheck;

namespace TestingYourQueries;

/// <summary>Order invariance: checkpoints per user per ten minutes of the user's time, however they arrive within the declared out-of-orderness.</summary>
public sealed class OrderInvarianceTests
{
    private static readonly TimeSpan Disorder = TimeSpan.FromMinutes(5);

    [Fact]
    public void Checkpoints_per_ten_minutes_do_not_depend_on_arrival_order_within_the_declared_out_of_orderness()
    {
        var result = StreamCheck.Run(StreamProperties.OrderInvariance(Checkpoints.Any, c => c.UsersTime, Disorder, s => PerTenMinutes(s, declared: Disorder)), maxTest: 40);

        Assert.True(result.Passed, result.Message);
    }

    [Fact]
    public void A_job_declaring_less_out_of_orderness_than_the_stream_has_loses_a_late_checkpoint_and_shrinks_to_two_batches()
    {
        var result = StreamCheck.Run(StreamProperties.OrderInvariance(Checkpoints.Any, c => c.UsersTime, Disorder, s => PerTenMinutes(s, declared: TimeSpan.Zero)));

        Assert.False(result.Passed);
        var input = result.CounterexampleAs<BatchedInput<PlayerCheckpoint>>();
        Assert.Equal(2, input.RecordCount);
        Assert.Equal(2, input.Batches.Count(b => b.Count > 0));
        var arrival = input.Records.ToArray();
        Assert.True(arrival[0].UsersTime > arrival[1].UsersTime, $"the later checkpoint arrives first: {input}");
    }

    private static IDStream<WindowCount> PerTenMinutes(IDStream<PlayerCheckpoint> checkpoints, TimeSpan declared) =>
        checkpoints
            .WithEventTime(c => c.UsersTime, declared)
            .WindowByEventTime(c => c.User, EventTimeWindows.Tumbling(TimeSpan.FromMinutes(10)))
            .Select(w => new WindowCount(w.Key, w.Start, w.Records.Count));
}
