using System.Collections.Concurrent;

namespace StreamLinq.Tests.Checkpointing;

/// <summary>
/// One life of a checkpointed driver on a manual clock: builds the context with GetOrCreate over
/// a checkpoint directory and a directory of input files, and runs batches one at a time.
/// </summary>
internal sealed class CheckpointHarness : IStreamingListener, IAsyncDisposable
{
    private readonly ConcurrentDictionary<BatchTime, TaskCompletionSource<BatchInfo>> _completed = new();

    public CheckpointHarness(string checkpoints, Action<StreamingContext> define, long clockStart = 0, CheckpointOptions? options = null, TimeSpan? interval = null)
    {
        Clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddTicks(clockStart));
        Context = StreamingContext.GetOrCreate(checkpoints, () =>
        {
            var context = new StreamingContext(interval ?? TimeSpan.FromSeconds(1), new StreamingOptions { TimeProvider = Clock });
            context.AddListener(this);
            define(context);
            return context;
        }, options);
    }

    public FakeTimeProvider Clock { get; }

    public StreamingContext Context { get; }

    public ConcurrentQueue<string> Warnings { get; } = new();

    public ConcurrentQueue<RecordsDropped> Dropped { get; } = new();

    public Task StartAsync() => Context.StartAsync();

    /// <summary>Advances the clock to <paramref name="time"/>'s batch and waits for it to complete.</summary>
    public async Task<BatchInfo> RunUntilAsync(BatchTime time)
    {
        var done = Completion(time);
        if ((Clock.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks < time.Ticks)
        {
            Clock.Advance(TimeSpan.FromTicks(time.Ticks - (Clock.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks));
        }

        return await done.WaitAsync(TimeSpan.FromSeconds(30));
    }

    public Task<BatchInfo> Completion(BatchTime time) =>
        _completed.GetOrAdd(time, _ => new TaskCompletionSource<BatchInfo>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    void IStreamingListener.OnBatchCompleted(BatchInfo batch) =>
        _completed.GetOrAdd(batch.Time, _ => new TaskCompletionSource<BatchInfo>(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult(batch);

    void IStreamingListener.OnCheckpointWarning(string message) => Warnings.Enqueue(message);

    void IStreamingListener.OnRecordsDropped(RecordsDropped dropped) => Dropped.Enqueue(dropped);

    public async ValueTask DisposeAsync() => await Context.DisposeAsync();

    public static BatchTime Second(int n) => new(TimeSpan.FromSeconds(n).Ticks);
}

/// <summary>A temporary folder with an input directory and a checkpoint directory, deleted afterwards.</summary>
internal sealed class Scratch : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("streamlinq-checkpoint-tests-");
    private int _files;

    public Scratch()
    {
        Directory.CreateDirectory(Input);
    }

    public string Input => Path.Combine(_root.FullName, "input");

    public string Checkpoints => Path.Combine(_root.FullName, "checkpoints");

    /// <summary>Moves a new file of lines into the input directory, as the directory source expects.</summary>
    public void AddFile(params string[] lines)
    {
        var name = $"part-{_files++:D4}.txt";
        var staging = Path.Combine(_root.FullName, name);
        File.WriteAllLines(staging, lines);
        File.SetLastWriteTimeUtc(staging, DateTime.UtcNow.AddMinutes(-100 + _files));
        File.Move(staging, Path.Combine(Input, name));
    }

    public string[] CheckpointFiles() =>
        Directory.GetFiles(Checkpoints, "checkpoint-*.ckpt").Order(StringComparer.Ordinal).ToArray();

    public void Dispose() => _root.Delete(recursive: true);
}
