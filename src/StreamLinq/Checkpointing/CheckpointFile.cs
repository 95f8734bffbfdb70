using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace StreamLinq.Checkpointing;

/// <summary>
/// The frame of one checkpoint, in every store: a one-line ASCII header
/// (<c>STREAMLINQ-CHECKPOINT &lt;format&gt; &lt;length&gt; &lt;sha256&gt;</c>) followed by the UTF-8 JSON
/// body. The length catches a truncated file, the SHA-256 a corrupted one, the format version
/// a file written by an engine whose layout this one does not read.
/// </summary>
internal static class CheckpointFile
{
    public const int FormatVersion = 1;
    private const string Magic = "STREAMLINQ-CHECKPOINT";

    /// <summary>EEXIST, on Linux and macOS alike.</summary>
    private const int ExistsError = 17;

    /// <summary>How a temporary file of <see cref="WriteAtomically"/> is named: hidden, by the final name, with a unique part.</summary>
    public const string TemporaryPattern = ".checkpoint-*.tmp";

    /// <summary>
    /// Called at the stages of a write (<c>temp-written</c>, <c>renamed</c>); lets a crash test
    /// aim a kill between them. Null in production.
    /// </summary>
    internal static Action<string>? WriteHook { get; set; }

    /// <summary>The frame of <paramref name="body"/>: the header line, then the body.</summary>
    public static byte[] Frame(ReadOnlySpan<byte> body)
    {
        var header = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{Magic} {FormatVersion} {body.Length} {Convert.ToHexStringLower(SHA256.HashData(body))}\n"));
        var framed = new byte[header.Length + body.Length];
        header.CopyTo(framed, 0);
        body.CopyTo(framed.AsSpan(header.Length));
        return framed;
    }

    /// <summary>Writes a framed <paramref name="body"/> to <paramref name="path"/> atomically (see <see cref="WriteAtomically"/>).</summary>
    public static void Write(string path, ReadOnlySpan<byte> body) => WriteAtomically(path, Frame(body));

    /// <summary>
    /// Writes <paramref name="bytes"/> to <paramref name="path"/> atomically: to a temporary file in
    /// the same directory, flushed to disk, then renamed over the final name, so a reader finds
    /// either the whole checkpoint or none. The file is owner-only on Unix (0600). A temporary
    /// file left by a process killed mid-write is removed by the next <see cref="DirectoryCheckpointStore"/>.
    /// </summary>
    public static void WriteAtomically(string path, ReadOnlySpan<byte> bytes) => Place(path, bytes, overwrite: true);

    /// <summary>
    /// Writes <paramref name="bytes"/> to <paramref name="path"/> as <see cref="WriteAtomically"/>
    /// does, but only when no file has that name: the temporary file is moved without overwriting
    /// (a hard link on Unix, which fails when the name exists), so of writers racing for one name
    /// exactly one succeeds.
    /// </summary>
    /// <returns>True when this call created the file; false when it existed (left as it was).</returns>
    public static bool CreateAtomically(string path, ReadOnlySpan<byte> bytes) => Place(path, bytes, overwrite: false);

    private static bool Place(string path, ReadOnlySpan<byte> bytes, bool overwrite)
    {
        var directory = Path.GetDirectoryName(path)!;
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, OwnerOnlyFiles.Options(FileMode.CreateNew, FileAccess.Write, FileShare.None)))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            WriteHook?.Invoke("temp-written");

            // rename(2) (link(2) for a create) is atomic: a crash leaves the old name or the new
            // file, never half of it.
            // The directory entry itself is not fsynced (.NET has no portable way to), so after a
            // power loss the newest checkpoint may be missing; recovery then uses the previous one.
            if (overwrite)
            {
                File.Move(temporary, path, overwrite: true);
            }
            else if (!MoveIfAbsent(temporary, path))
            {
                return false;
            }

            WriteHook?.Invoke("renamed");
            return true;
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>Moves <paramref name="temporary"/> to <paramref name="path"/> unless a file has that name, in one step; false (the temporary file deleted) when one has.</summary>
    private static bool MoveIfAbsent(string temporary, string path)
    {
        if (OperatingSystem.IsWindows())
        {
            // MoveFileEx without MOVEFILE_REPLACE_EXISTING fails in one step when the name exists.
            try
            {
                File.Move(temporary, path, overwrite: false);
                return true;
            }
            catch (IOException) when (File.Exists(path))
            {
                File.Delete(temporary);
                return false;
            }
        }

        // On Unix File.Move without overwrite checks for the name, then renames: two writers can
        // both pass the check. link(2) fails with EEXIST when the name exists, in one step.
        var linked = Link(Encoding.UTF8.GetBytes(temporary + '\0'), Encoding.UTF8.GetBytes(path + '\0')) == 0;
        var error = Marshal.GetLastPInvokeError();
        File.Delete(temporary);
        if (!linked && error != ExistsError)
        {
            throw new IOException($"Could not create '{path}': {Marshal.GetPInvokeErrorMessage(error)}.");
        }

        return linked;
    }

    [DllImport("libc", EntryPoint = "link", SetLastError = true)]
    private static extern int Link(byte[] existing, byte[] created);

    /// <summary>Reads and verifies a checkpoint file, returning its JSON body.</summary>
    /// <exception cref="InvalidDataException">The file is truncated, corrupt or of an unknown format; the message says which.</exception>
    public static byte[] Read(string path) => Verify(File.ReadAllBytes(path), Path.GetFileName(path));

    /// <summary>Verifies a framed checkpoint, returning its JSON body; <paramref name="name"/> names it in errors.</summary>
    /// <exception cref="InvalidDataException">The checkpoint is truncated, corrupt or of an unknown format; the message says which.</exception>
    public static byte[] Verify(byte[] bytes, string name)
    {
        var newline = Array.IndexOf(bytes, (byte)'\n');
        if (newline < 0 || newline > 200)
        {
            throw new InvalidDataException($"'{name}' has no checkpoint header (truncated or not a checkpoint).");
        }

        var fields = Encoding.ASCII.GetString(bytes, 0, newline).Split(' ');
        if (fields.Length != 4 || fields[0] != Magic)
        {
            throw new InvalidDataException($"'{name}' has a malformed checkpoint header.");
        }

        if (!int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var format) || format != FormatVersion)
        {
            throw new InvalidDataException($"'{name}' is in checkpoint format {fields[1]}; this engine reads format {FormatVersion}.");
        }

        if (!int.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var length))
        {
            throw new InvalidDataException($"'{name}' has a malformed length in its header.");
        }

        var body = bytes.AsSpan(newline + 1);
        if (body.Length != length)
        {
            throw new InvalidDataException($"'{name}' is truncated or padded: its header announces {length} bytes, the checkpoint holds {body.Length}.");
        }

        if (!string.Equals(Convert.ToHexStringLower(SHA256.HashData(body)), fields[3], StringComparison.Ordinal))
        {
            throw new InvalidDataException($"'{name}' is corrupt: its SHA-256 does not match the header.");
        }

        return body.ToArray();
    }
}
