using System.Text;

namespace StreamLinq.Sinks;

/// <summary>Spark's <c>print</c>: a header with the batch time, then the first records.</summary>
internal sealed class PrintSink<T>(int count, TextWriter? writer) : IBatchSink<T>
{
    public Task WriteBatchAsync(IReadOnlyList<T> batch, BatchTime time, CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        text.AppendLine("-------------------------------------------");
        text.Append("Time: ").AppendLine(time.ToString());
        text.AppendLine("-------------------------------------------");
        for (var i = 0; i < Math.Min(count, batch.Count); i++)
        {
            text.AppendLine(batch[i]?.ToString());
        }

        if (batch.Count > count)
        {
            text.AppendLine("...");
        }

        text.AppendLine();
        (writer ?? Console.Out).Write(text.ToString());
        return Task.CompletedTask;
    }
}
