namespace StreamLinq.Connectors.Sample;

/// <summary>The sample connector's entry point: one extension method, as a connector package would give.</summary>
public static class FileLogSources
{
    /// <summary>
    /// A stream of the lines appended to files in <paramref name="directory"/>, one partition per
    /// file, read by byte ranges: replayable, so it serves exactly-once outputs.
    /// </summary>
    /// <param name="context">The context.</param>
    /// <param name="directory">The directory of the files.</param>
    /// <param name="partitions">The file names.</param>
    /// <param name="options">Batch size; defaults when null.</param>
    /// <returns>The stream of lines, without their '\n'.</returns>
    public static IDStream<string> FileLog(this StreamingContext context, string directory, IEnumerable<string> partitions, FileLogOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.AddInput(new FileLogSource(directory, partitions, options));
    }
}
