using StreamLinq.Integration.Tests.Support;
using StreamLinq.Redis;

namespace StreamLinq.Integration.Tests.Redis;

/// <summary>
/// The Redis source reads the next batch in the background while a batch runs. Whatever the
/// rate does meanwhile, the batches hold every entry once, in id order, each within its cap, and
/// every batch's recorded range reads back the same entries.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class RedisPrefetchTests(RedisServerFixture redis)
{
    [Fact]
    public async Task Prefetched_batches_hold_every_entry_once_in_order_while_the_stream_grows_and_the_rate_changes()
    {
        var key = $"p:{Guid.NewGuid():N}";
        var database = redis.Connection.GetDatabase();
        const int Total = 3_000;
        var appending = Task.Run(async () =>
        {
            for (var n = 1; n <= Total; n += 50)
            {
                var batch = database.CreateBatch();
                var adds = Enumerable.Range(n, 50).Select(i => batch.StreamAddAsync(key, "n", i)).ToArray();
                batch.Execute();
                await Task.WhenAll(adds);
                await Task.Delay(3);
            }
        });

        var options = new RedisStreamsOptions { MaxEntriesPerBatch = 100, ReadChunkSize = 7 };
        var source = new RedisStreamSource<string>(redis.Connection, [key], options, static (_, e) => (string)e.Values[0].Value!);
        var replayer = new RedisStreamSource<string>(redis.Connection, [key], options, static (_, e) => (string)e.Values[0].Value!);
        var random = new Random(7);
        var read = new List<string>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        for (var second = 1; read.Count < Total; second++)
        {
            Assert.True(DateTime.UtcNow < deadline, $"only {read.Count} of {Total} entries were read within 60 s");
            var rate = random.Next(4) switch { 0 => 30, 1 => 1_000, 2 => 65, _ => double.PositiveInfinity };
            source.SetRate(rate);
            var cap = double.IsPositiveInfinity(rate) || second == 1 ? 100 : (int)Math.Clamp(Math.Ceiling(rate), 1, 100);
            var input = source.Seal(new BatchTime(TimeSpan.FromSeconds(second).Ticks));
            var records = (string[])await input.ReadAsync(CancellationToken.None);
            Assert.InRange(records.Length, 0, cap);
            var range = StreamLinq.Checkpointing.StateWriter.Capture(w => source.WriteRange(input, w));
            Assert.Equal(records, (string[])await replayer.ReadRange(range).ReadAsync(CancellationToken.None));
            read.AddRange(records);
            if (records.Length == 0)
            {
                await Task.Delay(5);
            }
        }

        await appending;
        Assert.Equal(Enumerable.Range(1, Total).Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)), read);
    }
}
