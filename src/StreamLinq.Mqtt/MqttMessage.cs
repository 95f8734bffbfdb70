namespace StreamLinq.Mqtt;

/// <summary>One MQTT message, as an MQTT source delivers it.</summary>
/// <param name="Topic">The topic it was published to.</param>
/// <param name="Payload">The payload.</param>
public sealed record MqttMessage(string Topic, byte[] Payload)
{
    /// <summary>The payload as UTF-8 text.</summary>
    public string Text => System.Text.Encoding.UTF8.GetString(Payload);
}
