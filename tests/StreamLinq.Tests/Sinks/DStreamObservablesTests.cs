using System.Reactive;
using StreamLinq.Tests.Support;

namespace StreamLinq.Tests.Sinks;

/// <summary>
/// A stream's results consumed as Rx observables (per batch, or flattened records) and as an
/// asynchronous sequence, against the batches a queue stream is given (the oracle).
/// </summary>
public class DStreamObservablesTests
{
    private static readonly int[][] Input = [[1, 2, 3], [], [4, 5], [6]];

    [Fact]
    public async Task ToObservable_delivers_one_batch_per_batch_time_with_its_records_then_completes()
    {
        await using var harness = new StreamHarness();
        var seen = new List<(BatchTime Time, int[] Records)>();
        var completed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = harness.Queue(Input).Select(x => x * 10).ToObservable()
            .Subscribe(Observer.Create<StreamBatch<int>>(b => seen.Add((b.Time, [.. b.Records])), e => completed.SetException(e), completed.SetResult));
        await harness.StartAsync();
        var times = new List<BatchTime>();
        for (var i = 0; i < Input.Length; i++)
        {
            times.Add((await harness.RunBatchAsync()).Time);
        }

        await harness.Context.StopAsync(graceful: true);
        await completed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(times, seen.Select(s => s.Time).Take(Input.Length));
        Assert.Equal(Input.Select(b => b.Select(x => x * 10)), seen.Take(Input.Length).Select(s => s.Records));
    }

    [Fact]
    public async Task ToRecordObservable_delivers_every_record_once_in_order()
    {
        await using var harness = new StreamHarness();
        var seen = new List<int>();
        using var subscription = harness.Queue(Input).Where(x => x % 2 == 0).ToRecordObservable().Subscribe(Observer.Create<int>(seen.Add));
        await harness.StartAsync();
        for (var i = 0; i < Input.Length; i++)
        {
            await harness.RunBatchAsync();
        }

        Assert.Equal(Input.SelectMany(b => b).Where(x => x % 2 == 0), seen);
    }

    [Fact]
    public async Task An_observer_that_throws_fails_the_batch_and_the_others_see_the_failure()
    {
        var logs = new CapturedLogs();
        await using var harness = new StreamHarness(options: new StreamingOptions { LoggerFactory = logs });
        var stream = harness.Queue(Input).ToObservable();
        var failed = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var throwing = stream.Subscribe(Observer.Create<StreamBatch<int>>(_ => throw new InvalidOperationException("observer broke")));
        using var watching = stream.Subscribe(Observer.Create<StreamBatch<int>>(_ => { }, e => failed.TrySetResult(e)));
        await harness.StartAsync();
        var batch = await harness.RunBatchAsync();
        var failure = Assert.IsType<BatchFailedException>(batch.Failure);
        Assert.Contains("observer broke", failure.InnerException!.Message, StringComparison.Ordinal);
        Assert.IsType<BatchFailedException>(await failed.Task.WaitAsync(TimeSpan.FromSeconds(30)));

        // The throwing observer's default OnError rethrows at termination: logged, not lost, not fatal.
        Assert.Contains(logs.Entries, e => e.Id.Id == 1401 && e.Exception is not null);
    }

    [Fact]
    public async Task ToAsyncEnumerable_yields_every_record_in_order_and_ends_when_the_context_stops()
    {
        await using var harness = new StreamHarness();
        var records = harness.Queue(Input).Select(x => x + 1).ToAsyncEnumerable(bufferedBatches: 1);
        await harness.StartAsync();
        var attached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var consumer = Task.Run(async () =>
        {
            var seen = new List<int>();
            await using var enumerator = records.GetAsyncEnumerator();
            var next = enumerator.MoveNextAsync();
            attached.SetResult();
            while (await next)
            {
                seen.Add(enumerator.Current);
                next = enumerator.MoveNextAsync();
            }

            return seen;
        });
        await attached.Task;
        for (var i = 0; i < Input.Length; i++)
        {
            await harness.RunBatchAsync();
        }

        await harness.Context.StopAsync(graceful: true);
        Assert.Equal(Input.SelectMany(b => b).Select(x => x + 1), await consumer.WaitAsync(TimeSpan.FromSeconds(30)));
    }
}
