using StreamLinq.Connectors.Sample;

namespace StreamLinq.Connectors.Tests;

/// <summary>
/// The sample replayable source and transactional sink, written on the public connector SDK,
/// under exactly once across restarts: abrupt stops, a lost checkpoint directory, several
/// partitions. The oracle is the lines appended: each is committed exactly once, and each
/// partition's lines in the order they were appended.
/// </summary>
public sealed class FileLogExactlyOnceTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("streamlinq-filelog-");

    private string Logs => Path.Combine(_root.FullName, "logs");

    private string Checkpoints => Path.Combine(_root.FullName, "checkpoints");

    private string Output => Path.Combine(_root.FullName, "output");

    public void Dispose() => _root.Delete(recursive: true);

    [Fact]
    public async Task Every_line_is_committed_once_across_abrupt_stops_and_restarts()
    {
        var appended = new List<string>();
        for (var run = 0; run < 4; run++)
        {
            await using var context = Create(maxBytes: 64);
            await context.StartAsync();
            appended.AddRange(Append("a", run * 100, 40));
            appended.AddRange(Append("b", run * 100 + 50, 40));
            // Some of this run's lines are committed, the rest pending or unsealed at the abrupt stop.
            await WaitUntilAsync(() => Committed().Count > appended.Count - 80 + 10);
            await context.StopAsync(graceful: false);
        }

        await using (var last = Create(maxBytes: 64))
        {
            await last.StartAsync();
            await WaitUntilAsync(() => Committed().Count >= appended.Count);
            await last.StopAsync(graceful: true);
        }

        AssertExactlyOnceInOrder(appended, Committed());
    }

    [Fact]
    public async Task A_lost_checkpoint_directory_resumes_after_the_sinks_last_commit()
    {
        var appended = Append("a", 0, 30).Concat(Append("b", 1000, 30)).ToList();
        await using (var first = Create(maxBytes: 50))
        {
            await first.StartAsync();
            await WaitUntilAsync(() => Committed().Count >= appended.Count);
            await first.StopAsync(graceful: false);
        }

        // The disk with the checkpoints is gone: the sink's commits are the truth.
        Directory.Delete(Checkpoints, recursive: true);
        appended.AddRange(Append("a", 2000, 20));
        await using (var second = Create(maxBytes: 50))
        {
            await second.StartAsync();
            await WaitUntilAsync(() => Committed().Count >= appended.Count);
            await second.StopAsync(graceful: true);
        }

        AssertExactlyOnceInOrder(appended, Committed());
    }

    [Fact]
    public async Task Each_batch_holds_one_range_per_partition_in_the_sinks_commit()
    {
        Append("a", 0, 3);
        Append("b", 10, 3);
        await using (var context = Create(maxBytes: 1 << 20))
        {
            await context.StartAsync();
            await WaitUntilAsync(() => Committed().Count >= 6);
            await context.StopAsync(graceful: true);
        }

        var sink = new FileCommitSink<string>(Output);
        var commit = await sink.ReadLastCommitAsync(OutputId, CancellationToken.None);
        Assert.NotNull(commit);
        using var offsets = System.Text.Json.JsonDocument.Parse(commit.Offsets);
        var ranges = offsets.RootElement.GetProperty("0").EnumerateArray().ToList();
        Assert.Equal(["a.log", "b.log"], ranges.Select(r => r.GetProperty("partition").GetString()));
        // "a0\na1\na2\n" is 9 bytes, "b10\nb11\nb12\n" 12: the last commit ends at each file's end.
        Assert.Equal([9L, 12L], ranges.Select(r => r.GetProperty("to").GetInt64()));
    }

    private const string OutputId = "WriteTo(FileCommitSink) #1";

    private StreamingContext Create(int maxBytes) =>
        StreamingContext.GetOrCreate(Checkpoints, () =>
        {
            var context = new StreamingContext(TimeSpan.FromMilliseconds(30));
            context.FileLog(Logs, ["a.log", "b.log"], new FileLogOptions { MaxBytesPerBatch = maxBytes })
                .Where(line => line.Length > 0)
                .WriteTo(new FileCommitSink<string>(Output), DeliveryGuarantee.ExactlyOnce);
            return context;
        });

    private List<string> Committed() => [.. FileCommitSink<string>.ReadCommitted(Output, OutputId)];

    private List<string> Append(string partition, int first, int count)
    {
        Directory.CreateDirectory(Logs);
        var lines = Enumerable.Range(first, count).Select(n => partition + n).ToList();
        File.AppendAllText(Path.Combine(Logs, partition + ".log"), string.Concat(lines.Select(l => l + "\n")));
        return lines;
    }

    private static void AssertExactlyOnceInOrder(List<string> appended, List<string> committed)
    {
        Assert.Equal(appended.Order(StringComparer.Ordinal), committed.Order(StringComparer.Ordinal));
        foreach (var partition in new[] { "a", "b" })
        {
            Assert.Equal(appended.Where(l => l.StartsWith(partition, StringComparison.Ordinal)), committed.Where(l => l.StartsWith(partition, StringComparison.Ordinal)));
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold within 60 s");
            await Task.Delay(20);
        }
    }
}
