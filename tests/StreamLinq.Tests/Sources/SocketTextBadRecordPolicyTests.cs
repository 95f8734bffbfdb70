using System.Net;
using System.Net.Sockets;
using System.Text;
using StreamLinq.Tests.Support;

namespace StreamLinq.Tests.Sources;

/// <summary>The socket source's strict decoding, bad-record policy and line endings, against a real TCP server on loopback.</summary>
public sealed class SocketTextBadRecordPolicyTests : IDisposable
{
    private readonly TcpListener _server = new(IPAddress.Loopback, 0);
    private readonly DirectoryInfo _scratch = Directory.CreateTempSubdirectory("streamlinq-socket");

    public SocketTextBadRecordPolicyTests() => _server.Start();

    private int Port => ((IPEndPoint)_server.LocalEndpoint).Port;

    public void Dispose()
    {
        _server.Stop();
        _scratch.Delete(recursive: true);
    }

    private static byte[] Bytes(params object[] parts) =>
        [.. parts.SelectMany(p => p is string s ? Encoding.UTF8.GetBytes(s) : (byte[])p)];

    [Fact]
    public async Task By_default_a_line_that_is_not_valid_UTF8_is_left_out_and_reported_with_its_offset_and_length_never_replaced()
    {
        await using var harness = new StreamHarness();
        var results = StreamHarness.Collect(harness.Context.SocketTextStream("127.0.0.1", Port));
        await harness.StartAsync();
        using var peer = await _server.AcceptTcpClientAsync();
        await peer.GetStream().WriteAsync(Bytes("good\n", new byte[] { (byte)'b', 0xFF, (byte)'d' }, "\nnext\n"));
        await Eventually.RunBatchesUntilAsync(harness, () => results.Values.Sum(b => b.Length) == 2 && !harness.Dropped.IsEmpty);

        Assert.Equal(["good", "next"], results.OrderBy(r => r.Key).SelectMany(r => r.Value));
        Assert.DoesNotContain(results.Values.SelectMany(b => b), line => line.Contains('\uFFFD', StringComparison.Ordinal));
        var dropped = Assert.Single(harness.Dropped);
        Assert.Equal("connection 1, byte 6", dropped.Location);
        Assert.Equal(4, dropped.Bytes);
        Assert.Equal(BadRecordPolicy.Skip, dropped.Policy);
    }

    [Fact]
    public async Task Under_fail_the_lines_before_a_bad_one_arrive_then_batches_fail_naming_its_offset()
    {
        await using var harness = new StreamHarness();
        var results = StreamHarness.Collect(harness.Context.SocketTextStream("127.0.0.1", Port, new SocketTextStreamOptions { BadRecordPolicy = BadRecordPolicy.Fail }));
        await harness.StartAsync();
        using var peer = await _server.AcceptTcpClientAsync();
        await peer.GetStream().WriteAsync(Bytes("before\n", new byte[] { 0xC0, 0xAF }, "\nafter\n"));
        await Eventually.RunBatchesUntilAsync(harness, () => !harness.SourceErrors.IsEmpty);

        BatchInfo batch;
        var batches = 0;
        do
        {
            Assert.True(++batches <= 200, "No batch failed in 200 batches after the bad line was reported.");
            batch = await harness.RunBatchAsync();
        }
        while (batch.Failure is null);

        Assert.Equal(["before"], results.OrderBy(r => r.Key).SelectMany(r => r.Value));
        var error = Assert.IsType<SourceException>(Assert.IsType<BatchFailedException>(batch.Failure).InnerException);
        Assert.Contains("not valid UTF-8 (connection 1, byte 7)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Under_dead_letter_a_bad_line_is_appended_as_received_to_an_owner_only_file()
    {
        await using var harness = new StreamHarness();
        var results = StreamHarness.Collect(harness.Context.SocketTextStream("127.0.0.1", Port, new SocketTextStreamOptions { BadRecordPolicy = BadRecordPolicy.DeadLetter, DeadLetterDirectory = _scratch.FullName }));
        await harness.StartAsync();
        using var peer = await _server.AcceptTcpClientAsync();
        byte[] bad = [(byte)'x', 0xE2, 0x82, (byte)'\r'];
        await peer.GetStream().WriteAsync(Bytes("a\n", bad, "\nb\n"));
        await Eventually.RunBatchesUntilAsync(harness, () => results.Values.Sum(b => b.Length) == 2 && !harness.Dropped.IsEmpty);

        var dropped = Assert.Single(harness.Dropped);
        Assert.NotNull(dropped.DeadLetterPath);
        Assert.Equal(Bytes(bad, "\n"), File.ReadAllBytes(dropped.DeadLetterPath));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(dropped.DeadLetterPath));
        }
    }

    [Fact]
    public async Task The_dead_letter_policy_without_a_directory_is_refused_when_the_stream_is_defined()
    {
        await using var context = new StreamingContext(TimeSpan.FromSeconds(1), new StreamingOptions { TimeProvider = new FakeTimeProvider(DateTimeOffset.UnixEpoch) });
        var error = Assert.Throws<ArgumentException>(() => context.SocketTextStream("127.0.0.1", Port, new SocketTextStreamOptions { BadRecordPolicy = BadRecordPolicy.DeadLetter }));
        Assert.Contains(nameof(SocketTextStreamOptions.DeadLetterDirectory), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Carriage_returns_right_before_the_newline_belong_to_the_terminator_and_others_are_data()
    {
        await using var harness = new StreamHarness();
        var results = StreamHarness.Collect(harness.Context.SocketTextStream("127.0.0.1", Port));
        await harness.StartAsync();
        using var peer = await _server.AcceptTcpClientAsync();
        await peer.GetStream().WriteAsync(Bytes("a\r\r\nb\r\n\rc\nd\re\n\n"));
        await Eventually.RunBatchesUntilAsync(harness, () => results.Values.Sum(b => b.Length) == 5);

        Assert.Equal(["a", "b", "\rc", "d\re", ""], results.OrderBy(r => r.Key).SelectMany(r => r.Value));
    }

    [Fact]
    public async Task A_peer_reset_in_the_middle_of_a_line_reports_how_many_bytes_were_dropped()
    {
        await using var harness = new StreamHarness();
        var results = StreamHarness.Collect(harness.Context.SocketTextStream("127.0.0.1", Port, new SocketTextStreamOptions { ReconnectDelay = TimeSpan.FromMilliseconds(10) }));
        await harness.StartAsync();
        using (var peer = await _server.AcceptTcpClientAsync())
        {
            await peer.GetStream().WriteAsync(Bytes("whole\npart of a lin"));
            await Eventually.RunBatchesUntilAsync(harness, () => results.Values.Sum(b => b.Length) == 1);

            // Linger 0: close sends RST, not FIN.
            peer.Client.LingerState = new LingerOption(true, 0);
            peer.Client.Close();
        }

        await Eventually.RunBatchesUntilAsync(harness, () => !harness.Dropped.IsEmpty);
        var dropped = Assert.Single(harness.Dropped);
        Assert.Equal("part of a lin".Length, dropped.Bytes);
        Assert.Equal("connection 1, byte 6", dropped.Location);
        Assert.Equal(["whole"], results.Values.SelectMany(b => b));
    }
}
