using StackExchange.Redis;
using StreamLinq.Integration.Tests.Support;
using StreamLinq.Redis;
using StreamLinq.Sources;

namespace StreamLinq.Integration.Tests.Redis;

/// <summary>
/// With <see cref="RedisStreamsOptions.ConsumerGroup"/> the broker tracks the position: a
/// committed batch moves the group's last delivered id to its end, and a start without a
/// checkpoint resumes there, reading nothing twice.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class RedisConsumerGroupTests(RedisServerFixture redis)
{
    [Fact]
    public async Task An_acknowledged_batch_moves_the_group_and_a_start_without_a_checkpoint_resumes_after_it()
    {
        var key = $"g:{Guid.NewGuid():N}";
        var database = redis.Connection.GetDatabase();
        var ids = new List<string>();
        for (var n = 1; n <= 5; n++)
        {
            ids.Add((await database.StreamAddAsync(key, "n", n))!);
        }

        var options = new RedisStreamsOptions { MaxEntriesPerBatch = 3, ConsumerGroup = "jobs" };
        var first = new RedisStreamSource(redis.Connection, [key], options);
        await first.StartAsync(new SourceContext((_, _) => { }, CancellationToken.None), CancellationToken.None);
        var batch = first.Seal(new BatchTime(1));
        Assert.Equal(["1", "2", "3"], ((RedisStreamEntry[])await batch.ReadAsync(CancellationToken.None)).Select(e => e["n"]));
        Assert.Equal("0-0", await LastDeliveredAsync(database, key, "jobs")); // read, not committed yet
        first.Acknowledge(batch);
        await WaitUntilAsync(async () => await LastDeliveredAsync(database, key, "jobs") == ids[2]);

        var second = new RedisStreamSource(redis.Connection, [key], options);
        await second.StartAsync(new SourceContext((_, _) => { }, CancellationToken.None), CancellationToken.None);
        Assert.Equal(["4", "5"], ((RedisStreamEntry[])await second.Seal(new BatchTime(2)).ReadAsync(CancellationToken.None)).Select(e => e["n"]));
    }

    [Fact]
    public async Task A_new_group_that_does_not_start_from_the_beginning_reads_only_entries_added_after_the_start()
    {
        var key = $"h:{Guid.NewGuid():N}";
        var database = redis.Connection.GetDatabase();
        await database.StreamAddAsync(key, "n", "old");
        var source = new RedisStreamSource(redis.Connection, [key], new RedisStreamsOptions { ConsumerGroup = "fresh", StartFromBeginning = false });
        await source.StartAsync(new SourceContext((_, _) => { }, CancellationToken.None), CancellationToken.None);
        await database.StreamAddAsync(key, "n", "new");
        Assert.Equal(["new"], ((RedisStreamEntry[])await source.Seal(new BatchTime(1)).ReadAsync(CancellationToken.None)).Select(e => e["n"]));
    }

    private static async Task<string?> LastDeliveredAsync(IDatabase database, string key, string group) =>
        (await database.StreamGroupInfoAsync(key)).Single(g => g.Name == group).LastDeliveredId;

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold within 30 s");
            await Task.Delay(20);
        }
    }
}
