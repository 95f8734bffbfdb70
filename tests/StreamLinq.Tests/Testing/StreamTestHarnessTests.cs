using StreamLinq.Testing;

namespace StreamLinq.Tests.Testing;

/// <summary>The testing package's harness: exact batches on virtual time, retries driven by the clock, restarts from the checkpoint, clear errors.</summary>
public class StreamTestHarnessTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task Records_pushed_for_a_batch_time_land_in_that_batch_and_a_push_in_the_next_one()
    {
        var input = new TestInput<int>();
        var output = new TestOutput<int>();
        await using var harness = new StreamTestHarness(options =>
        {
            var context = new StreamingContext(Second, options);
            context.AddInput(input).Select(x => x * 10).WriteTo(output);
            return context;
        });
        await harness.StartAsync();
        input.PushAt(new BatchTime(3 * Second.Ticks), 3);
        input.Push(1, 2);

        var batches = await harness.RunBatchesAsync(3);

        Assert.Equal([1, 2, 3], batches.Select(b => b.Time.Ticks / Second.Ticks));
        Assert.Equal([10, 20], output.Batches[batches[0].Time]);
        Assert.Empty(output.Batches[batches[1].Time]);
        Assert.Equal([30], output.Batches[batches[2].Time]);
    }

    [Fact]
    public async Task After_the_interval_changes_at_run_time_the_harness_runs_the_batch_times_the_engine_cuts()
    {
        var input = new TestInput<int>();
        var output = new TestOutput<int>();
        await using var harness = new StreamTestHarness(options =>
        {
            var context = new StreamingContext(Second, options);
            context.AddInput(input).WriteTo(output);
            return context;
        });
        await harness.StartAsync();
        await harness.RunBatchAsync();
        var change = harness.Context.SetBatchIntervalAsync(4 * Second);
        input.PushAt(new BatchTime(5 * Second.Ticks), 5);

        var batches = await harness.RunBatchesAsync(4);

        // Batch 2 was already due under 1 s when the change was asked for; from there on every
        // batch ends at a multiple of 4 s (the first one holds 2 s), and the record stamped 5 s
        // lands in the batch ending at 8 s.
        Assert.Equal([2, 4, 8, 12], batches.Select(b => b.Time.Ticks / Second.Ticks));
        Assert.Equal(4 * Second.Ticks, (await change).Ticks);
        Assert.Equal([5], output.Batches[batches[2].Time]);
        Assert.Equal(16 * Second.Ticks, harness.NextBatchTime.Ticks);
    }

    [Fact]
    public async Task A_thousand_batches_run_without_waiting_on_real_time()
    {
        var input = new TestInput<int>();
        var output = new TestOutput<long>();
        await using var harness = new StreamTestHarness(options =>
        {
            var context = new StreamingContext(TimeSpan.FromHours(1), options);
            context.AddInput(input).Window(TimeSpan.FromHours(3)).Count().WriteTo(output);
            return context;
        });
        await harness.StartAsync();
        for (var i = 0; i < 1000; i++)
        {
            input.PushAt(harness.NextBatchTime + (TimeSpan.FromHours(1) * i), i % 4 == 0 ? [i] : []);
        }

        var batches = await harness.RunBatchesAsync(1000);

        Assert.All(batches, b => Assert.Null(b.Failure));
        Assert.Equal(1000, output.Batches.Count);
        Assert.Equal(Enumerable.Range(0, 1000).Select(end => (long)Enumerable.Range(Math.Max(0, end - 2), Math.Min(end + 1, 3)).Count(i => i % 4 == 0)), output.Batches.Values.Select(b => b.Single()));
    }

    [Fact]
    public async Task A_restart_recovers_engine_state_from_the_checkpoint_and_continues_at_the_next_batch_time()
    {
        var input = new TestInput<string>();
        var counts = new TestOutput<KeyValuePair<string, int>>();
        var built = 0;
        await using var harness = new StreamTestHarness(
            options =>
            {
                built++;
                var context = new StreamingContext(Second, options);
                context.AddInput(input)
                    .Select(w => new KeyValuePair<string, int>(w, 1))
                    .UpdateStateByKey<string, int, int>((values, count) => (count ?? 0) + values.Count)
                    .WriteTo(counts);
                return context;
            },
            new StreamTestHarnessOptions { Checkpointing = true });
        await harness.StartAsync();
        input.Push("a", "a");
        var before = await harness.RunBatchAsync();

        await harness.RestartAsync();
        input.Push("a");
        var after = await harness.RunBatchAsync();

        Assert.Equal(2, built);
        Assert.Equal(1, harness.Restarts);
        Assert.Equal(before.Time + Second, after.Time);
        Assert.Equal([new KeyValuePair<string, int>("a", 3)], counts.Batches[after.Time]);
    }

    [Fact]
    public async Task A_batch_the_engine_retries_runs_again_at_once_on_the_harness_clock()
    {
        var input = new TestInput<int>();
        var sink = new FailingOnceSink();
        await using var harness = new StreamTestHarness(options =>
        {
            var context = new StreamingContext(Second, options);
            context.AddInput(input).WriteTo(sink);
            return context;
        });
        await harness.StartAsync();
        input.Push(7);
        var started = DateTime.UtcNow;

        var batch = await harness.RunBatchAsync();

        Assert.Null(batch.Failure);
        Assert.Equal(2, sink.Attempts);
        Assert.Equal([7], sink.Written);
        Assert.True(harness.Clock.GetUtcNow() > DateTimeOffset.UnixEpoch + Second, "the clock moved by the retry's delay");
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(25), "the retry's delay (at least a second, by default) passed on the harness clock, not in real time");
    }

    [Fact]
    public async Task A_factory_that_ignores_the_options_it_is_given_is_refused_with_the_reason()
    {
        await using var harness = new StreamTestHarness(_ => new StreamingContext(Second));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(harness.StartAsync);

        Assert.Contains("StreamingOptions it is given", error.Message);
    }

    [Fact]
    public async Task Restarting_without_checkpointing_is_refused_with_the_option_to_set()
    {
        var input = new TestInput<int>();
        await using var harness = new StreamTestHarness(options =>
        {
            var context = new StreamingContext(Second, options);
            context.AddInput(input).WriteTo(new TestOutput<int>());
            return context;
        });
        await harness.StartAsync();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(harness.RestartAsync);

        Assert.Contains("Checkpointing", error.Message);
    }

    [Fact]
    public async Task A_batch_whose_user_code_throws_comes_back_failed_with_the_error()
    {
        var input = new TestInput<int>();
        await using var harness = new StreamTestHarness(
            options =>
            {
                var context = new StreamingContext(Second, options);
                context.AddInput(input).Select(x => 10 / x).WriteTo(new TestOutput<int>());
                return context;
            },
            new StreamTestHarnessOptions { StreamingOptions = new StreamingOptions { StopOnBatchFailure = false } });
        await harness.StartAsync();
        input.Push(0);

        var batch = await harness.RunBatchAsync();

        Assert.IsType<DivideByZeroException>(Assert.IsType<BatchFailedException>(batch.Failure).InnerException);
    }

    private sealed class FailingOnceSink : IBatchSink<int>
    {
        public int Attempts { get; private set; }

        public List<int> Written { get; } = [];

        public Task WriteBatchAsync(IReadOnlyList<int> batch, BatchTime time, CancellationToken cancellationToken)
        {
            // Later batches, due once the clock moved by the retry's delay, are empty: only the
            // batch holding the record counts.
            if (batch.Count == 0)
            {
                return Task.CompletedTask;
            }

            if (++Attempts == 1)
            {
                throw new IOException("The table is locked for a moment.");
            }

            Written.AddRange(batch);
            return Task.CompletedTask;
        }
    }
}
