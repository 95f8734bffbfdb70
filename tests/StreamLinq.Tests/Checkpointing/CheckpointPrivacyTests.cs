using System.Collections.Concurrent;
using System.Reactive.Subjects;
using System.Text;

namespace StreamLinq.Tests.Checkpointing;

/// <summary>Secrets and leftovers: captured values hashed, files owner-only, orphaned temporary files removed. Real files.</summary>
public class CheckpointPrivacyTests
{
    private const string Secret = "hunter2-api-key-5f1c";
    private const UnixFileMode OwnerFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private static void Define(StreamingContext context, string input, string secret)
    {
        var lines = context.TextFileStream(input);
        // Unnamed, the count's state id changes with the Where below it, so a changed secret is refused.
        lines.Where(l => l != secret).Select(l => new KeyValuePair<int, int>(l.Length, 1))
            .UpdateStateByKey((IReadOnlyList<int> ones, int? count) => (int?)((count ?? 0) + ones.Count))
            .ForEachBatch((_, _) => { });
    }

    [Fact]
    public async Task A_captured_string_is_in_no_checkpoint_file_and_its_change_is_named_by_operator_without_either_value()
    {
        using var scratch = new Scratch();
        var secret = Secret;
        await using (var first = new CheckpointHarness(scratch.Checkpoints, c => Define(c, scratch.Input, secret)))
        {
            scratch.AddFile("x");
            await first.StartAsync();
            await first.RunUntilAsync(CheckpointHarness.Second(1));
            await first.Context.StopAsync(graceful: false);
        }

        Assert.NotEmpty(scratch.CheckpointFiles());
        Assert.All(scratch.CheckpointFiles(), file => Assert.DoesNotContain(Secret, Encoding.UTF8.GetString(File.ReadAllBytes(file)), StringComparison.Ordinal));

        var rotated = "rotated-" + Secret;
        var error = Assert.Throws<InvalidOperationException>(() => new CheckpointHarness(scratch.Checkpoints, c => Define(c, scratch.Input, rotated)));
        Assert.Contains("operator #1 Where", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("rotated", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Checkpoint_and_write_ahead_log_files_are_readable_by_their_owner_only()
    {
        if (OperatingSystem.IsWindows())
        {
            // Unix file modes; Windows files inherit the directory's ACL.
            return;
        }

        using var scratch = new Scratch();
        var subject = new Subject<int>();
        await using (var run = new CheckpointHarness(scratch.Checkpoints, c => c.FromObservable(subject, new ReceiverOptions { WriteAheadLog = true }).ForEachBatch((_, _) => { })))
        {
            await run.StartAsync();
            subject.OnNext(1);
            await run.RunUntilAsync(CheckpointHarness.Second(1));
            subject.OnNext(2);
            await run.Context.StopAsync(graceful: false);
        }

        var files = Directory.GetFiles(scratch.Checkpoints, "*", SearchOption.AllDirectories);
        Assert.Contains(files, f => f.EndsWith(".ckpt", StringComparison.Ordinal));
        Assert.Contains(files, f => f.EndsWith(".jsonl", StringComparison.Ordinal));
        Assert.All(files, f => Assert.Equal(OwnerFile, File.GetUnixFileMode(f)));
        Assert.All(Directory.GetDirectories(scratch.Checkpoints, "*", SearchOption.AllDirectories).Append(scratch.Checkpoints), d => Assert.Equal(OwnerDirectory, File.GetUnixFileMode(d)));
    }

    [Fact]
    public async Task Temporary_files_left_by_killed_writes_are_removed_at_start_with_a_warning()
    {
        using var scratch = new Scratch();
        var subject = new Subject<int>();
        void Logged(StreamingContext context) => context.FromObservable(subject, new ReceiverOptions { WriteAheadLog = true }).ForEachBatch((_, _) => { });
        await using (var run = new CheckpointHarness(scratch.Checkpoints, Logged))
        {
            await run.StartAsync();
            subject.OnNext(1);
            await run.RunUntilAsync(CheckpointHarness.Second(1));
            await run.Context.StopAsync(graceful: false);
        }

        var log = Assert.Single(Directory.GetDirectories(Path.Combine(scratch.Checkpoints, "receivers")));
        string[] orphans =
        [
            Path.Combine(scratch.Checkpoints, $".checkpoint-000000000009.ckpt.{Guid.NewGuid():N}.tmp"),
            Path.Combine(scratch.Checkpoints, $".checkpoint-000000000010.ckpt.{Guid.NewGuid():N}.tmp"),
            Path.Combine(log, "segment-000000000001.jsonl.tmp"),
        ];
        foreach (var orphan in orphans)
        {
            File.WriteAllText(orphan, "half written");
        }

        var kept = Path.Combine(scratch.Checkpoints, "notes.txt");
        File.WriteAllText(kept, "not ours to delete");
        await using var second = new CheckpointHarness(scratch.Checkpoints, Logged);
        Assert.All(orphans, o => Assert.False(File.Exists(o)));
        Assert.True(File.Exists(kept));
        Assert.Contains(second.Warnings, w => w.Contains("Removed 3 temporary file(s)", StringComparison.Ordinal));
        Assert.Equal(CheckpointHarness.Second(1), second.Context.RecoveredBatchTime);
    }
}
