namespace StreamLinq.State;

/// <summary>The version check every stateful operator makes before reading a checkpoint.</summary>
internal static class StateVersions
{
    /// <exception cref="InvalidDataException"><paramref name="version"/> is not the operator's.</exception>
    public static void Check(IStatefulOperator op, int version)
    {
        if (version != op.StateVersion)
        {
            throw new InvalidDataException($"The state of {op.StateId} was written at version {version}; this build reads version {op.StateVersion}.");
        }
    }
}
