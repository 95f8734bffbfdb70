namespace StreamLinq.Tests.Support;

public static class Eventually
{
    /// <summary>
    /// Runs batches until <paramref name="done"/> holds, for sources whose records arrive
    /// asynchronously (sockets, background pulls); fails after <paramref name="maxBatches"/>.
    /// </summary>
    public static async Task RunBatchesUntilAsync(StreamHarness harness, Func<bool> done, int maxBatches = 200)
    {
        for (var i = 0; i < maxBatches && !done(); i++)
        {
            await Task.Delay(25);
            var batch = await harness.RunBatchAsync();
            if (batch.Failure is not null)
            {
                throw batch.Failure;
            }
        }

        Assert.True(done(), $"The condition did not hold after {maxBatches} batches.");
    }
}
