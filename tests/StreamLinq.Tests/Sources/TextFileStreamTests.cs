using StreamLinq.Tests.Support;

namespace StreamLinq.Tests.Sources;

/// <summary>Against a real temporary directory.</summary>
public sealed class TextFileStreamTests : IDisposable
{
    private readonly DirectoryInfo _watched = Directory.CreateTempSubdirectory("streamlinq-watched");
    private readonly DirectoryInfo _staging = Directory.CreateTempSubdirectory("streamlinq-staging");

    public void Dispose()
    {
        _watched.Delete(recursive: true);
        _staging.Delete(recursive: true);
    }

    private void MoveIn(string name, string content)
    {
        var staged = Path.Combine(_staging.FullName, name);
        File.WriteAllText(staged, content);
        File.Move(staged, Path.Combine(_watched.FullName, name));
    }

    [Fact]
    public async Task Files_moved_into_the_directory_are_read_once_each()
    {
        await using var harness = new StreamHarness();
        var results = StreamHarness.Collect(harness.Context.TextFileStream(_watched.FullName));
        await harness.StartAsync();
        MoveIn("a.txt", "one\ntwo\n");
        var first = await harness.RunBatchAsync();
        var second = await harness.RunBatchAsync();
        MoveIn("b.txt", "three");
        File.WriteAllText(Path.Combine(_watched.FullName, ".hidden"), "ignored");
        File.WriteAllText(Path.Combine(_watched.FullName, "_COPYING_"), "ignored");
        var third = await harness.RunBatchAsync();

        Assert.Equal(new[] { "one", "two" }, results[first.Time]);
        Assert.Empty(results[second.Time]);
        Assert.Equal(new[] { "three" }, results[third.Time]);
    }

    [Fact]
    public async Task Under_the_fail_policy_a_file_that_is_not_valid_UTF8_fails_its_batch_naming_the_file_and_line()
    {
        await using var harness = new StreamHarness();
        StreamHarness.Collect(harness.Context.TextFileStream(_watched.FullName, new TextFileStreamOptions { BadRecordPolicy = BadRecordPolicy.Fail }));
        await harness.StartAsync();
        var staged = Path.Combine(_staging.FullName, "bad.txt");
        File.WriteAllBytes(staged, [(byte)'o', (byte)'k', (byte)'\n', 0xC3, 0x28, (byte)'\n']);
        File.Move(staged, Path.Combine(_watched.FullName, "bad.txt"));
        var batch = await harness.RunBatchAsync();

        var source = Assert.IsType<SourceException>(Assert.IsType<BatchFailedException>(batch.Failure).InnerException);
        Assert.Contains("bad.txt' is not valid UTF-8 at line 2", source.Message, StringComparison.Ordinal);
        Assert.StartsWith("TextFileStream(", source.SourceName, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Under_the_fail_policy_a_file_that_cannot_be_read_fails_its_batch_naming_the_file()
    {
        await using var harness = new StreamHarness();
        StreamHarness.Collect(harness.Context.TextFileStream(_watched.FullName, new TextFileStreamOptions { BadRecordPolicy = BadRecordPolicy.Fail }));
        await harness.StartAsync();
        MoveIn("locked.txt", "secret");
        var batch = default(BatchInfo);
        using (new FileStream(Path.Combine(_watched.FullName, "locked.txt"), FileMode.Open, FileAccess.ReadWrite, FileShare.None))
        {
            batch = await harness.RunBatchAsync();
        }

        var source = Assert.IsType<SourceException>(Assert.IsType<BatchFailedException>(batch.Failure).InnerException);
        Assert.Contains("locked.txt' could not be read", source.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_directory_is_refused_at_start_with_its_path()
    {
        var missing = Path.Combine(_staging.FullName, "nope");
        await using var harness = new StreamHarness();
        harness.Context.TextFileStream(missing).Print();
        var error = await Assert.ThrowsAsync<DirectoryNotFoundException>(harness.StartAsync);
        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }
}
