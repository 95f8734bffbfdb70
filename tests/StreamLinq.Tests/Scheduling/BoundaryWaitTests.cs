using Microsoft.Extensions.Time.Testing;
using StreamLinq.Scheduling;

namespace StreamLinq.Tests.Scheduling;

/// <summary>
/// The scheduler's wait for a batch boundary, on the system clock (a <c>timerfd</c> on Linux) and
/// on a fake clock: it ends at the time set, a later time set from another thread replaces it
/// without ending it, a cleared time leaves only a wake, and a wake before the wait is kept.
/// </summary>
public sealed class BoundaryWaitTests
{
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_wait_on_the_system_clock_ends_once_the_time_set_has_come()
    {
        using var wait = BoundaryWait.Create(TimeProvider.System);
        var due = TimeProvider.System.UnixTicks() + TimeSpan.FromMilliseconds(30).Ticks;
        wait.Arm(due);
        await WaitUntilAsync(wait, TimeProvider.System, due).WaitAsync(Hang);
        Assert.True(TimeProvider.System.UnixTicks() >= due);
    }

    [Fact]
    public async Task A_later_time_set_from_another_thread_replaces_the_earlier_one_on_the_system_clock()
    {
        using var wait = BoundaryWait.Create(TimeProvider.System);
        var now = TimeProvider.System.UnixTicks();
        wait.Arm(now + TimeSpan.FromMilliseconds(20).Ticks);
        var later = now + TimeSpan.FromMilliseconds(200).Ticks;
        wait.Arm(later);

        // Had the earlier time stayed, the wait would end there and, waited again, never.
        await WaitUntilAsync(wait, TimeProvider.System, later).WaitAsync(Hang);
        Assert.True(TimeProvider.System.UnixTicks() >= later);
    }

    [Fact]
    public async Task A_fake_clock_ends_the_wait_when_it_reaches_the_time_set_and_not_before()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        using var wait = BoundaryWait.Create(clock);
        wait.Arm(TimeSpan.FromSeconds(10).Ticks);
        wait.Arm(TimeSpan.FromSeconds(20).Ticks);
        var waiting = Task.Factory.StartNew(wait.Wait, TaskCreationOptions.LongRunning);

        clock.Advance(TimeSpan.FromSeconds(15));
        await Task.Delay(100);
        Assert.False(waiting.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(5));
        await waiting.WaitAsync(Hang);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_cleared_wait_ends_only_at_a_wake_and_a_wake_before_the_wait_is_kept(bool systemClock)
    {
        var clock = systemClock ? TimeProvider.System : new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        using var wait = BoundaryWait.Create(clock);
        wait.Arm(clock.UnixTicks() + TimeSpan.FromMilliseconds(10).Ticks);
        wait.Disarm();
        (clock as FakeTimeProvider)?.Advance(TimeSpan.FromSeconds(1));
        var waiting = Task.Factory.StartNew(wait.Wait, TaskCreationOptions.LongRunning);
        await Task.Delay(200);
        Assert.False(waiting.IsCompleted);
        wait.Wake();
        await waiting.WaitAsync(Hang);

        wait.Wake();
        await Task.Factory.StartNew(wait.Wait, TaskCreationOptions.LongRunning).WaitAsync(Hang);
    }

    /// <summary>Waits as the scheduler does: a wait may end early, so it is repeated until the time has come.</summary>
    private static Task WaitUntilAsync(BoundaryWait wait, TimeProvider clock, long due) =>
        Task.Factory.StartNew(
            () =>
            {
                while (clock.UnixTicks() < due)
                {
                    wait.Wait();
                }
            },
            TaskCreationOptions.LongRunning);
}
