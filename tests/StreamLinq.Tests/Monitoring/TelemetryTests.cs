using System.Diagnostics;
using System.Reactive.Subjects;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace StreamLinq.Tests.Monitoring;

/// <summary>
/// The metrics and traces, collected by the OpenTelemetry SDK's in-memory exporters as a user's
/// OpenTelemetry pipeline would: every instrument of the <c>StreamLinq</c> meter with its tags,
/// and the batch span with its output and checkpoint children.
/// </summary>
public sealed class TelemetryTests : IDisposable
{
    private static readonly DateTimeOffset Epoch = DateTimeOffset.UnixEpoch;
    private static readonly byte[] Invalid = [(byte)'o', (byte)'k', (byte)'\n', 0xC3, 0x28, (byte)'\n'];
    private readonly DirectoryInfo _watched = Directory.CreateTempSubdirectory("streamlinq-telemetry-in");
    private readonly DirectoryInfo _checkpoints = Directory.CreateTempSubdirectory("streamlinq-telemetry-cp");
    private readonly string _job = "telemetry-" + Guid.NewGuid().ToString("N");

    public void Dispose()
    {
        _watched.Delete(recursive: true);
        _checkpoints.Delete(recursive: true);
    }

    public sealed record Reading(string Key, DateTimeOffset Time);

    [Fact]
    public async Task The_in_memory_exporter_sees_every_instrument_with_its_job_and_source_output_or_operator_tag_and_one_span_tree_per_batch()
    {
        var metrics = new List<MetricSnapshot>();
        var spans = new List<Activity>();
        using var meters = Sdk.CreateMeterProviderBuilder().AddMeter(StreamingDiagnostics.MeterName).AddInMemoryExporter(metrics).Build();
        using var tracer = Sdk.CreateTracerProviderBuilder().AddSource(StreamingDiagnostics.ActivitySourceName).AddInMemoryExporter(spans).Build();
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var readings = new Subject<Reading>();
        var blocked = new Subject<string>();
        var completed = new BatchWaiter();
        var context = StreamingContext.GetOrCreate(_checkpoints.FullName, () =>
        {
            var ssc = new StreamingContext(TimeSpan.FromSeconds(1), new StreamingOptions { TimeProvider = clock, JobName = _job });
            var stream = ssc.FromObservable(readings, new ReceiverOptions { MaxRatePerSecond = 1_000_000, BufferCapacity = 10_000 });
            stream.UpdateStateByKey(r => r.Key, r => 1, (IReadOnlyList<int> ones, int? total) => (total ?? 0) + ones.Count).ForEachBatch((_, _) => { });
            stream.WithEventTime(r => r.Time, TimeSpan.FromSeconds(1))
                .WindowByEventTime(r => r.Key, EventTimeWindows.Tumbling(TimeSpan.FromSeconds(10)))
                .Select(w => w.Key)
                .ForEachBatch((_, _) => { });
            ssc.FromObservable(blocked, new ReceiverOptions { BufferCapacity = 1 }).ForEachBatch((_, _) => { });
            ssc.TextFileStream(_watched.FullName, new TextFileStreamOptions { BadRecordPolicy = BadRecordPolicy.Skip }).ForEachBatch((_, _) => { });
            return ssc;
        });
        context.AddListener(completed);
        var first = new BatchTime(TimeSpan.FromSeconds(1).Ticks);
        await using (context)
        {
            await context.StartAsync();
            readings.OnNext(new Reading("a", Epoch.AddSeconds(0.2)));
            readings.OnNext(new Reading("b", Epoch.AddSeconds(0.5)));
            await File.WriteAllBytesAsync(Path.Combine(_watched.FullName, "bad.txt"), Invalid);
            clock.Advance(TimeSpan.FromSeconds(1));
            Assert.Null((await completed.For(first)).Failure);
            readings.OnNext(new Reading("a", Epoch.AddSeconds(1.5)));
            clock.Advance(TimeSpan.FromSeconds(1));
            Assert.Null((await completed.For(first + context.BatchInterval)).Failure);

            // Observable gauges are read at collection, while the job runs.
            meters.ForceFlush();

            // A producer held back by a full buffer when the context stops is refused.
            blocked.OnNext("fills the buffer");
            var producing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var held = Task.Run(() =>
            {
                producing.SetResult();
                blocked.OnNext("held back");
            });
            await producing.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await Task.Delay(300); // into the receiver, waiting for room, before the stop
            Assert.False(held.IsCompleted, "the second value should wait for room in the buffer");
            await context.StopAsync();
            await held.WaitAsync(TimeSpan.FromSeconds(10));
            meters.ForceFlush();
            tracer.ForceFlush();
        }

        string[] perJob = ["streamlinq.records.processed", "streamlinq.batches.completed", "streamlinq.batches.queued", "streamlinq.checkpoint.duration", "streamlinq.checkpoint.size"];
        string[] perSource = ["streamlinq.records.in", "streamlinq.input.rate", "streamlinq.receiver.buffer.usage", "streamlinq.receiver.rate_limit", "streamlinq.records.dropped", "streamlinq.bytes.dropped"];
        string[] perOperator = ["streamlinq.state.entries", "streamlinq.watermark.lag"];
        string[] histograms = ["streamlinq.batch.processing_delay", "streamlinq.batch.scheduling_delay", "streamlinq.batch.total_delay", "streamlinq.output.duration", "streamlinq.checkpoint.duration"];
        foreach (var name in perJob.Concat(histograms))
        {
            Assert.True(Points(metrics, name).Any(), $"{name} was not exported for job {_job}");
        }

        foreach (var name in perSource)
        {
            Assert.True(Points(metrics, name).Any(tags => tags.ContainsKey("source")), $"{name} has no point tagged with a source");
        }

        foreach (var name in perOperator)
        {
            Assert.True(Points(metrics, name).Any(tags => tags.ContainsKey("operator")), $"{name} has no point tagged with an operator");
        }

        Assert.True(Points(metrics, "streamlinq.output.duration").Select(t => t["output"]).Distinct().Count() == 4, "each of the four outputs is timed under its own tag");
        Assert.Contains(Points(metrics, "streamlinq.records.refused"), tags => tags.TryGetValue("source", out var s) && s == "ObservableStream");
        foreach (var name in histograms)
        {
            Assert.Equal("s", metrics.First(m => m.Name == name).Unit);
        }

        Assert.Equal("By", metrics.First(m => m.Name == "streamlinq.checkpoint.size").Unit);
        Assert.Equal(completed.All.Sum(b => b.RecordCount ?? 0), Sum(metrics, "streamlinq.records.in", _ => true));
        Assert.Equal(completed.All.Sum(b => b.RecordCount ?? 0), completed.All.Sum(b => b.Inputs!.Sum(i => i.Records)));
        Assert.Equal(3, completed.All.Where(b => b.Time.Ticks <= first.Ticks + TimeSpan.TicksPerSecond).Sum(b => b.Inputs!.Where(i => i.Source == "ObservableStream").Sum(i => i.Records)));

        var batches = spans.Where(s => s.OperationName == "streamlinq.batch" && Equals(s.GetTagItem("job"), _job)).ToList();
        Assert.Equal(completed.All.Count, batches.Count);
        foreach (var batch in batches)
        {
            Assert.Equal(default, batch.ParentSpanId);
            var children = spans.Where(s => s.ParentSpanId == batch.SpanId).ToList();
            Assert.Equal(4, children.Count(c => c.OperationName == "streamlinq.output"));
            Assert.Contains(children, c => c.OperationName == "streamlinq.checkpoint");
        }
    }

    /// <summary>The tags of every exported point of <paramref name="name"/> for this test's job.</summary>
    private IEnumerable<Dictionary<string, string>> Points(List<MetricSnapshot> metrics, string name) =>
        metrics.Where(m => m.Name == name).SelectMany(m => m.MetricPoints).Select(Tags).Where(t => t.TryGetValue("job", out var job) && job == _job);

    private long Sum(List<MetricSnapshot> metrics, string name, Func<Dictionary<string, string>, bool> filter) =>
        metrics.Where(m => m.Name == name).GroupBy(m => m.Name).Select(g => g.Last())
            .SelectMany(m => m.MetricPoints).Where(p => Tags(p) is var t && t.TryGetValue("job", out var job) && job == _job && filter(t)).Sum(p => p.GetSumLong());

    private static Dictionary<string, string> Tags(MetricPoint point)
    {
        var tags = new Dictionary<string, string>();
        foreach (var tag in point.Tags)
        {
            tags[tag.Key] = tag.Value?.ToString() ?? "";
        }

        return tags;
    }

    private sealed class BatchWaiter : IStreamingListener
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<BatchTime, TaskCompletionSource<BatchInfo>> _done = new();

        public IReadOnlyList<BatchInfo> All => [.. _done.Values.Where(t => t.Task.IsCompletedSuccessfully).Select(t => t.Task.Result)];

        public Task<BatchInfo> For(BatchTime time) => Get(time).Task.WaitAsync(TimeSpan.FromSeconds(30));

        public void OnBatchCompleted(BatchInfo batch) => Get(batch.Time).TrySetResult(batch);

        private TaskCompletionSource<BatchInfo> Get(BatchTime time) => _done.GetOrAdd(time, _ => new(TaskCreationOptions.RunContinuationsAsynchronously));
    }
}
