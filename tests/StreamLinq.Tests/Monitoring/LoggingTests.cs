using Microsoft.Extensions.Logging;
using StreamLinq.Tests.Support;

namespace StreamLinq.Tests.Monitoring;

/// <summary>What the engine logs through <see cref="StreamingOptions.LoggerFactory"/>, under which event ids, and what it never logs.</summary>
public sealed class LoggingTests
{
    private const string Secret = "hunter2-do-not-log";

    [Fact]
    public async Task Start_batch_failure_and_stop_are_logged_with_their_fixed_event_ids()
    {
        var logs = new CapturedLogs();
        var harness = new StreamHarness(options: new StreamingOptions { LoggerFactory = logs, JobName = "logged-job", StopOnBatchFailure = false, RestartStrategy = RestartStrategy.None });
        await using (harness)
        {
            harness.Queue(new[] { new[] { 1, 2 }, new[] { 0 } }).Select(x => 10 / x).ForEachBatch((_, _) => { });
            await harness.StartAsync();
            var ok = await harness.RunBatchAsync();
            var failed = await harness.RunBatchAsync();
            await harness.Context.StopAsync();

            Assert.Null(ok.Failure);
            Assert.NotNull(failed.Failure);
            var started = Assert.Single(logs.Entries, e => e.Id.Id == 1000);
            Assert.Equal(LogLevel.Information, started.Level);
            Assert.Contains("logged-job", started.Message, StringComparison.Ordinal);
            var failure = Assert.Single(logs.Entries, e => e.Id.Id == 1101);
            Assert.Equal(LogLevel.Error, failure.Level);
            Assert.Contains(failed.Time.ToString(), failure.Message, StringComparison.Ordinal);
            Assert.IsType<DivideByZeroException>(failure.Exception?.InnerException);
            Assert.Single(logs.Entries, e => e.Id.Id == 1100 && e.Message.Contains(ok.Time.ToString(), StringComparison.Ordinal));
            Assert.Single(logs.Entries, e => e.Id.Id == 1001);
            await harness.Context.AwaitTerminationAsync();
            for (var i = 0; i < 100 && !logs.Entries.Any(e => e.Id.Id == 1002); i++)
            {
                await Task.Delay(50); // the stopped line follows termination on the thread pool
            }

            Assert.Single(logs.Entries, e => e.Id.Id == 1002);
            Assert.All(logs.Entries, e => Assert.Equal("StreamLinq", e.Category));
        }
    }

    [Fact]
    public async Task A_listener_that_throws_is_logged_as_an_error_and_the_batch_completes()
    {
        var logs = new CapturedLogs();
        await using var harness = new StreamHarness(options: new StreamingOptions { LoggerFactory = logs });
        harness.Context.AddListener(new ThrowingListener());
        var results = StreamHarness.Collect(harness.Queue(new[] { new[] { 1 } }));
        await harness.StartAsync();
        var batch = await harness.RunBatchAsync();

        Assert.Null(batch.Failure);
        Assert.Equal([1], results[batch.Time]);
        for (var i = 0; i < 100 && !logs.Entries.Any(e => e.Id.Id == 1400); i++)
        {
            await Task.Delay(50); // the completed event reaches the listeners after the batch's result is published
        }

        var entry = Assert.Single(logs.Entries, e => e.Id.Id == 1400);
        Assert.Equal(LogLevel.Error, entry.Level);
        Assert.Contains(nameof(ThrowingListener), entry.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Host=db;Username=app;Password=" + Secret + ";Database=x")]
    [InlineData("db:6379,password=" + Secret + ",ssl=true")]
    [InlineData("redis://app:" + Secret + "@db:6379/0")]
    [InlineData("Server=db;User Id=app;Pwd='" + Secret + "'")]
    public async Task A_connection_string_in_an_error_reaches_neither_the_logs_nor_the_batch_failure(string connectionString)
    {
        var logs = new CapturedLogs();
        await using var harness = new StreamHarness(options: new StreamingOptions { LoggerFactory = logs, RestartStrategy = RestartStrategy.None });
        harness.Queue(new[] { new[] { 1 } }).ForEachBatch((_, _) => throw new InvalidOperationException($"could not connect with '{connectionString}'", new IOException("inner: " + connectionString)));
        await harness.StartAsync();
        var batch = await harness.RunBatchAsync();

        var failure = Assert.IsType<BatchFailedException>(batch.Failure);
        Assert.DoesNotContain(Secret, failure.Message, StringComparison.Ordinal);
        Assert.Contains(logs.Entries, e => e.Id.Id == 1101);
        Assert.DoesNotContain(Secret, logs.AllText, StringComparison.Ordinal);
        Assert.Contains("***", logs.AllText, StringComparison.Ordinal);
    }

    private sealed class ThrowingListener : IStreamingListener
    {
        public void OnBatchCompleted(BatchInfo batch) => throw new InvalidOperationException("listener bug");
    }
}
