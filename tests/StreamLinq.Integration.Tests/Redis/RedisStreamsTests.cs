using System.Collections.Concurrent;
using StackExchange.Redis;
using StreamLinq.Integration.Tests.Support;
using StreamLinq.Redis;
using StreamLinq.Sources;

namespace StreamLinq.Integration.Tests.Redis;

/// <summary>The Redis Streams source and the versioned sink against a real redis-server.</summary>
[Collection(ServersCollection.Name)]
public sealed class RedisStreamsTests(RedisServerFixture redis)
{
    [Fact]
    public async Task Batches_read_several_streams_by_id_ranges_and_a_restart_resumes_after_the_last_id()
    {
        var a = $"a:{Guid.NewGuid():N}";
        var b = $"b:{Guid.NewGuid():N}";
        var database = redis.Connection.GetDatabase();
        for (var n = 1; n <= 5; n++)
        {
            await database.StreamAddAsync(a, "n", n);
            await database.StreamAddAsync(b, "n", 100 + n);
        }

        var checkpoints = Directory.CreateTempSubdirectory("streamlinq-redis-");
        try
        {
            var seen = new ConcurrentQueue<(BatchTime, string)>();
            var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
            var first = Create(checkpoints.FullName, clock, a, b, seen);
            await first.Context.StartAsync();
            await first.RunAsync(clock, 1);
            await first.RunAsync(clock, 2);
            await first.Context.StopAsync(graceful: false);

            // Two entries per stream per batch, stream by stream, each in id order.
            Assert.Equal(["a1", "a2", "b101", "b102", "a3", "a4", "b103", "b104"], seen.Select(s => s.Item2));

            await database.StreamAddAsync(a, "n", 6);
            var again = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddTicks(TimeSpan.FromSeconds(2).Ticks));
            var second = Create(checkpoints.FullName, again, a, b, seen);
            Assert.Equal(new BatchTime(TimeSpan.FromSeconds(2).Ticks), second.Context.RecoveredBatchTime);
            await second.Context.StartAsync();
            await second.RunAsync(again, 3);
            await second.RunAsync(again, 4);
            await second.Context.StopAsync(graceful: false);
            Assert.Equal(["a5", "a6", "b105"], seen.Skip(8).Select(s => s.Item2));
        }
        finally
        {
            checkpoints.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task With_ranges_fixed_when_sealed_batches_take_every_entry_once_in_order_and_each_range_is_read_again_exactly()
    {
        var a = $"fa:{Guid.NewGuid():N}";
        var b = $"fb:{Guid.NewGuid():N}";
        var database = redis.Connection.GetDatabase();
        using var stopping = new CancellationTokenSource();
        var source = new RedisStreamSource(redis.Connection, [a, b], new RedisStreamsOptions { FixRangesWhenSealed = true });
        await source.StartAsync(new SourceContext((_, _) => { }, stopping.Token, null), CancellationToken.None);
        try
        {
            for (var n = 1; n <= 3; n++)
            {
                await database.StreamAddAsync(a, "n", n);
                await database.StreamAddAsync(b, "n", 10 + n);
            }

            var batches = new List<(ISealedInput Input, string[] Values)>();
            await SealUntilAsync(source, batches, total: 6);
            await database.StreamAddAsync(a, "n", 4);
            await SealUntilAsync(source, batches, total: 7);

            var all = batches.SelectMany(batch => batch.Values).ToArray();
            Assert.Equal(["1", "2", "3", "4"], all.Where(v => v.Length == 1));
            Assert.Equal(["11", "12", "13"], all.Where(v => v.Length == 2));
            foreach (var (input, values) in batches)
            {
                // One entry per partition, as cluster mode splits a range, and read again exactly.
                var range = StreamLinq.Checkpointing.StateWriter.Capture(w => source.WriteRange(input, w));
                Assert.Equal([a, b], range.EnumerateArray().Select(r => r.GetProperty("partition").GetString()));
                Assert.Equal(values, Values(await source.ReadRange(range).ReadAsync(CancellationToken.None)));
            }
        }
        finally
        {
            await stopping.CancelAsync();
        }
    }

    // The poller sees new entries within about 10 ms: seal batch after batch until they hold the total, or 10 s pass.
    private static async Task SealUntilAsync(RedisStreamSource source, List<(ISealedInput Input, string[] Values)> batches, int total)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (batches.Sum(batch => batch.Values.Length) < total && DateTime.UtcNow < deadline)
        {
            var input = source.Seal(new BatchTime(batches.Count + 1));
            Assert.True(source.IsResolved(input));
            var values = Values(await input.ReadAsync(CancellationToken.None));
            batches.Add((input, values));
            if (values.Length == 0)
            {
                await Task.Delay(5);
            }
        }
    }

    private static string[] Values(Array entries) => [.. entries.Cast<RedisStreamEntry>().Select(e => e["n"]!)];

    [Fact]
    public async Task A_pending_range_whose_entries_were_trimmed_fails_naming_the_stream_and_range()
    {
        var key = $"t:{Guid.NewGuid():N}";
        var database = redis.Connection.GetDatabase();
        for (var n = 1; n <= 3; n++)
        {
            await database.StreamAddAsync(key, "n", n);
        }

        var source = new RedisStreamSource(redis.Connection, [key], new RedisStreamsOptions());
        var sealedInput = source.Seal(new BatchTime(1));
        Assert.Equal(3, (await sealedInput.ReadAsync(CancellationToken.None)).Length); // the runner resolves the range
        var range = StreamLinq.Checkpointing.StateWriter.Capture(w => source.WriteRange(sealedInput, w));
        Assert.Equal(3, (await source.ReadRange(range).ReadAsync(CancellationToken.None)).Length);

        await database.StreamTrimAsync(key, 1);
        var error = await Assert.ThrowsAsync<SourceException>(async () => await source.ReadRange(range).ReadAsync(CancellationToken.None));
        Assert.Contains(key, error.Message, StringComparison.Ordinal);
        Assert.Contains("trimmed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_batch_queued_unread_at_a_checkpoint_is_replayed_from_the_checkpointed_position()
    {
        var key = $"u:{Guid.NewGuid():N}";
        var database = redis.Connection.GetDatabase();
        for (var n = 1; n <= 6; n++)
        {
            await database.StreamAddAsync(key, "n", n);
        }

        var options = new RedisStreamsOptions { MaxEntriesPerBatch = 2 };
        var source = new RedisStreamSource(redis.Connection, [key], options);
        var first = source.Seal(new BatchTime(1));
        var queued = source.Seal(new BatchTime(2));
        Assert.Equal(["1", "2"], ((RedisStreamEntry[])await first.ReadAsync(CancellationToken.None)).Select(e => e["n"]));
        var position = StreamLinq.Checkpointing.StateWriter.Capture(source.WriteState);
        var range = StreamLinq.Checkpointing.StateWriter.Capture(w => source.WriteRange(queued, w));

        // After a restart: the position is after the first batch; the queued one reads what follows.
        var restarted = new RedisStreamSource(redis.Connection, [key], options);
        restarted.ReadState(position, restarted.StateVersion);
        Assert.Equal(["3", "4"], ((RedisStreamEntry[])await restarted.ReadRange(range).ReadAsync(CancellationToken.None)).Select(e => e["n"]));
        Assert.Equal(["5", "6"], ((RedisStreamEntry[])await restarted.Seal(new BatchTime(3)).ReadAsync(CancellationToken.None)).Select(e => e["n"]));
    }

    [Fact]
    public async Task A_stream_that_reaches_its_commit_fence_first_waits_there_so_that_no_batch_straddles_the_commit()
    {
        // One output committed a4 of stream a and b2 of stream b; the other nothing yet (its
        // restart reads from the start). Two entries a batch: b reaches its fence a batch before a.
        var a = $"fa:{Guid.NewGuid():N}";
        var b = $"fb:{Guid.NewGuid():N}";
        var database = redis.Connection.GetDatabase();
        var ids = new Dictionary<string, string>();
        for (var n = 1; n <= 6; n++)
        {
            ids[$"a{n}"] = (await database.StreamAddAsync(a, "n", $"a{n}"))!;
        }

        for (var n = 1; n <= 3; n++)
        {
            ids[$"b{n}"] = (await database.StreamAddAsync(b, "n", $"b{n}"))!;
        }

        using var committed = System.Text.Json.JsonDocument.Parse(
            $"[{{\"stream\": \"{a}\", \"after\": \"{ids["a2"]}\", \"last\": \"{ids["a4"]}\", \"count\": 2}}, " +
            $"{{\"stream\": \"{b}\", \"after\": \"{ids["b1"]}\", \"last\": \"{ids["b2"]}\", \"count\": 1}}]");
        var source = new RedisStreamSource(redis.Connection, [a, b], new RedisStreamsOptions { MaxEntriesPerBatch = 2, StartFromBeginning = true });
        source.ResumeAfter([committed.RootElement, null]);
        await source.StartAsync(new SourceContext((_, _) => { }, CancellationToken.None, null), CancellationToken.None);

        var read = new List<string?>();
        var orders = new List<RangeOrder>();
        for (var second = 1; second <= 4; second++)
        {
            var batch = source.Seal(new BatchTime(TimeSpan.FromSeconds(second).Ticks));
            read.AddRange(((RedisStreamEntry[])await batch.ReadAsync(CancellationToken.None)).Select(e => e["n"]));
            orders.Add(source.Compare(batch, committed.RootElement));
        }

        // Each batch is wholly committed or wholly after, and every entry is read once.
        Assert.DoesNotContain(RangeOrder.Straddles, orders);
        Assert.Equal(new string?[] { "a1", "a2", "a3", "a4", "a5", "a6", "b1", "b2", "b3" }, read.Order());
    }

    [Fact]
    public async Task A_commit_fence_whose_entries_were_trimmed_away_does_not_hold_the_streams_forever()
    {
        // The commit ends at a4 of stream a and b2 of stream b; a1 to a4 were deleted since, so a
        // read of a up to its fence finds nothing, and no entry can ever be added below it.
        var a = $"ta:{Guid.NewGuid():N}";
        var b = $"tb:{Guid.NewGuid():N}";
        var database = redis.Connection.GetDatabase();
        var ids = new Dictionary<string, string>();
        for (var n = 1; n <= 6; n++)
        {
            ids[$"a{n}"] = (await database.StreamAddAsync(a, "n", $"a{n}"))!;
        }

        for (var n = 1; n <= 3; n++)
        {
            ids[$"b{n}"] = (await database.StreamAddAsync(b, "n", $"b{n}"))!;
        }

        await database.StreamDeleteAsync(a, [ids["a1"], ids["a2"], ids["a3"], ids["a4"]]);
        using var committed = System.Text.Json.JsonDocument.Parse(
            $"[{{\"stream\": \"{a}\", \"after\": \"{ids["a2"]}\", \"last\": \"{ids["a4"]}\", \"count\": 2}}, " +
            $"{{\"stream\": \"{b}\", \"after\": \"{ids["b1"]}\", \"last\": \"{ids["b2"]}\", \"count\": 1}}]");
        var source = new RedisStreamSource(redis.Connection, [a, b], new RedisStreamsOptions { MaxEntriesPerBatch = 2, StartFromBeginning = true });
        source.ResumeAfter([committed.RootElement, null]);
        await source.StartAsync(new SourceContext((_, _) => { }, CancellationToken.None, null), CancellationToken.None);

        var read = new List<string?>();
        for (var second = 1; second <= 4; second++)
        {
            var batch = source.Seal(new BatchTime(TimeSpan.FromSeconds(second).Ticks));
            read.AddRange(((RedisStreamEntry[])await batch.ReadAsync(CancellationToken.None)).Select(e => e["n"]));
            Assert.NotEqual(RangeOrder.Straddles, source.Compare(batch, committed.RootElement));
        }

        Assert.Equal(new string?[] { "a5", "a6", "b1", "b2", "b3" }, read.Order());
    }

    [Fact]
    public async Task Back_pressure_caps_a_batch_at_the_rate_times_the_interval()
    {
        var key = $"r:{Guid.NewGuid():N}";
        var database = redis.Connection.GetDatabase();
        for (var n = 1; n <= 20; n++)
        {
            await database.StreamAddAsync(key, "n", n);
        }

        var source = new RedisStreamSource(redis.Connection, [key], new RedisStreamsOptions { MaxEntriesPerBatch = 5 });
        Assert.Equal(5, (await source.Seal(new BatchTime(TimeSpan.FromSeconds(1).Ticks)).ReadAsync(CancellationToken.None)).Length);
        source.SetRate(2);
        Assert.Equal(2, (await source.Seal(new BatchTime(TimeSpan.FromSeconds(2).Ticks)).ReadAsync(CancellationToken.None)).Length);
        source.SetRate(1000);
        Assert.Equal(5, (await source.Seal(new BatchTime(TimeSpan.FromSeconds(3).Ticks)).ReadAsync(CancellationToken.None)).Length);
    }

    [Fact]
    public async Task The_versioned_sink_ignores_older_batches_and_rewrites_a_replay_identically()
    {
        var sink = new RedisVersionedSink<(string User, string Movie)>(redis.Connection, r => $"watching:{r.User}", r => r.Movie);
        var user = Guid.NewGuid().ToString("N");
        var database = redis.Connection.GetDatabase();
        await sink.WriteBatchAsync([(user, "Alien")], new BatchTime(TimeSpan.FromSeconds(2).Ticks), CancellationToken.None);
        await sink.WriteBatchAsync([(user, "Brazil")], new BatchTime(TimeSpan.FromSeconds(1).Ticks), CancellationToken.None);
        Assert.Equal("Alien", (string?)await database.HashGetAsync($"watching:{user}", "value"));
        await sink.WriteBatchAsync([(user, "Alien")], new BatchTime(TimeSpan.FromSeconds(2).Ticks), CancellationToken.None);
        Assert.Equal("Alien", (string?)await database.HashGetAsync($"watching:{user}", "value"));
        await sink.WriteBatchAsync([(user, "Casablanca")], new BatchTime(TimeSpan.FromSeconds(3).Ticks), CancellationToken.None);
        Assert.Equal("Casablanca", (string?)await database.HashGetAsync($"watching:{user}", "value"));
        Assert.Equal(3000, (long)await database.HashGetAsync($"watching:{user}", "version"));
    }

    [Fact]
    public async Task Exactly_once_from_a_redis_stream_into_the_versioned_sink_is_accepted()
    {
        await using var context = new StreamingContext(TimeSpan.FromSeconds(1), new StreamingOptions { TimeProvider = new FakeTimeProvider(DateTimeOffset.UnixEpoch) });
        context.RedisStream(redis.Connection, $"s:{Guid.NewGuid():N}")
            .WriteTo(new RedisVersionedSink<RedisStreamEntry>(redis.Connection, e => e.Id, e => e["n"] ?? ""), DeliveryGuarantee.ExactlyOnce);
        await context.StartAsync();
        Assert.Equal(StreamingContextState.Active, context.State);
    }

    private Driver Create(string checkpoints, FakeTimeProvider clock, string a, string b, ConcurrentQueue<(BatchTime, string)> seen)
    {
        var driver = new Driver();
        driver.Context = StreamingContext.GetOrCreate(checkpoints, () =>
        {
            var context = new StreamingContext(TimeSpan.FromSeconds(1), new StreamingOptions { TimeProvider = clock });
            context.AddListener(driver);
            context.RedisStreams(redis.Connection, [a, b], new RedisStreamsOptions { MaxEntriesPerBatch = 2 })
                .Select(e => e.Stream.Substring(0, 1) + e["n"])
                .ForEachBatch((batch, time) =>
                {
                    foreach (var line in batch)
                    {
                        seen.Enqueue((time, line));
                    }
                });
            return context;
        });
        return driver;
    }

    private sealed class Driver : IStreamingListener
    {
        private readonly ConcurrentDictionary<BatchTime, TaskCompletionSource> _done = new();

        public StreamingContext Context { get; set; } = null!;

        public async Task RunAsync(FakeTimeProvider clock, int second)
        {
            var time = new BatchTime(TimeSpan.FromSeconds(second).Ticks);
            var done = _done.GetOrAdd(time, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            clock.Advance(TimeSpan.FromTicks(time.Ticks - (clock.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks));
            await done.WaitAsync(TimeSpan.FromSeconds(30));
        }

        public void OnBatchCompleted(BatchInfo batch) =>
            _done.GetOrAdd(batch.Time, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }
}
