using FsCheck.Fluent;
using StreamLinq.Testing.FsCheck;

namespace StreamLinq.Tests.Testing;

/// <summary>The engine's own operators under the testing package's ready properties, so the package runs against real jobs every run.</summary>
public class EngineInvarianceTests
{
    [Fact]
    public void A_fused_filter_projection_and_flattening_is_split_invariant()
    {
        var result = StreamCheck.Run(
            StreamProperties.SplitInvariance(Gen.Choose(-50, 50), q => q.Where(x => x % 3 != 0).SelectMany(x => new[] { x, x * 10 }).Select(x => x + 1)),
            maxTest: 30);

        Assert.True(result.Passed, result.Message);
    }

    [Fact]
    public void A_keyed_sliding_window_gives_the_same_batches_after_a_restart_from_its_checkpoint()
    {
        var result = StreamCheck.Run(
            StreamProperties.RestartInvariance(Gen.Choose(0, 4), s => s
                .Select(k => new KeyValuePair<int, int>(k, 1))
                .ReduceByKeyAndWindow((a, b) => a + b, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(1))),
            maxTest: 15);

        Assert.True(result.Passed, result.Message);
    }
}
