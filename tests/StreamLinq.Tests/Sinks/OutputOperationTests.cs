using StreamLinq.Sinks;
using StreamLinq.Tests.Support;

namespace StreamLinq.Tests.Sinks;

public sealed class OutputOperationTests : IDisposable
{
    private readonly DirectoryInfo _output = Directory.CreateTempSubdirectory("streamlinq-out");

    public void Dispose() => _output.Delete(recursive: true);

    [Fact]
    public async Task Print_shows_the_batch_time_and_the_first_records_like_Spark()
    {
        await using var harness = new StreamHarness();
        var text = new StringWriter();
        harness.Queue(new[] { new[] { 1, 2, 3 } }).Print(2, text);
        await harness.StartAsync();
        await harness.RunBatchAsync();
        var dashes = new string('-', 43);
        Assert.Equal($"{dashes}\nTime: 1970-01-01T00:00:01Z\n{dashes}\n1\n2\n...\n\n", text.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task SaveAsTextFiles_writes_one_complete_folder_per_batch_and_no_temporary_leftovers()
    {
        await using var harness = new StreamHarness();
        var prefix = Path.Combine(_output.FullName, "counts");
        harness.Queue(new[] { new[] { "a", "b" }, new[] { "c" } }).SaveAsTextFiles(prefix, "txt");
        await harness.StartAsync();
        await harness.RunBatchAsync();
        await harness.RunBatchAsync();

        Assert.Equal(new[] { "counts-1000.txt", "counts-2000.txt" }, _output.GetDirectories().Select(d => d.Name).Order());
        Assert.Equal(new[] { "a", "b" }, File.ReadAllLines(Path.Combine(prefix + "-1000.txt", "part-00000")));
        Assert.True(File.Exists(Path.Combine(prefix + "-2000.txt", "_SUCCESS")));
        Assert.Empty(_output.GetDirectories(".*"));
    }

    [Fact]
    public async Task SaveAsTextFiles_replaces_a_replayed_batch_instead_of_duplicating_it()
    {
        var sink = new TextFilesSink<string>(Path.Combine(_output.FullName, "out"), null);
        var time = new BatchTime(TimeSpan.FromSeconds(5).Ticks);
        await sink.WriteBatchAsync(["first attempt", "partial"], time, CancellationToken.None);
        await sink.WriteBatchAsync(["replay"], time, CancellationToken.None);
        var folder = Assert.Single(_output.GetDirectories());
        Assert.Equal("out-5000", folder.Name);
        Assert.Equal(new[] { "replay" }, File.ReadAllLines(Path.Combine(folder.FullName, "part-00000")));
    }

    [Fact]
    public async Task WriteTo_hands_each_batch_to_the_sink_with_its_time()
    {
        await using var harness = new StreamHarness();
        var sink = new RecordingSink();
        harness.Queue(new[] { new[] { 1 }, new[] { 2, 3 } }).WriteTo(sink);
        await harness.StartAsync();
        await harness.RunBatchAsync();
        await harness.RunBatchAsync();
        Assert.Equal(new[] { "1000ms:1", "2000ms:2,3" }, sink.Writes);
    }

    private sealed class RecordingSink : IBatchSink<int>
    {
        public List<string> Writes { get; } = [];

        public Task WriteBatchAsync(IReadOnlyList<int> batch, BatchTime time, CancellationToken cancellationToken)
        {
            Writes.Add($"{time.Milliseconds}ms:{string.Join(",", batch)}");
            return Task.CompletedTask;
        }
    }
}
