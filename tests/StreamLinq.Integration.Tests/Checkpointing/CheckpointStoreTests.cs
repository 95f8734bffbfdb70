using System.Collections.Concurrent;
using Npgsql;
using StackExchange.Redis;
using StreamLinq.Checkpointing;
using StreamLinq.Integration.Tests.Support;
using StreamLinq.Postgres;
using StreamLinq.Redis;

namespace StreamLinq.Integration.Tests.Checkpointing;

/// <summary>
/// Every checkpoint store (a local directory, PostgreSQL, Redis) keeps the same guarantees:
/// a context resumes its state from it, only the newest retained checkpoints stay, a damaged
/// newest one falls back to the previous one, a store that is down at a write fails the batch
/// with the cause and is retried, and of writers racing to create one checkpoint exactly one does.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class CheckpointStoreTests(RedisServerFixture redis, PostgresServerFixture postgres)
{
    public static TheoryData<string> Stores => ["directory", "postgres", "redis"];

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task A_context_resumes_its_running_state_from_the_store(string kind)
    {
        await using var store = await StoreAsync(kind);
        var first = await RunAsync(store.Store, [1, 2, 3, 4, 5], expectedTotal: 15);
        Assert.Null(first.Recovered);

        var second = await RunAsync(store.Store, [10, 20], expectedTotal: 45);
        Assert.NotNull(second.Recovered);
        Assert.Empty(second.Warnings);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Only_the_newest_retained_checkpoints_stay_in_the_store(string kind)
    {
        await using var store = await StoreAsync(kind);
        await RunAsync(store.Store, [1, 2, 3, 4, 5, 6], expectedTotal: 21);
        var kept = (await store.Store.ListAsync(CancellationToken.None)).Order().ToList();
        Assert.Equal(new CheckpointOptions().RetainedCheckpoints, kept.Count);

        // Consecutive: the newest ones, the older ones deleted.
        Assert.Equal(Enumerable.Range(0, kept.Count).Select(i => kept[0] + i), kept);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task A_damaged_newest_checkpoint_falls_back_to_the_previous_one(string kind)
    {
        await using var store = await StoreAsync(kind);
        var first = await RunAsync(store.Store, [1, 2, 3, 4], expectedTotal: 10);
        var newest = (await store.Store.ListAsync(CancellationToken.None)).Max();
        await store.DamageAsync(newest);

        // The previous checkpoint may hold less of the first run's state than the newest; what
        // matters is that one is found, the damaged one is reported, and the context starts.
        var second = await RunAsync(store.Store, [100], expectedTotal: null);
        Assert.NotNull(second.Recovered);
        Assert.True(second.Recovered < first.LastBatch, $"recovered {second.Recovered}, the first run's last batch {first.LastBatch}");
        Assert.Contains(second.Warnings, w => w.Contains("Checkpoint skipped", StringComparison.Ordinal) && w.Contains("corrupt", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("postgres")]
    [InlineData("redis")]
    public async Task A_server_down_at_a_checkpoint_write_fails_the_batch_naming_the_store_and_the_retry_succeeds(string kind)
    {
        await using var store = await StoreAsync(kind);
        var retries = new ConcurrentQueue<BatchInfo>();
        var totals = new ConcurrentQueue<long>();
        var queue = new ConcurrentQueue<IEnumerable<long>>();
        var listener = new Listener { Retrying = retries.Enqueue };
        var context = StreamingContext.GetOrCreate(store.Store, () => Define(queue, totals, listener, RestartStrategy.FixedDelay(100, TimeSpan.FromMilliseconds(200))));
        await using (context)
        {
            await context.StartAsync();
            queue.Enqueue([1]);
            await WaitForAsync(() => totals.Contains(1), "the first record's total");
            store.Proxy!.Down();
            queue.Enqueue([2]);
            await WaitForAsync(() => !retries.IsEmpty, "a retry of a batch whose checkpoint could not be written");
            store.Proxy.Up();
            queue.Enqueue([3]);
            await WaitForAsync(() => totals.Contains(6), "the total after the server came back");
            await context.StopAsync(graceful: true);
        }

        var failure = Assert.IsType<BatchFailedException>(retries.First().Failure);
        Assert.Equal(BatchStage.Checkpoint, failure.Stage);
        var cause = Assert.IsType<IOException>(failure.InnerException);
        Assert.Contains(store.Store.Description, cause.Message, StringComparison.Ordinal);
        Assert.NotNull(cause.InnerException);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Of_writers_racing_to_create_one_checkpoint_exactly_one_does_and_its_bytes_stay(string kind)
    {
        const int Writers = 6;
        await using var store = await StoreAsync(kind);
        for (long sequence = 1; sequence <= 20; sequence++)
        {
            // Each writer its own store object, as each driver of a cluster has.
            var writers = Enumerable.Range(0, Writers).Select(_ => store.Open()).ToArray();
            using var start = new Barrier(Writers);
            var number = sequence;
            var created = await Task.WhenAll(writers.Select((writer, w) => Task.Run(async () =>
            {
                start.SignalAndWait();
                return await writer.TryCreateAsync(number, Bytes(number, w), CancellationToken.None);
            })));

            var winner = Assert.Single(Enumerable.Range(0, Writers), w => created[w]);
            Assert.Equal(Bytes(sequence, winner), await store.Store.ReadAsync(sequence, CancellationToken.None));
        }

        Assert.False(await store.Store.TryCreateAsync(1, Bytes(1, Writers), CancellationToken.None));
        Assert.Equal(Enumerable.Range(1, 20).Select(s => (long)s), (await store.Store.ListAsync(CancellationToken.None)).Order());

        static byte[] Bytes(long sequence, int writer) => System.Text.Encoding.UTF8.GetBytes($"checkpoint {sequence} by writer {writer}");
    }

    [Theory]
    [InlineData("postgres")]
    [InlineData("redis")]
    public async Task A_server_down_at_a_create_fails_it_within_bounded_time_and_once_back_one_create_stays(string kind)
    {
        await using var store = await StoreAsync(kind);
        Assert.True(await store.Store.TryCreateAsync(1, new byte[] { 1 }, CancellationToken.None));
        store.Proxy!.Down();
        var down = await Record.ExceptionAsync(() => store.Store.TryCreateAsync(2, new byte[] { 2 }, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.NotNull(down);
        Assert.IsNotType<TimeoutException>(down);
        store.Proxy.Up();

        // The create made while the server was down is in doubt (a client may have sent it as the
        // connection came back): whichever create stays, exactly one does, and its bytes are there.
        var created = await store.Store.TryCreateAsync(2, new byte[] { 3 }, CancellationToken.None);
        Assert.Equal(created ? new byte[] { 3 } : new byte[] { 2 }, await store.Store.ReadAsync(2, CancellationToken.None));
        Assert.False(await store.Store.TryCreateAsync(2, new byte[] { 4 }, CancellationToken.None));
        Assert.Equal(new byte[] { 1 }, await store.Store.ReadAsync(1, CancellationToken.None));
    }

    [Fact]
    public async Task A_store_of_ones_own_without_TryCreateAsync_creates_only_where_no_checkpoint_is()
    {
        ICheckpointStore store = new DictionaryStore();
        Assert.True(await store.TryCreateAsync(7, new byte[] { 1 }, CancellationToken.None));
        Assert.False(await store.TryCreateAsync(7, new byte[] { 2 }, CancellationToken.None));
        Assert.Equal(new byte[] { 1 }, await store.ReadAsync(7, CancellationToken.None));
    }

    private static StreamingContext Define(ConcurrentQueue<IEnumerable<long>> queue, ConcurrentQueue<long> totals, Listener listener, RestartStrategy? restart = null)
    {
        var context = new StreamingContext(TimeSpan.FromMilliseconds(100), new StreamingOptions { RestartStrategy = restart ?? RestartStrategy.Default });
        context.AddListener(listener);
        context.QueueStream(queue)
            .Select(n => new KeyValuePair<string, long>("total", n))
            .UpdateStateByKey<string, long, long>((values, total) => (total ?? 0) + values.Sum())
            .ForEachBatch((batch, _) =>
            {
                foreach (var pair in batch)
                {
                    totals.Enqueue(pair.Value);
                }
            });
        return context;
    }

    private static async Task<Run> RunAsync(ICheckpointStore store, long[] records, long? expectedTotal)
    {
        var queue = new ConcurrentQueue<IEnumerable<long>>();
        var totals = new ConcurrentQueue<long>();
        var listener = new Listener();
        var context = StreamingContext.GetOrCreate(store, () => Define(queue, totals, listener));
        var recovered = context.RecoveredBatchTime;
        await using (context)
        {
            await context.StartAsync();
            foreach (var record in records)
            {
                queue.Enqueue([record]);
            }

            if (expectedTotal is { } expected)
            {
                await WaitForAsync(() => totals.Contains(expected), $"the total {expected}");
            }
            else
            {
                await WaitForAsync(() => queue.IsEmpty && listener.Completed.Count >= records.Length + 2, "every record's batch");
            }

            await context.StopAsync(graceful: true);
        }

        Assert.All(listener.Completed, b => Assert.Null(b.Failure));
        if (expectedTotal is { } total)
        {
            // The stop may add empty batches; the state does not move past the total.
            Assert.Equal(total, totals.Last());
        }

        return new Run(recovered, listener.Completed.Max(b => b.Time), [.. listener.Warnings]);
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Waited 60 s for {what}.");
            }

            await Task.Delay(20);
        }
    }

    private async Task<StoreUnderTest> StoreAsync(string kind)
    {
        var name = $"store-{Guid.NewGuid():N}";
        switch (kind)
        {
            case "directory":
            {
                var directory = Directory.CreateTempSubdirectory("streamlinq-store-");
                var store = new DirectoryCheckpointStore(directory.FullName);
                return new StoreUnderTest(store, () => new DirectoryCheckpointStore(directory.FullName), null,
                    sequence => File.WriteAllBytesAsync(Path.Combine(directory.FullName, $"checkpoint-{sequence:D12}.ckpt"), Flip(File.ReadAllBytes(Path.Combine(directory.FullName, $"checkpoint-{sequence:D12}.ckpt")))),
                    () => { directory.Delete(recursive: true); return ValueTask.CompletedTask; });
            }

            case "postgres":
            {
                var proxy = new TcpProxy(postgres.Port);
                var builder = new NpgsqlConnectionStringBuilder(postgres.ConnectionString) { Port = proxy.Port, Timeout = 3, CommandTimeout = 5 };
                var dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
                return new StoreUnderTest(new PostgresCheckpointStore(dataSource, name), () => new PostgresCheckpointStore(dataSource, name), proxy,
                    async sequence =>
                    {
                        await using var read = postgres.DataSource.CreateCommand($"SELECT checkpoint FROM streamlinq_checkpoints WHERE store_name = '{name}' AND sequence = {sequence}");
                        var damaged = Flip((byte[])(await read.ExecuteScalarAsync())!);
                        await using var write = postgres.DataSource.CreateCommand($"UPDATE streamlinq_checkpoints SET checkpoint = $1 WHERE store_name = '{name}' AND sequence = {sequence}");
                        write.Parameters.Add(new() { Value = damaged });
                        Assert.Equal(1, await write.ExecuteNonQueryAsync());
                    },
                    async () =>
                    {
                        await dataSource.DisposeAsync();
                        await proxy.DisposeAsync();
                    });
            }

            default:
            {
                var proxy = new TcpProxy(redis.Port);
                var connection = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{proxy.Port},abortConnect=false,connectTimeout=2000,syncTimeout=3000,asyncTimeout=3000");
                var database = redis.Connection.GetDatabase();
                return new StoreUnderTest(new RedisCheckpointStore(connection, name), () => new RedisCheckpointStore(connection, name), proxy,
                    async sequence =>
                    {
                        var field = sequence.ToString(System.Globalization.CultureInfo.InvariantCulture);
                        await database.HashSetAsync(name, field, Flip((byte[])(await database.HashGetAsync(name, field))!));
                    },
                    async () =>
                    {
                        await database.KeyDeleteAsync(name);
                        await connection.DisposeAsync();
                        await proxy.DisposeAsync();
                    });
            }
        }
    }

    /// <summary>One byte of the body changed: the length still fits, the SHA-256 does not.</summary>
    private static byte[] Flip(byte[] checkpoint)
    {
        var damaged = (byte[])checkpoint.Clone();
        damaged[^2] ^= 0x01;
        return damaged;
    }

    private sealed record Run(BatchTime? Recovered, BatchTime LastBatch, List<string> Warnings);

    private sealed class StoreUnderTest(ICheckpointStore store, Func<ICheckpointStore> open, TcpProxy? proxy, Func<long, Task> damage, Func<ValueTask> dispose) : IAsyncDisposable
    {
        public ICheckpointStore Store => store;

        /// <summary>Another store object over the same directory, rows or hash.</summary>
        public ICheckpointStore Open() => open();

        public TcpProxy? Proxy => proxy;

        public Task DamageAsync(long sequence) => damage(sequence);

        public ValueTask DisposeAsync() => dispose();
    }

    /// <summary>A user's store written against the first four methods only: it gets the default <see cref="ICheckpointStore.TryCreateAsync"/>.</summary>
    private sealed class DictionaryStore : ICheckpointStore
    {
        private readonly ConcurrentDictionary<long, byte[]> _checkpoints = new();

        public string Description => "a dictionary";

        public ValueTask<IReadOnlyCollection<long>> ListAsync(CancellationToken cancellationToken) => ValueTask.FromResult<IReadOnlyCollection<long>>([.. _checkpoints.Keys]);

        public ValueTask<byte[]?> ReadAsync(long sequence, CancellationToken cancellationToken) => ValueTask.FromResult(_checkpoints.GetValueOrDefault(sequence));

        public ValueTask WriteAsync(long sequence, ReadOnlyMemory<byte> checkpoint, CancellationToken cancellationToken)
        {
            _checkpoints[sequence] = checkpoint.ToArray();
            return ValueTask.CompletedTask;
        }

        public ValueTask DeleteAsync(long sequence, CancellationToken cancellationToken)
        {
            _checkpoints.TryRemove(sequence, out _);
            return ValueTask.CompletedTask;
        }
    }

    private sealed class Listener : IStreamingListener
    {
        public ConcurrentQueue<BatchInfo> Completed { get; } = new();

        public ConcurrentQueue<string> Warnings { get; } = new();

        public Action<BatchInfo>? Retrying { get; init; }

        public void OnBatchCompleted(BatchInfo batch) => Completed.Enqueue(batch);

        public void OnCheckpointWarning(string message) => Warnings.Enqueue(message);

        public void OnBatchRetrying(BatchInfo batch, int attempt, TimeSpan delay) => Retrying?.Invoke(batch);
    }
}
