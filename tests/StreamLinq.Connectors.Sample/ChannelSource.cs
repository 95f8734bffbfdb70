using System.Threading.Channels;
using StreamLinq.Sources;

namespace StreamLinq.Connectors.Sample;

/// <summary>
/// A push source over a <see cref="ChannelReader{T}"/>: the smallest receiver there is. Each batch
/// holds what was read from the channel during its interval; the rate limit and the bounded
/// buffer of <see cref="ReceiverOptions"/> hold the reads back.
/// </summary>
/// <typeparam name="T">The type of the records.</typeparam>
public sealed class ChannelSource<T>(ChannelReader<T> reader, ReceiverOptions? options = null) : PushSource<T>("Channel", options)
{
    /// <inheritdoc />
    protected override async Task ReceiveAsync(CancellationToken cancellationToken)
    {
        await foreach (var record in reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            await StoreAsync(record, cancellationToken).ConfigureAwait(false);
        }
    }
}
