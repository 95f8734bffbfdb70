using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text;

namespace StreamLinq.Sources;

/// <summary>
/// A receiver that connects to a TCP server and stores each newline-delimited UTF-8 line, cut
/// and decoded by <see cref="Utf8Lines"/> (carriage returns before the '\n' are dropped, strict
/// UTF-8). When the peer goes away it reconnects with exponential back-off. A line is a record only
/// once its newline arrives: an unterminated tail left by a close or reset is reported with its
/// byte count. Bad lines follow <see cref="SocketTextStreamOptions.BadRecordPolicy"/>.
/// </summary>
internal sealed class SocketTextSource(string host, int port, SocketTextStreamOptions options) : IBatchSource<string>, IReceiverSource<string>, IRateControlledSource
{
    private readonly Receiver<string> _receiver = new(options.Receiver);
    private readonly CancellationTokenSource _stop = new();
    private Task _pump = Task.CompletedTask;
    private SourceContext? _context;
    private long _connections;

    public string Name => $"SocketTextStream({host}:{port})";

    public Receiver<string> Receiver => _receiver;

    public bool HasPending => _receiver.HasPending;

    public void SetRate(double recordsPerSecond) => _receiver.SetRate(recordsPerSecond);

    public TimeSpan TakeBlockedTime() => _receiver.TakeBlockedTime();

    public Task StartAsync(SourceContext context, CancellationToken cancellationToken)
    {
        _receiver.OpenLog(context, Name);
        _context = context;
        var token = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, context.Stopping).Token;
        _pump = Task.Run(() => PumpAsync(token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _pump.ConfigureAwait(false);
    }

    public ISealedInput Seal(BatchTime time) => _receiver.SealInput(out _);

    private async Task PumpAsync(CancellationToken cancellationToken)
    {
        var delay = options.ReconnectDelay;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
                delay = options.ReconnectDelay;
                if (!await ReadLinesAsync(client.GetStream(), cancellationToken).ConfigureAwait(false))
                {
                    return;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception error) when (error is IOException or SocketException)
            {
                Report("connection failed or lost: " + error.Message, error);
            }
            catch (Exception error)
            {
                // Not the connection (the write-ahead log, the receiver itself): reconnecting would not
                // help. Later batches fail with the error, naming this source.
                var cause = error is StoreFailedException ? error.InnerException! : error;
                var failure = new SourceException(Name, "the receiver stopped: " + cause.Message, cause);
                _receiver.Fail(failure);
                _context?.ReportError(Name, failure);
                return;
            }

            try
            {
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.MaxReconnectDelay.Ticks));
        }
    }

    /// <summary>
    /// Reads lines until the peer closes the connection (true) or a bad line under
    /// <see cref="BadRecordPolicy.Fail"/> stops the receiver (false). Bytes that never become a
    /// record (an oversized line, a bad line, a tail cut off by a close or reset) are reported with
    /// their count and stream offset.
    /// </summary>
    private async Task<bool> ReadLinesAsync(Stream stream, CancellationToken cancellationToken)
    {
        var connection = ++_connections;
        var reader = PipeReader.Create(stream);
        var offset = 0L;        // stream offset of the first unconsumed byte
        var skipping = -1L;     // bytes of an oversized line skipped so far, or -1
        var skipStart = 0L;
        var pending = 0L;       // bytes received that no line has taken yet
        try
        {
            while (true)
            {
                ReadResult result;
                try
                {
                    result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception error) when (error is IOException or SocketException && pending > 0)
                {
                    Dropped(connection, skipping >= 0 ? skipStart : offset, pending, "connection-cut", $"the connection failed in the middle of a line; {pending} bytes without a newline were dropped", null, error);
                    throw;
                }
                catch (OperationCanceledException) when (pending > 0)
                {
                    Dropped(connection, skipping >= 0 ? skipStart : offset, pending, "stopped", $"the receiver stopped in the middle of a line; {pending} bytes without a newline were dropped", null, null);
                    throw;
                }

                var buffer = result.Buffer;
                while (buffer.PositionOf((byte)'\n') is { } newline)
                {
                    var raw = buffer.Slice(0, newline);
                    buffer = buffer.Slice(buffer.GetPosition(1, newline));
                    var lineStart = offset;
                    offset += raw.Length + 1;
                    if (skipping >= 0)
                    {
                        RejectLongLine(connection, skipStart, skipping + raw.Length + 1);
                        skipping = -1;
                    }
                    else if (raw.Length > options.MaxLineLength)
                    {
                        RejectLongLine(connection, lineStart, raw.Length + 1);
                    }
                    else if (Utf8Lines.TryDecode(Utf8Lines.TrimTerminator(raw), out var text, out var bad))
                    {
                        await StoreAsync(text, cancellationToken).ConfigureAwait(false);
                    }
                    else if (!BadLine(connection, lineStart, bad, raw))
                    {
                        if (buffer.Length > 0)
                        {
                            Dropped(connection, offset, buffer.Length, "receiver-failed", $"{buffer.Length} bytes received after the bad line were not read: the receiver stopped", null, null);
                        }

                        return false;
                    }
                }

                if (skipping < 0 && buffer.Length > options.MaxLineLength)
                {
                    skipStart = offset;
                    skipping = 0;
                }

                if (skipping >= 0)
                {
                    skipping += buffer.Length;
                    offset += buffer.Length;
                    reader.AdvanceTo(buffer.End);
                    pending = skipping;
                }
                else
                {
                    reader.AdvanceTo(buffer.Start, buffer.End);
                    pending = buffer.Length;
                }

                if (result.IsCompleted)
                {
                    if (pending > 0)
                    {
                        Dropped(connection, skipping >= 0 ? skipStart : offset, pending, "connection-cut", $"the peer closed the connection in the middle of a line; {pending} bytes without a newline were dropped", null, null);
                    }

                    return true;
                }
            }
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Applies the policy to a line that is not valid UTF-8; false when the receiver must stop.</summary>
    private bool BadLine(long connection, long lineStart, long badOffset, ReadOnlySequence<byte> raw)
    {
        var where = $"connection {connection}, byte {lineStart + badOffset}";
        switch (options.BadRecordPolicy)
        {
            case BadRecordPolicy.Fail:
                var failure = new SourceException(Name, $"a line that is not valid UTF-8 ({where}); the receiver stopped ({nameof(SocketTextStreamOptions)}.{nameof(SocketTextStreamOptions.BadRecordPolicy)} is {nameof(BadRecordPolicy.Fail)}).");
                _receiver.Fail(failure);
                _context?.ReportError(Name, failure);
                return false;
            case BadRecordPolicy.DeadLetter:
                var file = DeadLetter(raw);
                Dropped(connection, lineStart + badOffset, raw.Length + 1, "invalid-utf8", $"a line of {raw.Length + 1} bytes is not valid UTF-8; it was appended to the dead-letter file", file, null);
                return true;
            default:
                Dropped(connection, lineStart + badOffset, raw.Length + 1, "invalid-utf8", $"a line of {raw.Length + 1} bytes is not valid UTF-8 and was left out", null, null);
                return true;
        }
    }

    private string DeadLetter(ReadOnlySequence<byte> raw)
    {
        try
        {
            var directory = options.DeadLetterDirectory!;
            Directory.CreateDirectory(directory);
            var name = string.Concat($"socket-{host}-{port}.badlines".Select(c => Path.GetInvalidFileNameChars().Contains(c) || c == ':' ? '_' : c));
            var path = Path.Combine(directory, name);
            var fileOptions = new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, Share = FileShare.Read };
            if (!OperatingSystem.IsWindows())
            {
                fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using var file = new FileStream(path, fileOptions);
            foreach (var segment in raw)
            {
                file.Write(segment.Span);
            }

            file.WriteByte((byte)'\n');
            return path;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            // Not the connection: without its dead-letter file the receiver cannot honour the policy.
            throw new StoreFailedException(error);
        }
    }

    private void Dropped(long connection, long offset, long bytes, string reason, string message, string? deadLetter, Exception? error) =>
        _context?.ReportDropped(new RecordsDropped(Name, $"connection {connection}, byte {offset}", message, 1, bytes, deadLetter is null ? BadRecordPolicy.Skip : BadRecordPolicy.DeadLetter, deadLetter, error), reason);

    /// <summary>Stores a line, marking a failure of the store (not of the socket) so it is not taken for a lost connection.</summary>
    private async ValueTask StoreAsync(string line, CancellationToken cancellationToken)
    {
        try
        {
            await _receiver.StoreAsync(line, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            throw new StoreFailedException(error);
        }
    }

    /// <summary>Tells a failure to store a line apart from a failure of the connection.</summary>
    private sealed class StoreFailedException(Exception inner) : Exception(inner.Message, inner);

    private void RejectLongLine(long connection, long offset, long bytes) =>
        Dropped(connection, offset, bytes, "line-too-long", $"a line of {bytes} bytes exceeds MaxLineLength ({options.MaxLineLength} bytes) and was left out", null, null);

    private void Report(string message, Exception? inner) =>
        _context?.ReportError(Name, new SourceException(Name, message, inner));
}
