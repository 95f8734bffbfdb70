namespace StreamLinq.Execution;

/// <summary>A node that can do part of a batch's work while the batch is still open (<see cref="EagerChunks{TIn,TRun}"/>).</summary>
internal interface IEagerNode
{
    /// <summary>Starts eager work when the node can (it reads a receiver directly); called once, when the context starts, only when the interval is long enough (<see cref="StreamingOptions.EagerWorkMinInterval"/>).</summary>
    void StartEager();
}
