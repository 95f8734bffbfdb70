using System.Collections.Concurrent;

namespace StreamLinq.Tests.Sinks;

/// <summary>
/// At start the context reads every transactional output's last commit back from its sink:
/// a sink that fails or does not answer fails the start, naming the output; new batch times come
/// after the last committed one.
/// </summary>
public sealed class SinkCommitReadTests
{
    [Fact]
    public async Task Start_fails_naming_the_output_when_the_sink_cannot_read_its_last_commit()
    {
        var sink = new RecordingSink(_ => Task.FromException<BatchCommit?>(new IOException("the database is down")));
        await using var context = Create(sink, new ManualClock());

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => context.StartAsync());
        Assert.Contains("WriteTo(RecordingSink) #2", error.Message, StringComparison.Ordinal);
        Assert.Contains("the database is down", error.Message, StringComparison.Ordinal);
        Assert.Equal(StreamingContextState.Initialized, context.State);
    }

    [Fact]
    public async Task Start_fails_after_the_timeout_when_the_sink_never_answers()
    {
        // The sink ignores its token: the engine must not wait for it all the same.
        var sink = new RecordingSink(_ => new TaskCompletionSource<BatchCommit?>().Task);
        await using var context = Create(sink, new ManualClock(), TimeSpan.FromMilliseconds(200));

        var start = Task.Run(() => context.StartAsync());
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => start.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("WriteTo(RecordingSink) #2", error.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(StreamingOptions.SinkCommitReadTimeout), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Offsets_the_engine_did_not_write_fail_the_start_with_the_offsets_quoted()
    {
        var sink = new RecordingSink(id => Task.FromResult<BatchCommit?>(new BatchCommit(id, new BatchTime(1), "not json")));
        await using var context = Create(sink, new ManualClock());

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => context.StartAsync());
        Assert.Contains("WriteTo(RecordingSink) #2", error.Message, StringComparison.Ordinal);
        Assert.Contains("not json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task New_batch_times_come_after_the_last_batch_time_a_sink_committed()
    {
        var committed = new BatchTime(TimeSpan.FromSeconds(50).Ticks);
        var sink = new RecordingSink(id => Task.FromResult<BatchCommit?>(new BatchCommit(id, committed, "{}")));
        var clock = new ManualClock(TimeSpan.FromSeconds(10).Ticks);
        await using var context = Create(sink, clock);
        await context.StartAsync();
        Assert.Equal(["WriteTo(RecordingSink) #2"], sink.Reads);

        clock.Advance(TimeSpan.FromSeconds(41));
        var first = await sink.Commits.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(committed + TimeSpan.FromSeconds(1), first.Time);
        Assert.Equal([7], first.Records);
    }

    private static StreamingContext Create(RecordingSink sink, ManualClock clock, TimeSpan? timeout = null)
    {
        var context = new StreamingContext(TimeSpan.FromSeconds(1), new StreamingOptions { Clock = clock, SinkCommitReadTimeout = timeout ?? TimeSpan.FromSeconds(30) });
        var numbers = context.QueueStream(new ConcurrentQueue<IEnumerable<int>>([[7]]));
        numbers.ForEachBatch((_, _) => { });
        numbers.WriteTo(sink);
        return context;
    }

    private sealed class RecordingSink(Func<string, Task<BatchCommit?>> readLastCommit) : ITransactionalSink<int>
    {
        public ConcurrentQueue<string> Reads { get; } = new();

        public System.Threading.Channels.Channel<(BatchTime Time, int[] Records)> Commits { get; } = System.Threading.Channels.Channel.CreateUnbounded<(BatchTime, int[])>();

        public Task<BatchCommit?> ReadLastCommitAsync(string outputId, CancellationToken cancellationToken)
        {
            Reads.Enqueue(outputId);
            return readLastCommit(outputId);
        }

        public Task CommitBatchAsync(IReadOnlyList<int> batch, BatchCommit commit, CancellationToken cancellationToken)
        {
            Commits.Writer.TryWrite((commit.Time, batch.ToArray()));
            return Task.CompletedTask;
        }

        public Task WriteBatchAsync(IReadOnlyList<int> batch, BatchTime time, CancellationToken cancellationToken) =>
            CommitBatchAsync(batch, new BatchCommit("default", time, "{}"), cancellationToken);
    }
}
