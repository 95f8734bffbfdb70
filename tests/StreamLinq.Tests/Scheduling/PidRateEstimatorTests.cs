using StreamLinq.Scheduling;

namespace StreamLinq.Tests.Scheduling;

public class PidRateEstimatorTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Fact]
    public void The_first_batch_only_calibrates()
    {
        var estimator = new PidRateEstimator(Second);
        Assert.Null(estimator.Compute(1000, 1000, TimeSpan.FromMilliseconds(500), TimeSpan.Zero));
    }

    [Fact]
    public void Empty_or_out_of_order_batches_teach_nothing()
    {
        var estimator = new PidRateEstimator(Second);
        estimator.Compute(1000, 1000, TimeSpan.FromMilliseconds(500), TimeSpan.Zero);
        Assert.Null(estimator.Compute(2000, 0, TimeSpan.FromMilliseconds(500), TimeSpan.Zero));
        Assert.Null(estimator.Compute(1000, 1000, TimeSpan.FromMilliseconds(500), TimeSpan.Zero));
        Assert.Null(estimator.Compute(3000, 1000, TimeSpan.Zero, TimeSpan.Zero));
    }

    [Fact]
    public void A_steady_engine_keeps_the_rate_it_processes_at()
    {
        var estimator = new PidRateEstimator(Second);
        estimator.Compute(1000, 1000, TimeSpan.FromMilliseconds(500), TimeSpan.Zero);
        Assert.Equal(2000, estimator.Compute(2000, 1000, TimeSpan.FromMilliseconds(500), TimeSpan.Zero)!.Value, 6);
    }

    [Fact]
    public void A_slowing_engine_lowers_the_rate_and_a_backlog_lowers_it_further()
    {
        var calm = new PidRateEstimator(Second);
        calm.Compute(1000, 1000, TimeSpan.FromMilliseconds(500), TimeSpan.Zero);
        var slower = calm.Compute(2000, 1000, TimeSpan.FromMilliseconds(1000), TimeSpan.Zero)!.Value;

        var backlogged = new PidRateEstimator(Second);
        backlogged.Compute(1000, 1000, TimeSpan.FromMilliseconds(500), TimeSpan.Zero);
        var withBacklog = backlogged.Compute(2000, 1000, TimeSpan.FromMilliseconds(1000), TimeSpan.FromMilliseconds(2000))!.Value;

        Assert.Equal(1000, slower, 6); // 2000 - 1.0 * (2000 - 1000)
        Assert.Equal(600, withBacklog, 6); // ... - 0.2 * (2000 ms * 1000/s / 1000 ms)
    }

    [Fact]
    public void The_rate_never_drops_below_the_minimum()
    {
        var estimator = new PidRateEstimator(Second, minRate: 100);
        estimator.Compute(1000, 1000, TimeSpan.FromMilliseconds(10), TimeSpan.Zero);
        Assert.Equal(100, estimator.Compute(2000, 10, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60))!.Value);
    }
}
