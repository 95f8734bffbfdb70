namespace StreamLinq;

/// <summary>
/// Input a source left out of its batches, reported to <see cref="IStreamingListener.OnRecordsDropped"/>:
/// a line that is not valid UTF-8, an unterminated line cut off by a disconnect, an unreadable or
/// vanished file, a missing or damaged write-ahead log segment.
/// </summary>
/// <param name="Source">The source's name, e.g. <c>TextFileStream(/data/in)</c>.</param>
/// <param name="Location">Where the input was: a file and line, a connection and byte offset, a log segment.</param>
/// <param name="Reason">Why it was left out.</param>
/// <param name="Records">How many records were left out, when known (an unreadable file's line count is not).</param>
/// <param name="Bytes">How many bytes were left out, when known.</param>
/// <param name="Policy">The policy that applied.</param>
/// <param name="DeadLetterPath">Where the input was set aside, under <see cref="BadRecordPolicy.DeadLetter"/>.</param>
/// <param name="Error">The underlying error, if any.</param>
public sealed record RecordsDropped(
    string Source,
    string Location,
    string Reason,
    long? Records,
    long? Bytes,
    BadRecordPolicy Policy,
    string? DeadLetterPath = null,
    Exception? Error = null);
