using StreamLinq.DStreams;
using StreamLinq.Sinks;

namespace StreamLinq;

/// <summary>What cluster mode (<see cref="Distributed.DistributedPlan"/>) reads of a context the job's factory built.</summary>
public sealed partial class StreamingContext
{
    internal IReadOnlyList<IInputDStream> InputStreams
    {
        get
        {
            lock (_gate)
            {
                return _inputs.ToArray();
            }
        }
    }

    internal IReadOnlyList<OutputOperation> OutputOperations
    {
        get
        {
            lock (_gate)
            {
                return _outputs.ToArray();
            }
        }
    }
}
