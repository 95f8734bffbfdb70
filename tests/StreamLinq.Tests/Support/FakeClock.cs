namespace StreamLinq.Tests.Support;

/// <summary>Drives a <see cref="FakeTimeProvider"/> while the engine waits on it.</summary>
public static class FakeClock
{
    /// <summary>
    /// Advances <paramref name="clock"/> by <paramref name="step"/> every few real milliseconds
    /// until <paramref name="task"/> completes, so that whatever waits on the fake clock (a
    /// time-out, a retry's delay, a back-off) comes due; gives up after 30 s of real time.
    /// </summary>
    public static async Task AdvanceUntilAsync(this FakeTimeProvider clock, Task task, TimeSpan step)
    {
        var limit = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!task.IsCompleted && DateTime.UtcNow < limit)
        {
            clock.Advance(step);
            await Task.WhenAny(task, Task.Delay(5));
        }

        await task.WaitAsync(TimeSpan.Zero);
    }
}
