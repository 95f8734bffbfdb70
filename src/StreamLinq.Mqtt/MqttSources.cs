namespace StreamLinq.Mqtt;

/// <summary>MQTT as a StreamLinq source.</summary>
public static class MqttSources
{
    /// <summary>
    /// A stream of the messages published to <paramref name="topics"/> on an MQTT broker, received
    /// at QoS 1 in a persistent session: each batch holds the messages stored since the last one.
    /// </summary>
    /// <param name="context">The context.</param>
    /// <param name="host">The broker's host.</param>
    /// <param name="port">The broker's port (1883 for plain MQTT).</param>
    /// <param name="topics">The topic filters to subscribe to (wildcards allowed).</param>
    /// <param name="options">The client id (required) and the receiver's settings.</param>
    /// <returns>The stream of messages.</returns>
    /// <remarks>
    /// <para>A push source: the records of a batch are those its receiver stored in the interval.
    /// A message is acknowledged to the broker only once stored, so a driver that goes away
    /// leaves the broker holding the rest in its session (a broker with persistence keeps them
    /// across its own restart) and they are delivered when it comes back.</para>
    /// <para>Without a write-ahead log, messages stored and acknowledged but not yet in a completed
    /// batch are lost if the driver crashes (at most once for them). With
    /// <see cref="ReceiverOptions.WriteAheadLog"/> (and a context from <c>GetOrCreate</c>) they are
    /// in the log before they are acknowledged, so a crash loses none: at least once. QoS 1 itself
    /// may deliver a message twice (a redelivery whose acknowledgement was lost).</para>
    /// <para>The rate limit and the bounded buffer of the receiver hold the acknowledgements back,
    /// so the broker, not the driver's memory, queues what the engine cannot take yet.</para>
    /// </remarks>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">No topic, or an empty or repeated one, or an empty host or client id.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="port"/> is not a TCP port.</exception>
    /// <exception cref="InvalidOperationException">The context has already started.</exception>
    public static IDStream<MqttMessage> MqttStream(this StreamingContext context, string host, int port, IEnumerable<string> topics, MqttSourceOptions options)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentException.ThrowIfNullOrEmpty(host);
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        ArgumentNullException.ThrowIfNull(topics);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.ClientId, nameof(options));
        var filters = topics.ToArray();
        if (filters.Length == 0 || filters.Any(string.IsNullOrEmpty) || filters.Distinct(StringComparer.Ordinal).Count() != filters.Length)
        {
            throw new ArgumentException("Give at least one topic filter, none empty or repeated.", nameof(topics));
        }

        return context.AddInput(new MqttSource(host, port, filters, options));
    }
}
