namespace StreamLinq.Sources;

/// <summary>Hears of each chunk a receiver's producer hands off full, before a seal takes it.</summary>
/// <typeparam name="T">The type of the records.</typeparam>
internal interface IFullChunkListener<T>
{
    /// <summary>
    /// Called on the producer's thread right after <paramref name="chunk"/> was handed off: no
    /// producer writes it any more. The chunk may already be sealed, even released; a listener
    /// that reads it later takes a reference first (<see cref="ReceiverChunk{T}.TryAddReference"/>).
    /// Must be quick and must not throw.
    /// </summary>
    void OnFull(ReceiverChunk<T> chunk);
}
