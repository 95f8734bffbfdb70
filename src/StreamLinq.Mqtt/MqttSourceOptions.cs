namespace StreamLinq.Mqtt;

/// <summary>Settings of an MQTT source.</summary>
public sealed record MqttSourceOptions
{
    /// <summary>
    /// The client id: names the persistent session in which the broker keeps the subscription and
    /// the QoS 1 messages not yet acknowledged while the driver is away. Stable across restarts,
    /// unique per source. Required.
    /// </summary>
    public required string ClientId { get; init; }

    /// <summary>How long to wait between connection attempts after the broker went away; 1 second by default.</summary>
    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The receiver's buffer, rate limit and write-ahead log. Turn on
    /// <see cref="ReceiverOptions.WriteAheadLog"/> for at least once across a driver crash: a
    /// message is acknowledged to the broker only once it is in the log.
    /// </summary>
    public ReceiverOptions? Receiver { get; init; }
}
