namespace StreamLinq.Checkpointing;

/// <summary>
/// Checkpoints and write-ahead logs hold users' records and state: on Unix they are created
/// readable by their owner only (files 0600, directories 0700), whatever the umask.
/// </summary>
internal static class OwnerOnlyFiles
{
    private const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Options for a new file that only its owner can read.</summary>
    public static FileStreamOptions Options(System.IO.FileMode mode, FileAccess access, FileShare share)
    {
        var options = new FileStreamOptions { Mode = mode, Access = access, Share = share };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = FileMode;
        }

        return options;
    }

    /// <summary>Creates the directory and its missing parents owner-only, and narrows the directory itself to owner-only if it existed.</summary>
    public static void CreateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }

        // Each missing ancestor too (a log's "receivers" parent): CreateDirectory gives parents the default mode.
        var missing = new Stack<string>();
        for (var directory = Path.GetFullPath(path); !Directory.Exists(directory); directory = Path.GetDirectoryName(directory)!)
        {
            missing.Push(directory);
        }

        while (missing.TryPop(out var directory))
        {
            Directory.CreateDirectory(directory, DirectoryMode);
        }

        try
        {
            if (File.GetUnixFileMode(path) != DirectoryMode)
            {
                File.SetUnixFileMode(path, DirectoryMode);
            }
        }
        catch (Exception error) when (error is UnauthorizedAccessException or IOException)
        {
            // A directory owned by someone else: the files inside are still owner-only.
        }
    }
}
