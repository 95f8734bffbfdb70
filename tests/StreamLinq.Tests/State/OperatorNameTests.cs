using System.Collections.Concurrent;
using System.Text;
using StreamLinq.Tests.Checkpointing;

namespace StreamLinq.Tests.State;

/// <summary>
/// <c>.Named(...)</c>: a stateful operator's state is kept under its name, an output's name is its
/// commit id, and a name that identifies nothing, or two things, is refused with a message.
/// </summary>
public class OperatorNameTests
{
    [Fact]
    public async Task A_named_operators_state_is_checkpointed_under_its_name_and_an_unnamed_ones_under_its_derived_id()
    {
        using var scratch = new Scratch();
        await using (var run = new CheckpointHarness(scratch.Checkpoints, context =>
        {
            var lines = context.TextFileStream(scratch.Input);
            lines.Window(TimeSpan.FromSeconds(2)).Count().Named("sessions").ForEachBatch((_, _) => { });
            lines.Window(TimeSpan.FromSeconds(3)).Count().ForEachBatch((_, _) => { });
        }))
        {
            scratch.AddFile("a");
            await run.StartAsync();
            await run.RunUntilAsync(CheckpointHarness.Second(1));
            await run.Context.StopAsync(graceful: false);
        }

        var checkpoint = Encoding.UTF8.GetString(File.ReadAllBytes(scratch.CheckpointFiles()[^1]));
        Assert.Contains("\"id\":\"sessions\"", checkpoint, StringComparison.Ordinal);
        Assert.Matches("\"id\":\"WindowedReduce#[0-9a-f]{12}\"", checkpoint);
    }

    [Fact]
    public async Task A_name_right_before_an_output_is_its_commit_id()
    {
        var sink = new CommitIdSink();
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        await using var context = new StreamingContext(TimeSpan.FromSeconds(1), new StreamingOptions { TimeProvider = clock });
        var numbers = context.QueueStream(new ConcurrentQueue<IEnumerable<int>>([[1, 2]]));
        numbers.ForEachBatch((_, _) => { });
        numbers.Named("totals").WriteTo(sink);
        await context.StartAsync();
        clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal("totals", await sink.Commits.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(["totals"], sink.Reads);
    }

    [Fact]
    public void Explain_shows_a_named_operator_with_its_name()
    {
        var context = new StreamingContext(TimeSpan.FromSeconds(1));
        context.QueueStream(new ConcurrentQueue<IEnumerable<int>>())
            .Select(x => new KeyValuePair<int, int>(x, 1))
            .UpdateStateByKey((IReadOnlyList<int> ones, int? count) => (int?)((count ?? 0) + ones.Count))
            .Named("counts")
            .ForEachBatch((_, _) => { });

        Assert.Contains("UpdateStateByKey \"counts\":", context.Explain(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_name_on_an_operator_that_keeps_no_state_is_refused()
    {
        var context = new StreamingContext(TimeSpan.FromSeconds(1));
        context.QueueStream(new ConcurrentQueue<IEnumerable<int>>()).Where(x => x > 0).Named("positive").Select(x => x * 2).ForEachBatch((_, _) => { });

        var error = Assert.Throws<NotSupportedException>(context.Explain);
        Assert.Contains("Named(\"positive\")", error.Message, StringComparison.Ordinal);
        Assert.Contains("keeps no state", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_name_on_a_window_the_aggregation_over_it_absorbs_asks_for_the_aggregation_to_be_named()
    {
        var context = new StreamingContext(TimeSpan.FromSeconds(1));
        context.QueueStream(new ConcurrentQueue<IEnumerable<int>>()).Window(TimeSpan.FromSeconds(2)).Named("window").Count().ForEachBatch((_, _) => { });

        var error = Assert.Throws<NotSupportedException>(context.Explain);
        Assert.Contains("Named(\"window\")", error.Message, StringComparison.Ordinal);
        Assert.Contains("name that operator instead", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_operators_with_one_name_are_refused()
    {
        var context = new StreamingContext(TimeSpan.FromSeconds(1));
        var numbers = context.QueueStream(new ConcurrentQueue<IEnumerable<int>>());
        numbers.Window(TimeSpan.FromSeconds(2)).Count().Named("counts").ForEachBatch((_, _) => { });
        numbers.Window(TimeSpan.FromSeconds(3)).Count().Named("counts").Select(c => c + 1).ForEachBatch((_, _) => { });

        var error = Assert.Throws<NotSupportedException>(context.Explain);
        Assert.Contains("Two operators are named \"counts\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_outputs_with_one_name_are_refused_when_the_second_is_defined()
    {
        var context = new StreamingContext(TimeSpan.FromSeconds(1));
        var numbers = context.QueueStream(new ConcurrentQueue<IEnumerable<int>>()).Named("numbers");
        numbers.ForEachBatch((_, _) => { });

        var error = Assert.Throws<InvalidOperationException>(() => numbers.Print());
        Assert.Contains("Two output operations are named \"numbers\"", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("a#b")]
    [InlineData("a/2")]
    public void A_name_that_is_blank_or_holds_a_derived_ids_separator_is_refused(string name)
    {
        var context = new StreamingContext(TimeSpan.FromSeconds(1));
        var numbers = context.QueueStream(new ConcurrentQueue<IEnumerable<int>>());
        Assert.ThrowsAny<ArgumentException>(() => numbers.Named(name));
    }

    private sealed class CommitIdSink : ITransactionalSink<int>
    {
        public ConcurrentQueue<string> Reads { get; } = new();

        public System.Threading.Channels.Channel<string> Commits { get; } = System.Threading.Channels.Channel.CreateUnbounded<string>();

        public Task<BatchCommit?> ReadLastCommitAsync(string outputId, CancellationToken cancellationToken)
        {
            Reads.Enqueue(outputId);
            return Task.FromResult<BatchCommit?>(null);
        }

        public Task CommitBatchAsync(IReadOnlyList<int> batch, BatchCommit commit, CancellationToken cancellationToken)
        {
            Commits.Writer.TryWrite(commit.OutputId);
            return Task.CompletedTask;
        }

        public Task WriteBatchAsync(IReadOnlyList<int> batch, BatchTime time, CancellationToken cancellationToken) =>
            CommitBatchAsync(batch, new BatchCommit("default", time, "{}"), cancellationToken);
    }
}
