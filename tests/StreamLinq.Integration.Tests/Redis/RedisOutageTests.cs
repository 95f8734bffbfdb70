using System.Collections.Concurrent;
using System.Diagnostics;
using StackExchange.Redis;
using StreamLinq.Integration.Tests.Support;
using StreamLinq.Redis;

namespace StreamLinq.Integration.Tests.Redis;

/// <summary>
/// A Redis source whose server is paused (SIGSTOP), killed or never started, on the real clock
/// against a redis-server of the test's own: batches fail within the time-out and are retried,
/// nothing is lost or doubled when the server comes back, and a stop is honoured at once.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class RedisOutageTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_paused_server_fails_batches_that_are_retried_until_it_resumes_and_nothing_is_lost_or_doubled()
    {
        await using var server = await OwnServer.StartAsync();
        using var redis = await Connect(server.Endpoint);
        var key = $"o:{Guid.NewGuid():N}";
        await Add(redis, key, 1, 20);
        await using var run = Run.Start(redis, key, new StreamingOptions { RestartStrategy = RestartStrategy.FixedDelay(1_000, TimeSpan.FromMilliseconds(100)) });
        await run.UntilAsync(() => run.Seen.Count >= 20);

        ServerProcess.Signal(server.Process, "STOP");
        await run.UntilAsync(() => run.Retries.Any(r => r.Stage == BatchStage.Source));
        Assert.All(run.Retries, r => Assert.True(Assert.IsType<SourceException>(r.InnerException).IsTransient));

        ServerProcess.Signal(server.Process, "CONT");
        await Add(redis, key, 21, 40);
        await run.UntilAsync(() => run.Seen.Count >= 40);

        await run.Context.StopAsync(graceful: false).WaitAsync(Hang);
        await run.Context.AwaitTerminationAsync().WaitAsync(Hang);
        Assert.Equal(Enumerable.Range(1, 40), run.Seen);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_stop_while_the_server_is_paused_does_not_wait_for_the_server(bool graceful)
    {
        await using var server = await OwnServer.StartAsync();
        using var redis = await Connect(server.Endpoint);
        var key = $"p:{Guid.NewGuid():N}";
        await Add(redis, key, 1, 5);

        // The server's time-out (60 s) is far beyond the stop's bound (a graceful stop gives up draining after 1 s).
        var options = new StreamingOptions { GracefulStopTimeout = TimeSpan.FromSeconds(1), StopTimeout = TimeSpan.FromSeconds(1) };
        await using var run = Run.Start(redis, key, options, new RedisStreamsOptions { OperationTimeout = TimeSpan.FromSeconds(60) });
        await run.UntilAsync(() => run.Seen.Count >= 5);
        ServerProcess.Signal(server.Process, "STOP");
        await Task.Delay(Interval * 5); // a batch is now waiting for the server

        var stopping = Stopwatch.StartNew();
        await run.Context.StopAsync(graceful).WaitAsync(Hang);
        await run.Context.AwaitTerminationAsync().WaitAsync(Hang);
        stopping.Stop();

        ServerProcess.Signal(server.Process, "CONT");
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(20), $"The stop took {stopping.Elapsed}, waiting for the paused server.");
        Assert.Equal(Enumerable.Range(1, 5), run.Seen);
    }

    [Fact]
    public async Task A_killed_server_keeps_the_context_retrying_and_a_stop_ends_it()
    {
        await using var server = await OwnServer.StartAsync();
        using var redis = await Connect(server.Endpoint);
        var key = $"k:{Guid.NewGuid():N}";
        await Add(redis, key, 1, 5);
        await using var run = Run.Start(redis, key, new StreamingOptions { RestartStrategy = RestartStrategy.FixedDelay(1_000, TimeSpan.FromMilliseconds(50)) },
            new RedisStreamsOptions { OperationTimeout = TimeSpan.FromSeconds(1) });
        await run.UntilAsync(() => run.Seen.Count >= 5);

        await server.DisposeAsync(); // SIGKILL: the server is gone
        await run.UntilAsync(() => run.Retries.Count(r => r.Stage == BatchStage.Source) >= 3);
        Assert.False(run.Context.AwaitTerminationAsync().IsCompleted, "The context gave up although its strategy allows 1,000 retries.");

        await run.Context.StopAsync(graceful: false).WaitAsync(Hang);
        await run.Context.AwaitTerminationAsync().WaitAsync(Hang);
        Assert.Equal(Enumerable.Range(1, 5), run.Seen);
    }

    [Fact]
    public async Task A_server_that_never_started_fails_the_context_once_the_strategy_gives_up()
    {
        var endpoint = $"127.0.0.1:{ServerProcess.FreePort()}";
        using var redis = await Connect(endpoint);
        await using var run = Run.Start(redis, "absent", new StreamingOptions { RestartStrategy = RestartStrategy.FixedDelay(2, TimeSpan.FromMilliseconds(50)) },
            new RedisStreamsOptions { OperationTimeout = TimeSpan.FromSeconds(1) });

        var error = await Assert.ThrowsAsync<BatchFailedException>(() => run.Context.AwaitTerminationAsync().WaitAsync(Hang));

        Assert.Equal(BatchStage.Source, error.Stage);
        var source = Assert.IsType<SourceException>(error.InnerException);
        Assert.True(source.IsTransient);
        Assert.Contains("absent", source.Message, StringComparison.Ordinal);
        Assert.Equal(2, run.Retries.Count);
    }

    [Fact]
    public async Task Sealing_asks_nothing_of_the_server_and_a_failed_read_leaves_the_position_where_it_was()
    {
        using var redis = await Connect($"127.0.0.1:{ServerProcess.FreePort()}");
        var source = new RedisStreamSource(redis, ["absent"], new RedisStreamsOptions { OperationTimeout = TimeSpan.FromMilliseconds(500) });
        Assert.True(source.HasPending);

        var input = source.Seal(new BatchTime(1)); // no server: sealing must not need one

        var error = await Assert.ThrowsAsync<SourceException>(async () => await input.ReadAsync(CancellationToken.None).AsTask().WaitAsync(Hang));
        Assert.True(error.IsTransient);
        var position = StreamLinq.Checkpointing.StateWriter.Capture(source.WriteState);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, position.GetProperty("absent").ValueKind);
    }

    /// <summary>A redis-server for one test, which it may pause or kill.</summary>
    private sealed class OwnServer : IAsyncDisposable
    {
        private readonly RedisServerFixture _server = new();
        private bool _disposed;

        public string Endpoint => _server.Endpoint;

        public Process Process => _server.Process;

        public static async Task<OwnServer> StartAsync()
        {
            var server = new OwnServer();
            await server._server.InitializeAsync();
            return server;
        }

        public async ValueTask DisposeAsync()
        {
            if (!_disposed)
            {
                _disposed = true;
                await _server.DisposeAsync();
            }
        }
    }

    private static Task<ConnectionMultiplexer> Connect(string endpoint) =>
        ConnectionMultiplexer.ConnectAsync($"{endpoint},abortConnect=false,connectTimeout=1000,syncTimeout=1000,asyncTimeout=1000,connectRetry=1");

    private static async Task Add(ConnectionMultiplexer redis, string key, int from, int to)
    {
        for (var n = from; n <= to; n++)
        {
            await redis.GetDatabase().StreamAddAsync(key, "n", n);
        }
    }

    /// <summary>A context on the real clock reading one stream into a list, with its retries recorded.</summary>
    private sealed class Run : IStreamingListener, IAsyncDisposable
    {
        private Run(StreamingContext context) => Context = context;

        public StreamingContext Context { get; }

        public ConcurrentQueue<int> Seen { get; } = new();

        public ConcurrentQueue<BatchFailedException> Retries { get; } = new();

        public static Run Start(ConnectionMultiplexer redis, string key, StreamingOptions options, RedisStreamsOptions? source = null)
        {
            var run = new Run(new StreamingContext(Interval, options));
            run.Context.AddListener(run);
            run.Context.RedisStream(redis, key, source)
                .Select(e => int.Parse(e["n"]!, System.Globalization.CultureInfo.InvariantCulture))
                .ForEachBatch((batch, _) =>
                {
                    foreach (var n in batch)
                    {
                        run.Seen.Enqueue(n);
                    }
                });
            run.Context.StartAsync().GetAwaiter().GetResult();
            return run;
        }

        public async Task UntilAsync(Func<bool> condition)
        {
            var waited = Stopwatch.StartNew();
            while (!condition())
            {
                Assert.True(waited.Elapsed < Hang, "The condition did not hold within a minute.");
                Assert.False(Context.AwaitTerminationAsync().IsFaulted, $"The context stopped: {Context.AwaitTerminationAsync().Exception?.InnerException}");
                await Task.Delay(20);
            }
        }

        public void OnBatchRetrying(BatchInfo batch, int attempt, TimeSpan delay) => Retries.Enqueue((BatchFailedException)batch.Failure!);

        public async ValueTask DisposeAsync() => await Context.DisposeAsync();
    }
}
