using Orleans;

namespace StreamLinq.Orleans;

/// <summary>
/// A reducer refused an order from a driver whose epoch is older than one it has taken orders
/// under: the order comes from a zombie (an old activation still running after another took
/// over), which must stop without writing anything.
/// </summary>
[GenerateSerializer]
[Alias("StreamLinq.Orleans.StaleEpochException")]
internal sealed class StaleEpochException : Exception
{
    public StaleEpochException(string message)
        : base(message)
    {
    }
}
