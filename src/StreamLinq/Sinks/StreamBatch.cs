namespace StreamLinq;

/// <summary>One batch of a stream's results, as <see cref="DStreamObservables.ToObservable{T}"/> delivers it.</summary>
/// <typeparam name="T">The type of the records.</typeparam>
/// <param name="Time">The batch time.</param>
/// <param name="Records">
/// The batch's records, in the stream's order. Valid during the <c>OnNext</c> call only: copy the
/// records to keep them (the engine may reuse the batch's memory once its outputs have run).
/// </param>
public sealed record StreamBatch<T>(BatchTime Time, IReadOnlyList<T> Records);
