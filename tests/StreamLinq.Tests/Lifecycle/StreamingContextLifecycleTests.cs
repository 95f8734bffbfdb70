using System.Collections.Concurrent;
using System.Reactive.Subjects;
using StreamLinq.Tests.Support;

namespace StreamLinq.Tests.Lifecycle;

public class StreamingContextLifecycleTests
{
    private static IDStream<int> EmptyQueue(StreamingContext context) => context.QueueStream(new ConcurrentQueue<IEnumerable<int>>());

    [Theory]
    [InlineData(9)]
    [InlineData(24 * 3600 * 1000 + 1)]
    public void A_batch_interval_outside_10ms_to_24h_is_refused(int milliseconds)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new StreamingContext(TimeSpan.FromMilliseconds(milliseconds)));
        Assert.Equal("batchInterval", error.ParamName);
    }

    [Fact]
    public async Task Starting_twice_is_refused()
    {
        await using var harness = new StreamHarness();
        EmptyQueue(harness.Context).Print();
        await harness.StartAsync();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => harness.Context.StartAsync());
        Assert.Contains("already been started", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Adding_sources_or_outputs_after_the_start_is_refused()
    {
        await using var harness = new StreamHarness();
        var stream = EmptyQueue(harness.Context);
        stream.Print();
        await harness.StartAsync();
        Assert.Throws<InvalidOperationException>(() => EmptyQueue(harness.Context));
        var error = Assert.Throws<InvalidOperationException>(() => stream.ForEachBatch((_, _) => { }));
        Assert.Contains("Cannot add an output operation", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stopped_context_cannot_be_restarted()
    {
        await using var harness = new StreamHarness();
        EmptyQueue(harness.Context).Print();
        await harness.StartAsync();
        await harness.Context.StopAsync();
        Assert.Equal(StreamingContextState.Stopped, harness.Context.State);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => harness.Context.StartAsync());
        Assert.Contains("cannot be restarted", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Starting_without_an_output_operation_is_refused()
    {
        await using var harness = new StreamHarness();
        EmptyQueue(harness.Context).Select(x => x + 1);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => harness.Context.StartAsync());
        Assert.Contains("No output operation", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Graceful_stop_processes_the_records_already_received()
    {
        await using var harness = new StreamHarness();
        var subject = new Subject<int>();
        var results = StreamHarness.Collect(harness.Context.FromObservable(subject).Select(x => x * 10));
        await harness.StartAsync();
        subject.OnNext(1);
        subject.OnNext(2);
        await harness.Context.StopAsync(graceful: true);
        await harness.Context.AwaitTerminationAsync();
        Assert.Equal(new[] { 10, 20 }, Assert.Single(results).Value);
    }

    [Fact]
    public async Task A_producer_held_back_at_a_graceful_stop_is_told_its_value_was_not_accepted()
    {
        await using var harness = new StreamHarness();
        var subject = new Subject<int>();
        var results = StreamHarness.Collect(harness.Context.FromObservable(subject, new ReceiverOptions { BufferCapacity = 1 }));
        await harness.StartAsync();
        subject.OnNext(1);
        var entered = new TaskCompletionSource();
        var held = Task.Run(() =>
        {
            entered.SetResult();
            subject.OnNext(2); // the buffer is full: this producer waits
        });
        await entered.Task;
        await Task.Delay(200);
        await harness.Context.StopAsync(graceful: true);
        await held.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(new[] { 1 }, Assert.Single(results).Value);
        var refused = Assert.IsType<SourceException>(Assert.Single(harness.SourceErrors));
        Assert.Contains("was not accepted", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Abrupt_stop_drops_what_was_not_yet_sealed()
    {
        await using var harness = new StreamHarness();
        var subject = new Subject<int>();
        var results = StreamHarness.Collect(harness.Context.FromObservable(subject));
        await harness.StartAsync();
        subject.OnNext(1);
        await harness.Context.StopAsync(graceful: false);
        await harness.Context.AwaitTerminationAsync();
        Assert.Empty(results);
    }

    [Fact]
    public async Task User_code_that_throws_fails_the_batch_and_stops_the_context_with_the_error()
    {
        await using var harness = new StreamHarness();
        var divided = harness.Queue(new[] { new[] { 1, 2 }, new[] { 0 }, new[] { 5 } }).Select(x => 10 / x);
        var results = StreamHarness.Collect(divided);
        await harness.StartAsync();
        await harness.RunBatchAsync();
        var failed = await harness.RunBatchAsync();

        var error = await Assert.ThrowsAsync<BatchFailedException>(() => harness.Context.AwaitTerminationAsync());
        Assert.Same(failed.Failure, error);
        Assert.Equal(new BatchTime(TimeSpan.FromSeconds(2).Ticks), error.Time);
        Assert.IsType<DivideByZeroException>(error.InnerException);
        Assert.Contains("FusedStage [Select(x => 10 / x)]", error.Message, StringComparison.Ordinal);
        Assert.Contains("Batch 1970-01-01T00:00:02Z failed", error.Message, StringComparison.Ordinal);
        Assert.Single(results);
    }

    [Fact]
    public async Task A_throwing_sink_is_named_in_the_failure()
    {
        await using var harness = new StreamHarness();
        var stream = harness.Queue(new[] { new[] { 1 } });
        stream.Print(writer: TextWriter.Null);
        stream.ForEachBatch((_, _) => throw new InvalidOperationException("sink is down"));
        await harness.StartAsync();
        var batch = await harness.RunBatchAsync();
        var failure = Assert.IsType<BatchFailedException>(batch.Failure);
        Assert.Equal("ForEachBatch #2", failure.Operation);
        Assert.Contains("sink is down", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_output_can_stop_its_own_context_without_deadlocking()
    {
        await using var harness = new StreamHarness();
        var seen = 0;
        harness.Queue(new[] { new[] { 1 }, new[] { 2 } }).ForEachBatch(async (batch, _, _) =>
        {
            seen += batch.Count;
            await harness.Context.StopAsync(graceful: true);
        });
        await harness.StartAsync();
        await harness.RunBatchAsync();
        await harness.Context.AwaitTerminationAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(2, seen); // a graceful stop still finishes what the queue source held
        Assert.Equal(StreamingContextState.Stopped, harness.Context.State);
    }

    [Fact]
    public async Task A_source_that_cannot_seal_fails_its_batch_and_the_context_terminates()
    {
        var directory = Directory.CreateTempSubdirectory();
        await using var harness = new StreamHarness();
        StreamHarness.Collect(harness.Context.TextFileStream(directory.FullName));
        await harness.StartAsync();
        directory.Delete();
        var batch = await harness.RunBatchAsync();
        var source = Assert.IsType<SourceException>(Assert.IsType<BatchFailedException>(batch.Failure).InnerException);
        Assert.Contains("could not seal the batch", source.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<BatchFailedException>(() => harness.Context.AwaitTerminationAsync().WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Without_stop_on_failure_the_next_batch_still_runs()
    {
        await using var harness = new StreamHarness(options: new StreamingOptions { StopOnBatchFailure = false });
        var results = StreamHarness.Collect(harness.Queue(new[] { new[] { 0 }, new[] { 4 } }).Select(x => 8 / x));
        await harness.StartAsync();
        Assert.NotNull((await harness.RunBatchAsync()).Failure);
        Assert.Null((await harness.RunBatchAsync()).Failure);
        Assert.Equal(new[] { 2 }, Assert.Single(results).Value);
        Assert.Equal(StreamingContextState.Active, harness.Context.State);
    }

    [Fact]
    public async Task Output_operations_run_in_the_order_they_were_defined_and_share_the_batch()
    {
        await using var harness = new StreamHarness();
        var order = new ConcurrentQueue<string>();
        var evaluations = 0;
        var stream = harness.Queue(new[] { new[] { 1, 2, 3 } }).Select(x => Interlocked.Increment(ref evaluations) > 0 ? x : x);
        stream.ForEachBatch((b, _) => order.Enqueue("first:" + b.Count));
        stream.ForEachBatch(async (b, _, _) =>
        {
            await Task.Yield();
            order.Enqueue("second:" + b.Sum());
        });
        stream.Where(x => x > 1).ForEachBatch((b, _) => order.Enqueue("third:" + b.Count));
        await harness.StartAsync();
        await harness.RunBatchAsync();
        Assert.Equal(new[] { "first:3", "second:6", "third:2" }, order);
        Assert.Equal(6, evaluations); // the shared Select ran once for the first two outputs; the third fuses its own copy
    }

    [Fact]
    public async Task Listeners_see_each_batch_submitted_started_and_completed_with_its_record_count()
    {
        await using var harness = new StreamHarness();
        var events = new RecordingListener();
        harness.Context.AddListener(events);
        harness.Queue(new[] { new[] { 1, 2, 3 }, Array.Empty<int>() }).ForEachBatch((_, _) => { });
        await harness.StartAsync();
        // The harness's own listener, registered first, may release this test before the bus
        // reaches this one: wait for it, so that the next batch's events cannot overtake.
        await harness.RunBatchAsync();
        SpinWait.SpinUntil(() => events.Log.Count == 3, TimeSpan.FromSeconds(10));
        var second = await harness.RunBatchAsync();
        SpinWait.SpinUntil(() => events.Log.Count == 6, TimeSpan.FromSeconds(10));
        Assert.Equal(new[] { "submitted 1000ms", "started 1000ms", "completed 1000ms 3", "submitted 2000ms", "started 2000ms", "completed 2000ms 0" }, events.Log);
        Assert.Equal(TimeSpan.Zero, second.SchedulingDelay);
        Assert.Equal(TimeSpan.Zero, second.ProcessingDelay); // the manual clock does not move while a batch runs
    }

    [Fact]
    public async Task Exactly_once_from_a_source_that_cannot_replay_is_refused_at_start()
    {
        await using var harness = new StreamHarness();
        // The sink is marked: the refusal must name the source alone, and say that the mark does not help.
        harness.Context.FromObservable(new Subject<int>()).ForEachBatch([IdempotentSink] (_, _) => { }, DeliveryGuarantee.ExactlyOnce);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => harness.Context.StartAsync());
        Assert.Contains("ForEachBatch #1 asks for exactly-once delivery, but its source ObservableStream cannot replay", error.Message, StringComparison.Ordinal);
        Assert.Contains("marking the sink does not help", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("neither transactional", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exactly_once_from_a_source_that_cannot_replay_into_an_unsafe_sink_names_both_at_start()
    {
        await using var harness = new StreamHarness();
        harness.Context.FromObservable(new Subject<int>()).ForEachBatch((_, _) => { }, DeliveryGuarantee.ExactlyOnce);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => harness.Context.StartAsync());
        Assert.Contains("ForEachBatch #1 asks for exactly-once delivery, but neither its source nor its sink can give it", error.Message, StringComparison.Ordinal);
        Assert.Contains("its source ObservableStream cannot replay a batch", error.Message, StringComparison.Ordinal);
        Assert.Contains("its sink is neither transactional", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exactly_once_into_a_sink_that_is_neither_transactional_nor_idempotent_is_refused_at_start()
    {
        var directory = Directory.CreateTempSubdirectory();
        try
        {
            await using var harness = new StreamHarness();
            harness.Context.TextFileStream(directory.FullName).ForEachBatch((_, _) => { }, DeliveryGuarantee.ExactlyOnce);
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => harness.Context.StartAsync());
            Assert.Contains("neither transactional", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("cannot replay", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void Context_Explain_lists_every_output_with_its_delivery_guarantee()
    {
        var context = new StreamingContext(TimeSpan.FromSeconds(1));
        var stream = EmptyQueue(context);
        stream.Print();
        stream.Count().ForEachBatch((_, _) => { });
        var plan = context.Explain();
        Assert.Contains("Print #1 (at most once)", plan, StringComparison.Ordinal);
        Assert.Contains("ForEachBatch #2 (at least once)", plan, StringComparison.Ordinal);
        Assert.Contains("Aggregate: Count() ⇒ BatchAggregate", plan, StringComparison.Ordinal);
    }

    private sealed class RecordingListener : IStreamingListener
    {
        public ConcurrentQueue<string> Log { get; } = new();

        public void OnBatchSubmitted(BatchInfo batch) => Log.Enqueue($"submitted {batch.Time.Milliseconds}ms");

        public void OnBatchStarted(BatchInfo batch) => Log.Enqueue($"started {batch.Time.Milliseconds}ms");

        public void OnBatchCompleted(BatchInfo batch) => Log.Enqueue($"completed {batch.Time.Milliseconds}ms {batch.RecordCount}");
    }
}
