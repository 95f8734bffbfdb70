namespace StreamLinq.Nats;

/// <summary>One message of a JetStream stream, as a NATS JetStream source delivers it.</summary>
/// <param name="Subject">The subject it was published to.</param>
/// <param name="Sequence">Its sequence number in the stream: unique and increasing across the stream's subjects.</param>
/// <param name="Data">The payload.</param>
/// <param name="Timestamp">When the server stored it.</param>
public sealed record NatsMessage(string Subject, ulong Sequence, byte[] Data, DateTimeOffset Timestamp)
{
    /// <summary>The payload as UTF-8 text.</summary>
    public string Text => System.Text.Encoding.UTF8.GetString(Data);
}
