using System.Net;
using System.Net.Sockets;
using System.Text;
using StreamLinq.Tests.Support;

namespace StreamLinq.Tests.Sources;

/// <summary>Against a real TCP server on loopback.</summary>
public sealed class SocketTextStreamTests : IDisposable
{
    private readonly TcpListener _server = new(IPAddress.Loopback, 0);

    public SocketTextStreamTests() => _server.Start();

    private int Port => ((IPEndPoint)_server.LocalEndpoint).Port;

    public void Dispose() => _server.Stop();

    [Fact]
    public async Task Lines_sent_by_the_server_arrive_as_records_without_terminators()
    {
        await using var harness = new StreamHarness();
        var results = StreamHarness.Collect(harness.Context.SocketTextStream("127.0.0.1", Port));
        await harness.StartAsync();
        using (var peer = await _server.AcceptTcpClientAsync())
        {
            await peer.GetStream().WriteAsync(Encoding.UTF8.GetBytes("hello world\r\nsecond line\nünïcode\n"));
            await Eventually.RunBatchesUntilAsync(harness, () => results.Values.Sum(b => b.Length) == 3);
        }

        Assert.Equal(new[] { "hello world", "second line", "ünïcode" }, results.OrderBy(r => r.Key).SelectMany(r => r.Value));
    }

    [Fact]
    public async Task An_oversized_line_is_rejected_with_the_source_named_and_the_next_lines_still_arrive()
    {
        await using var harness = new StreamHarness();
        var results = StreamHarness.Collect(harness.Context.SocketTextStream("127.0.0.1", Port, new SocketTextStreamOptions { MaxLineLength = 16 }));
        await harness.StartAsync();
        using var peer = await _server.AcceptTcpClientAsync();
        var stream = peer.GetStream();
        await stream.WriteAsync(Encoding.UTF8.GetBytes("short\n" + new string('x', 5000)));
        await stream.WriteAsync(Encoding.UTF8.GetBytes(new string('y', 5000) + "\nafter\n"));
        await Eventually.RunBatchesUntilAsync(harness, () => results.Values.Sum(b => b.Length) == 2);

        Assert.Equal(new[] { "short", "after" }, results.OrderBy(r => r.Key).SelectMany(r => r.Value));
        var error = Assert.IsType<SourceException>(Assert.Single(harness.SourceErrors));
        Assert.Equal($"SocketTextStream(127.0.0.1:{Port})", error.SourceName);
        Assert.Contains("exceeds MaxLineLength (16 bytes)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_peer_that_disconnects_mid_line_loses_only_the_unterminated_tail_and_the_receiver_reconnects()
    {
        await using var harness = new StreamHarness();
        var results = StreamHarness.Collect(harness.Context.SocketTextStream("127.0.0.1", Port, new SocketTextStreamOptions { ReconnectDelay = TimeSpan.FromMilliseconds(10) }));
        await harness.StartAsync();
        using (var first = await _server.AcceptTcpClientAsync())
        {
            await first.GetStream().WriteAsync(Encoding.UTF8.GetBytes("complete\nhalf a li"));
        }

        using (var second = await AcceptAsync(harness, _server))
        {
            await second.GetStream().WriteAsync(Encoding.UTF8.GetBytes("after reconnect\n"));
            await Eventually.RunBatchesUntilAsync(harness, () => results.Values.Sum(b => b.Length) == 2);
        }

        Assert.Equal(new[] { "complete", "after reconnect" }, results.OrderBy(r => r.Key).SelectMany(r => r.Value));
        Assert.Contains(harness.SourceErrors, e => e.Message.Contains("in the middle of a line; 9 bytes", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_server_that_is_not_there_yet_is_retried_until_it_is()
    {
        var port = Port;
        _server.Stop();
        await using var harness = new StreamHarness();
        var results = StreamHarness.Collect(harness.Context.SocketTextStream("127.0.0.1", port, new SocketTextStreamOptions { ReconnectDelay = TimeSpan.FromMilliseconds(10), MaxReconnectDelay = TimeSpan.FromMilliseconds(50) }));
        await harness.StartAsync();
        await Eventually.RunBatchesUntilAsync(harness, () => !harness.SourceErrors.IsEmpty);

        var late = new TcpListener(IPAddress.Loopback, port);
        late.Start();
        try
        {
            using var peer = await AcceptAsync(harness, late);
            await peer.GetStream().WriteAsync(Encoding.UTF8.GetBytes("finally\n"));
            await Eventually.RunBatchesUntilAsync(harness, () => results.Values.Sum(b => b.Length) == 1);
        }
        finally
        {
            late.Stop();
        }

        Assert.Equal("finally", results.Values.SelectMany(b => b).Single());
        Assert.Contains(harness.SourceErrors, e => e.Message.Contains("connection failed", StringComparison.Ordinal));
    }

    /// <summary>The source reconnects after a back-off on the harness's fake clock: the clock is driven until it does.</summary>
    private static async Task<TcpClient> AcceptAsync(StreamHarness harness, TcpListener server)
    {
        var accept = server.AcceptTcpClientAsync();
        await harness.Clock.AdvanceUntilAsync(accept, TimeSpan.FromMilliseconds(10));
        return await accept;
    }
}
