using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using System.Text;
using FsCheck;
using FsCheck.Xunit;
using StreamLinq.Tests.Checkpointing;
using StreamLinq.Tests.Support;

namespace StreamLinq.Tests.Sources;

/// <summary>The directory source's bad-file policy and streamed reading, against real files.</summary>
public sealed class TextFileBadRecordPolicyTests : IDisposable
{
    private static readonly byte[] Invalid = [(byte)'o', (byte)'k', (byte)'\n', 0xC3, 0x28, (byte)'!', (byte)'\n', (byte)'e', (byte)'n', (byte)'d', (byte)'\n'];
    private readonly DirectoryInfo _watched = Directory.CreateTempSubdirectory("streamlinq-watched");
    private readonly DirectoryInfo _staging = Directory.CreateTempSubdirectory("streamlinq-staging");

    public void Dispose()
    {
        _watched.Delete(recursive: true);
        _staging.Delete(recursive: true);
    }

    private string MoveIn(string name, byte[] content)
    {
        var staged = Path.Combine(_staging.FullName, name);
        File.WriteAllBytes(staged, content);
        var target = Path.Combine(_watched.FullName, name);
        File.Move(staged, target);
        return target;
    }

    [Fact]
    public async Task By_default_a_file_that_is_not_valid_UTF8_is_moved_whole_to_the_dead_letter_directory_and_the_stream_goes_on()
    {
        await using var harness = new StreamHarness();
        var results = StreamHarness.Collect(harness.Context.TextFileStream(_watched.FullName));
        await harness.StartAsync();
        MoveIn("bad.txt", Invalid);
        var first = await harness.RunBatchAsync();
        MoveIn("good.txt", Encoding.UTF8.GetBytes("fine\n"));
        var second = await harness.RunBatchAsync();

        Assert.Null(first.Failure);
        Assert.Empty(results[first.Time]);
        Assert.Equal(["fine"], results[second.Time]);
        var moved = Path.Combine(_watched.FullName, "_dead-letter", "bad.txt");
        Assert.Equal(Invalid, File.ReadAllBytes(moved));
        Assert.False(File.Exists(Path.Combine(_watched.FullName, "bad.txt")));
        var dropped = Assert.Single(harness.Dropped);
        Assert.Equal(BadRecordPolicy.DeadLetter, dropped.Policy);
        Assert.Equal(moved, dropped.DeadLetterPath);
        Assert.Equal(Invalid.Length, dropped.Bytes);
        Assert.Contains("bad.txt' line 2 (byte 3)", dropped.Location, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Under_skip_only_the_invalid_lines_are_left_out_each_reported_with_its_file_line_and_bytes_and_counted()
    {
        using var meter = new DroppedCounter();
        await using var harness = new StreamHarness();
        var results = StreamHarness.Collect(harness.Context.TextFileStream(_watched.FullName, new TextFileStreamOptions { BadRecordPolicy = BadRecordPolicy.Skip }));
        await harness.StartAsync();
        MoveIn("mixed.txt", [.. Invalid, 0xFF, (byte)'\r', (byte)'\n', (byte)'z']);
        var batch = await harness.RunBatchAsync();

        Assert.Null(batch.Failure);
        Assert.Equal(["ok", "end", "z"], results[batch.Time]);
        Assert.Equal(
            ["mixed.txt' line 2 (byte 3):3", "mixed.txt' line 4 (byte 11):2"],
            harness.Dropped.Select(d => $"{d.Location[(d.Location.LastIndexOf('/') + 1)..]}:{d.Bytes}").Order(StringComparer.Ordinal));
        Assert.Equal(2, meter.Records(harness.Dropped.First().Source));
        Assert.Equal(5, meter.Bytes(harness.Dropped.First().Source));
        Assert.True(File.Exists(Path.Combine(_watched.FullName, "mixed.txt")));
    }

    [Fact]
    public async Task Under_fail_the_error_names_the_file_the_line_and_how_to_move_on()
    {
        await using var harness = new StreamHarness();
        StreamHarness.Collect(harness.Context.TextFileStream(_watched.FullName, new TextFileStreamOptions { BadRecordPolicy = BadRecordPolicy.Fail }));
        await harness.StartAsync();
        MoveIn("bad.txt", Invalid);
        var batch = await harness.RunBatchAsync();

        var error = Assert.IsType<SourceException>(Assert.IsType<BatchFailedException>(batch.Failure).InnerException);
        Assert.Contains("bad.txt' is not valid UTF-8 at line 2 (byte 3)", error.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(BadRecordPolicy.DeadLetter), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dead_letter_name_already_taken_gets_a_suffix_instead_of_overwriting()
    {
        var deadLetter = Path.Combine(_staging.FullName, "rejects");
        Directory.CreateDirectory(deadLetter);
        File.WriteAllText(Path.Combine(deadLetter, "bad.txt"), "earlier");
        await using var harness = new StreamHarness();
        StreamHarness.Collect(harness.Context.TextFileStream(_watched.FullName, new TextFileStreamOptions { DeadLetterDirectory = deadLetter }));
        await harness.StartAsync();
        MoveIn("bad.txt", Invalid);
        await harness.RunBatchAsync();

        Assert.Equal("earlier", File.ReadAllText(Path.Combine(deadLetter, "bad.txt")));
        Assert.Equal(Invalid, File.ReadAllBytes(Path.Combine(deadLetter, "bad.txt.1")));
    }

    [Theory]
    [InlineData("a\r\r\nb\r\n\rc\nd\r", new[] { "a", "b", "\rc", "d" })]
    [InlineData("\uFEFFx\n\ny", new[] { "x", "", "y" })]
    [InlineData("only", new[] { "only" })]
    [InlineData("a\rb\n", new[] { "a\rb" })]
    public async Task Lines_end_at_a_newline_and_the_carriage_returns_right_before_it_are_dropped(string content, string[] expected)
    {
        await using var harness = new StreamHarness();
        var results = StreamHarness.Collect(harness.Context.TextFileStream(_watched.FullName));
        await harness.StartAsync();
        MoveIn("f.txt", Encoding.UTF8.GetBytes(content));
        var batch = await harness.RunBatchAsync();
        Assert.Equal(expected, results[batch.Time]);
    }

    [Fact]
    public async Task A_file_much_larger_than_the_read_buffer_is_read_line_for_line_as_LINQ_reads_it()
    {
        var random = new Random(42);
        var lines = Enumerable.Range(0, 20_000).Select(i => new string((char)('a' + (i % 26)), random.Next(0, 300)) + "é€" + i).ToArray();
        lines[777] = new string('w', 5_000) + "a line longer than the buffer";
        await using var harness = new StreamHarness();
        var results = StreamHarness.Collect(harness.Context.TextFileStream(_watched.FullName, new TextFileStreamOptions { ReadBufferSize = 1000 }));
        await harness.StartAsync();
        MoveIn("big.txt", Encoding.UTF8.GetBytes(string.Join("\r\n", lines)));
        var batch = await harness.RunBatchAsync();

        Assert.Null(batch.Failure);
        Assert.Equal(lines, results[batch.Time]);
    }

    [Property(MaxTest = 100)]
    public void Any_lines_with_any_terminators_and_read_buffer_come_back_as_written(NonNull<string>[] texts, byte[] terminators, PositiveInt bufferSize)
    {
        // Lines as the rule defines them: no '\n', no trailing '\r', no lone surrogates (not UTF-8).
        var lines = texts.Select(t => new string(t.Get.Where(c => c != '\n' && !char.IsSurrogate(c)).ToArray()).TrimEnd('\r')).ToArray();
        string[] endings = ["\n", "\r\n", "\r\r\n"];
        var content = new StringBuilder();
        for (var i = 0; i < lines.Length; i++)
        {
            content.Append(lines[i]).Append(endings[terminators.Length == 0 ? 0 : terminators[i % terminators.Length] % 3]);
        }

        var directory = Directory.CreateTempSubdirectory("streamlinq-lines");
        try
        {
            File.WriteAllBytes(Path.Combine(directory.FullName, "f.txt"), Encoding.UTF8.GetBytes(content.ToString()));
            var source = new StreamLinq.Sources.DirectoryTextSource(directory.FullName, new TextFileStreamOptions { ReadBufferSize = 1 + (bufferSize.Get % 64) });
            source.StartAsync(new StreamLinq.Sources.SourceContext((_, _) => { }, CancellationToken.None), CancellationToken.None).GetAwaiter().GetResult();
            var read = (string[])source.Seal(new BatchTime(TimeSpan.FromSeconds(1).Ticks)).ReadAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
            Assert.Equal(lines, read);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_file_deleted_after_its_batch_was_sealed_fails_under_fail_and_is_reported_and_passed_over_under_skip()
    {
        using var scratch = new Scratch();
        var fail = new StrongBox<bool>(true);
        var seen = new ConcurrentQueue<(BatchTime, string)>();
        void Define(StreamingContext context, BadRecordPolicy policy) =>
            context.TextFileStream(scratch.Input, new TextFileStreamOptions { BadRecordPolicy = policy })
                .ForEachBatch([IdempotentSink] (IReadOnlyList<string> batch, BatchTime time) =>
                {
                    if (fail.Value)
                    {
                        throw new InvalidOperationException("the sink is down");
                    }

                    foreach (var line in batch)
                    {
                        seen.Enqueue((time, line));
                    }
                }, DeliveryGuarantee.ExactlyOnce);

        scratch.AddFile("gone");
        await using (var first = new CheckpointHarness(scratch.Checkpoints, c => Define(c, BadRecordPolicy.Fail)))
        {
            await first.StartAsync();
            Assert.NotNull((await first.RunUntilAsync(CheckpointHarness.Second(1))).Failure);
        }

        fail.Value = false;
        var deleted = Assert.Single(Directory.GetFiles(scratch.Input));
        File.Delete(deleted);
        await using (var strict = new CheckpointHarness(scratch.Checkpoints, c => Define(c, BadRecordPolicy.Fail)))
        {
            await strict.StartAsync();
            var replay = await strict.RunUntilAsync(CheckpointHarness.Second(1));
            var error = Assert.IsType<SourceException>(Assert.IsType<BatchFailedException>(replay.Failure).InnerException);
            Assert.Contains($"'{deleted}' no longer exists", error.Message, StringComparison.Ordinal);
        }

        scratch.AddFile("next");
        await using var lenient = new CheckpointHarness(scratch.Checkpoints, c => Define(c, BadRecordPolicy.Skip));
        await lenient.StartAsync();
        Assert.Null((await lenient.RunUntilAsync(CheckpointHarness.Second(1))).Failure);
        await lenient.RunUntilAsync(CheckpointHarness.Second(2));
        Assert.Equal([(CheckpointHarness.Second(2), "next")], seen.ToArray());
        var dropped = Assert.Single(lenient.Dropped);
        Assert.Equal($"'{deleted}'", dropped.Location);
        Assert.Contains("no longer exists", dropped.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stream_stuck_on_a_bad_file_under_fail_moves_on_after_a_restart_with_the_dead_letter_policy()
    {
        using var scratch = new Scratch();
        var seen = new ConcurrentQueue<(BatchTime, string)>();
        void Define(StreamingContext context, BadRecordPolicy policy) =>
            context.TextFileStream(scratch.Input, new TextFileStreamOptions { BadRecordPolicy = policy })
                .ForEachBatch([IdempotentSink] (IReadOnlyList<string> batch, BatchTime time) =>
                {
                    foreach (var line in batch)
                    {
                        seen.Enqueue((time, line));
                    }
                }, DeliveryGuarantee.ExactlyOnce);

        File.WriteAllBytes(Path.Combine(scratch.Input, "latin1.txt"), [(byte)'c', (byte)'a', (byte)'f', 0xE9, (byte)'\n']);
        await using (var first = new CheckpointHarness(scratch.Checkpoints, c => Define(c, BadRecordPolicy.Fail)))
        {
            await first.StartAsync();
            Assert.NotNull((await first.RunUntilAsync(CheckpointHarness.Second(1))).Failure);
        }

        scratch.AddFile("after");
        await using var second = new CheckpointHarness(scratch.Checkpoints, c => Define(c, BadRecordPolicy.DeadLetter));
        await second.StartAsync();
        Assert.Null((await second.RunUntilAsync(CheckpointHarness.Second(1))).Failure);
        Assert.Null((await second.RunUntilAsync(CheckpointHarness.Second(2))).Failure);
        Assert.Equal(["after"], seen.Select(s => s.Item2));
        Assert.True(File.Exists(Path.Combine(scratch.Input, "_dead-letter", "latin1.txt")));
    }

    /// <summary>Listens to the dropped-record counters of the StreamLinq meter.</summary>
    private sealed class DroppedCounter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentDictionary<(string Instrument, string Source), long> _totals = new();

        public DroppedCounter()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "StreamLinq" && instrument.Name is "streamlinq.records.dropped" or "streamlinq.bytes.dropped")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "source")
                    {
                        _totals.AddOrUpdate((instrument.Name, (string)tag.Value!), value, (_, total) => total + value);
                    }
                }
            });
            _listener.Start();
        }

        public long Records(string source) => _totals.GetValueOrDefault(("streamlinq.records.dropped", source));

        public long Bytes(string source) => _totals.GetValueOrDefault(("streamlinq.bytes.dropped", source));

        public void Dispose() => _listener.Dispose();
    }
}
