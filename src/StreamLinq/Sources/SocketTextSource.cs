using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text;

namespace StreamLinq.Sources;

/// <summary>
/// A receiver that connects to a TCP server and stores each newline-delimited UTF-8 line
/// (a trailing carriage return is dropped). When the peer goes away it reconnects with
/// exponential back-off. A line is a record only once its newline arrives: an unterminated tail
/// left by a disconnect is reported and dropped.
/// </summary>
internal sealed class SocketTextSource(string host, int port, SocketTextStreamOptions options) : IBatchSource<string>, IReceiverSource<string>, IRateControlledSource
{
    private readonly Receiver<string> _receiver = new(options.Receiver);
    private readonly CancellationTokenSource _stop = new();
    private Task _pump = Task.CompletedTask;
    private SourceContext? _context;

    public string Name => $"SocketTextStream({host}:{port})";

    public Receiver<string> Receiver => _receiver;

    public bool HasPending => _receiver.Pending > 0;

    public void SetRate(double recordsPerSecond) => _receiver.SetRate(recordsPerSecond);

    public void Start(SourceContext context)
    {
        _receiver.OpenLog(context, Name);
        _context = context;
        var token = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, context.Stopping).Token;
        _pump = Task.Run(() => PumpAsync(token), CancellationToken.None);
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
                await ReadLinesAsync(client.GetStream(), cancellationToken).ConfigureAwait(false);
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

    private async Task ReadLinesAsync(Stream stream, CancellationToken cancellationToken)
    {
        var reader = PipeReader.Create(stream);
        var skipping = false;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                var buffer = result.Buffer;
                while (buffer.PositionOf((byte)'\n') is { } newline)
                {
                    var line = buffer.Slice(0, newline);
                    buffer = buffer.Slice(buffer.GetPosition(1, newline));
                    if (skipping)
                    {
                        skipping = false;
                    }
                    else if (line.Length > options.MaxLineLength)
                    {
                        RejectLongLine(line.Length);
                    }
                    else
                    {
                        await StoreAsync(Decode(line), cancellationToken).ConfigureAwait(false);
                    }
                }

                if (!skipping && buffer.Length > options.MaxLineLength)
                {
                    RejectLongLine(buffer.Length);
                    skipping = true;
                }

                if (skipping)
                {
                    reader.AdvanceTo(buffer.End);
                }
                else
                {
                    reader.AdvanceTo(buffer.Start, buffer.End);
                }

                if (result.IsCompleted)
                {
                    if (!skipping && buffer.Length > 0)
                    {
                        Report($"the peer closed the connection in the middle of a line; {buffer.Length} bytes without a newline were dropped", null);
                    }

                    return;
                }
            }
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }
    }

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

    private void RejectLongLine(long length) =>
        Report($"a line of at least {length} bytes exceeds MaxLineLength ({options.MaxLineLength} bytes) and was rejected", null);

    private static string Decode(ReadOnlySequence<byte> line)
    {
        var text = Encoding.UTF8.GetString(line);
        return text.EndsWith('\r') ? text[..^1] : text;
    }

    private void Report(string message, Exception? inner) =>
        _context?.ReportError(Name, new SourceException(Name, message, inner));
}
