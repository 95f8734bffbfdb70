using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Npgsql;
using StackExchange.Redis;
using StreamLinq.Integration.Tests.Support;

namespace StreamLinq.Integration.Tests.Monitoring;

/// <summary>
/// A sink whose real Redis or PostgreSQL client fails, with a password in its connection string:
/// the password reaches neither the logs nor the batch's failure message.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class ConnectionSecretsTests(RedisServerFixture redis, PostgresServerFixture postgres)
{
    private const string Secret = "s3cret-Pa55-never-logged";

    private static async Task<(BatchInfo Batch, string Logs)> RunFailingBatchAsync(Func<CancellationToken, Task> sink)
    {
        var logs = new Logs();
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var completed = new TaskCompletionSource<BatchInfo>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var context = new StreamingContext(TimeSpan.FromSeconds(1), new StreamingOptions
        {
            TimeProvider = clock,
            LoggerFactory = logs,
            RestartStrategy = RestartStrategy.None,
            OperationTimeout = TimeSpan.FromSeconds(20),
        });
        context.QueueStream(new ConcurrentQueue<IEnumerable<int>>([[1]])).ForEachBatch((_, _, token) => sink(token));
        context.AddListener(new Completion(completed));
        await context.StartAsync();
        clock.Advance(TimeSpan.FromSeconds(1));
        var batch = await completed.Task.WaitAsync(TimeSpan.FromSeconds(60));
        await context.StopAsync(graceful: false);
        return (batch, logs.Text);
    }

    [Fact]
    public async Task A_postgres_password_is_in_neither_the_logs_nor_the_failure_when_the_server_refuses_the_connection()
    {
        var connectionString = new NpgsqlConnectionStringBuilder(postgres.ConnectionString) { Password = Secret, Database = "no_such_database", Pooling = false }.ConnectionString;
        Assert.Contains(Secret, connectionString, StringComparison.Ordinal);
        var (batch, logs) = await RunFailingBatchAsync(async token =>
        {
            await using var source = NpgsqlDataSource.Create(connectionString);
            await using var connection = await source.OpenConnectionAsync(token);
        });

        var failure = Assert.IsType<BatchFailedException>(batch.Failure);
        Assert.IsType<PostgresException>(failure.InnerException);
        Assert.DoesNotContain(Secret, failure.Message, StringComparison.Ordinal);
        Assert.Contains("no_such_database", logs, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, logs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_redis_password_is_in_neither_the_logs_nor_the_failure_when_the_server_cannot_be_reached()
    {
        // The fixture's server has no password and accepts any; a port nothing listens on fails the connect.
        Assert.NotEqual(0, redis.Port);
        var configuration = $"127.0.0.1:{ServerProcess.FreePort()},password={Secret},abortConnect=true,connectTimeout=1000";
        var (batch, logs) = await RunFailingBatchAsync(async _ =>
        {
            await using var connection = await ConnectionMultiplexer.ConnectAsync(configuration);
        });

        var failure = Assert.IsType<BatchFailedException>(batch.Failure);
        Assert.IsType<RedisConnectionException>(failure.InnerException);
        Assert.DoesNotContain(Secret, failure.Message, StringComparison.Ordinal);
        Assert.Contains("[1101]", logs, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, logs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_error_that_echoes_its_connection_string_is_masked_in_the_logs_and_the_failure()
    {
        var connectionString = new NpgsqlConnectionStringBuilder(postgres.ConnectionString) { Password = Secret }.ConnectionString;
        var (batch, logs) = await RunFailingBatchAsync(_ => throw new NpgsqlException($"could not use '{connectionString}'"));

        var failure = Assert.IsType<BatchFailedException>(batch.Failure);
        Assert.DoesNotContain(Secret, failure.Message, StringComparison.Ordinal);
        Assert.Contains("Password=***", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Password=***", logs, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, logs, StringComparison.Ordinal);
    }

    private sealed class Completion(TaskCompletionSource<BatchInfo> completed) : IStreamingListener
    {
        public void OnBatchCompleted(BatchInfo batch) => completed.TrySetResult(batch);
    }

    /// <summary>Every entry logged, as a console logger would print it (message and exception).</summary>
    private sealed class Logs : ILoggerFactory, ILogger
    {
        private readonly ConcurrentQueue<string> _entries = new();

        public string Text => string.Join("\n", _entries);

        public ILogger CreateLogger(string categoryName) => this;

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public void Dispose()
        {
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            _entries.Enqueue($"{logLevel} [{eventId.Id}] {formatter(state, exception)}\n{exception}");
    }
}
