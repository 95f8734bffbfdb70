namespace StreamLinq.Testing.FsCheck;

/// <summary>Runs a job over a batched input on a <see cref="StreamTestHarness"/> and returns what its output received.</summary>
internal static class JobRun
{
    public static TestOutput<TResult> Run<T, TResult>(
        BatchedInput<T> input, Func<IDStream<T>, IDStream<TResult>> job, int flushBatches, int? crashAfter = null) =>
        // FsCheck runs a property synchronously; the harness is asynchronous and never needs the
        // caller's synchronisation context, so the run goes to the pool and the property waits.
        Task.Run(() => RunAsync(input, job, flushBatches, crashAfter)).GetAwaiter().GetResult();

    private static async Task<TestOutput<TResult>> RunAsync<T, TResult>(
        BatchedInput<T> input, Func<IDStream<T>, IDStream<TResult>> job, int flushBatches, int? crashAfter)
    {
        var source = new TestInput<T>("PropertyInput");
        var output = new TestOutput<TResult>();
        var options = new StreamTestHarnessOptions
        {
            Checkpointing = crashAfter is not null,
            StreamingOptions = new StreamingOptions { RestartStrategy = RestartStrategy.None },
        };
        await using var harness = new StreamTestHarness(
            streaming =>
            {
                var context = new StreamingContext(input.Interval, streaming);
                job(context.AddInput(source)).WriteTo(output);
                return context;
            },
            options);
        await harness.StartAsync().ConfigureAwait(false);
        for (var i = 0; i < input.Batches.Count; i++)
        {
            source.PushAt(input.TimeOf(i), input.Batches[i]);
        }

        for (var i = 0; i < input.Batches.Count + flushBatches; i++)
        {
            var batch = await harness.RunBatchAsync().ConfigureAwait(false);
            if (batch.Failure is { } failure)
            {
                throw new InvalidOperationException($"Batch {batch.Time} failed: {failure.Message}", failure);
            }

            if (i == crashAfter)
            {
                await harness.RestartAsync().ConfigureAwait(false);
            }
        }

        return output;
    }
}
