namespace StreamLinq;

/// <summary>Options of <see cref="StreamingContextSources.TextFileStream"/>.</summary>
public sealed record TextFileStreamOptions
{
    /// <summary>
    /// What a batch does with a file it cannot read: one that is not valid UTF-8, cannot be opened,
    /// or was deleted after its batch was sealed. Default <see cref="BadRecordPolicy.DeadLetter"/>:
    /// the file is moved whole into <see cref="DeadLetterDirectory"/>, none of its lines are read,
    /// the stream goes on and the move is reported to <see cref="IStreamingListener.OnRecordsDropped"/>;
    /// nothing is lost and one bad file never stops the stream. <see cref="BadRecordPolicy.Skip"/>
    /// leaves out only the lines that are not valid UTF-8 (and files that cannot be read), reporting
    /// each; <see cref="BadRecordPolicy.Fail"/> fails the batch, naming the file and line, on every
    /// attempt, until the file is fixed or the policy changed.
    /// </summary>
    public BadRecordPolicy BadRecordPolicy { get; init; } = BadRecordPolicy.DeadLetter;

    /// <summary>
    /// Where <see cref="BadRecordPolicy.DeadLetter"/> moves bad files (created when first needed).
    /// Null means <c>_dead-letter</c> inside the watched directory, which the source ignores as it
    /// ignores every subdirectory. It should be on the same file system, so that the move is a rename.
    /// A name already there gets a numeric suffix.
    /// </summary>
    public string? DeadLetterDirectory { get; init; }

    /// <summary>
    /// How many bytes are read from a file at a time. Files are streamed, never loaded whole: the
    /// memory a batch takes is its records plus about this much per file read. Default 64 KiB.
    /// </summary>
    public int ReadBufferSize { get; init; } = 64 * 1024;
}
