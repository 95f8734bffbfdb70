using System.Diagnostics;

namespace StreamLinq.Latency;

/// <summary>
/// The stamped producer: one thread pushing records into an observer, either as fast as it can
/// or paced at a rate (open loop: each block of 64 records is stamped with the moment it was
/// due, so a producer held back falls behind its schedule and the wait shows as latency).
/// </summary>
internal static class Producer
{
    private const int Block = 64;

    /// <summary>Pushes records until <paramref name="stop"/>; returns how many were pushed.</summary>
    /// <remarks>
    /// Unpaced, each record is stamped with the clock as it is made (the cost of a stamped
    /// producer, as in issue 20's measurement); paced, with the moment it was due, and the
    /// producer waits between blocks of 64 records to keep its schedule. With
    /// <paramref name="stampWhenSent"/>, a paced block is stamped with the moment it is sent
    /// instead: the latency then starts when the source was offered the records, leaving out the
    /// time the producer was held back (what the engine itself adds).
    /// </remarks>
    public static long Run(IObserver<Stamped> observer, double? ratePerSecond, CancellationToken stop, bool stampWhenSent = false)
    {
        var start = Stopwatch.GetTimestamp();
        var ticksPerRecord = ratePerSecond is { } rate ? Stopwatch.Frequency / rate : 0;
        long produced = 0;
        while (!stop.IsCancellationRequested)
        {
            if (ratePerSecond is null)
            {
                for (var i = 0; i < Block; i++)
                {
                    observer.OnNext(new Stamped(Stopwatch.GetTimestamp(), (int)(produced % 1000), produced));
                    produced++;
                }

                continue;
            }

            var due = start + (long)(produced * ticksPerRecord);
            var spinner = default(SpinWait);
            while (Stopwatch.GetTimestamp() < due && !stop.IsCancellationRequested)
            {
                if (due - Stopwatch.GetTimestamp() > Stopwatch.Frequency / 1000)
                {
                    Thread.Sleep(1);
                }
                else
                {
                    spinner.SpinOnce(sleep1Threshold: -1);
                }
            }

            var stamp = stampWhenSent ? Stopwatch.GetTimestamp() : due;
            for (var i = 0; i < Block; i++)
            {
                observer.OnNext(new Stamped(stamp, (int)(produced % 1000), produced));
                produced++;
            }
        }

        return produced;
    }

    /// <summary>An observer that does nothing: the producer alone.</summary>
    public sealed class NoOp : IObserver<Stamped>
    {
        public long Last;

        public void OnNext(Stamped value) => Last = value.Value;

        public void OnError(Exception error)
        {
        }

        public void OnCompleted()
        {
        }
    }

    /// <summary>An observable that hands its subscriber (the context's receiver) to the producer.</summary>
    public sealed class Captured : IObservable<Stamped>
    {
        private readonly TaskCompletionSource<IObserver<Stamped>> _subscriber = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<IObserver<Stamped>> Subscriber => _subscriber.Task;

        public IDisposable Subscribe(IObserver<Stamped> observer)
        {
            _subscriber.TrySetResult(observer);
            return new Unsubscriber();
        }

        private sealed class Unsubscriber : IDisposable
        {
            public void Dispose()
            {
            }
        }
    }
}
