namespace StreamLinq;

/// <summary>What one source gave one batch, in <see cref="BatchInfo.Inputs"/>.</summary>
/// <param name="Source">The source's name, e.g. <c>SocketTextStream(127.0.0.1:9999)</c>.</param>
/// <param name="Records">How many records the batch read from it (a replayed batch reads them again).</param>
public sealed record BatchInputInfo(string Source, long Records);
