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
    private static readonly long Period = TimeSpan.FromMilliseconds(20).Ticks;

    [Fact]
    public async Task A_wait_on_the_system_clock_ends_once_the_time_set_has_come()
    {
        using var wait = BoundaryWait.Create(TimeProvider.System);
        var due = TimeProvider.System.UnixTicks() + TimeSpan.FromMilliseconds(30).Ticks;
        wait.Arm(due, Period);
        await WaitUntilAsync(wait, TimeProvider.System, due).WaitAsync(Hang);
        Assert.True(TimeProvider.System.UnixTicks() >= due);
    }

    [Fact]
    public async Task A_later_time_set_from_another_thread_replaces_the_earlier_one_on_the_system_clock()
    {
        using var wait = BoundaryWait.Create(TimeProvider.System);
        var now = TimeProvider.System.UnixTicks();
        wait.Arm(now + TimeSpan.FromMilliseconds(20).Ticks, Period);
        var later = now + TimeSpan.FromMilliseconds(200).Ticks;
        wait.Arm(later, Period);

        // Had the earlier time stayed, the wait would end there and, waited again, never.
        await WaitUntilAsync(wait, TimeProvider.System, later).WaitAsync(Hang);
        Assert.True(TimeProvider.System.UnixTicks() >= later);
    }

    [Fact]
    public async Task A_fake_clock_ends_the_wait_when_it_reaches_the_time_set_and_not_before()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        using var wait = BoundaryWait.Create(clock);
        wait.Arm(TimeSpan.FromSeconds(10).Ticks, Period);
        wait.Arm(TimeSpan.FromSeconds(20).Ticks, Period);
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
        wait.Arm(clock.UnixTicks() + TimeSpan.FromMilliseconds(10).Ticks, Period);
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

    [Fact]
    public async Task Boundaries_one_period_apart_set_the_system_timer_once_and_a_disarmed_wait_skips_the_boundaries_it_missed()
    {
        using var wait = Assert.IsType<LinuxBoundaryWait>(BoundaryWait.Create(TimeProvider.System));
        var due = TimeProvider.System.UnixTicks() + TimeSpan.FromMilliseconds(30).Ticks;
        for (var i = 0; i < 3; i++, due += Period)
        {
            wait.Arm(due, Period);
            await WaitUntilAsync(wait, TimeProvider.System, due).WaitAsync(Hang);
        }

        // Disarmed for five boundaries: their expiries must not end the next wait early.
        wait.Disarm();
        await Task.Delay(TimeSpan.FromTicks(5 * Period));
        due += ((TimeProvider.System.UnixTicks() - due) / Period + 1) * Period;
        wait.Arm(due, Period);
        await Task.Factory.StartNew(wait.Wait, TaskCreationOptions.LongRunning).WaitAsync(Hang);
        Assert.True(TimeProvider.System.UnixTicks() >= due);
        Assert.Equal(1, wait.TimerSets);
    }

    [Fact]
    public async Task A_wait_armed_again_for_a_boundary_that_passed_while_it_was_disarmed_ends_at_once()
    {
        using var wait = BoundaryWait.Create(TimeProvider.System);
        var second = TimeSpan.TicksPerSecond;
        var due = TimeProvider.System.UnixTicks() + TimeSpan.FromMilliseconds(30).Ticks;
        wait.Arm(due, second);
        await WaitUntilAsync(wait, TimeProvider.System, due).WaitAsync(Hang);
        wait.Disarm();
        await Task.Delay(TimeSpan.FromTicks(second + TimeSpan.FromMilliseconds(50).Ticks));

        // Had dropping the missed expiries dropped this one, the wait would end a second later.
        wait.Arm(due + second, second);
        await Task.Factory.StartNew(wait.Wait, TaskCreationOptions.LongRunning).WaitAsync(TimeSpan.FromMilliseconds(500));
    }

    [Fact]
    public async Task A_new_period_sets_the_system_timer_again_and_the_old_periods_boundaries_wake_nobody()
    {
        using var wait = Assert.IsType<LinuxBoundaryWait>(BoundaryWait.Create(TimeProvider.System));
        var due = TimeProvider.System.UnixTicks() + TimeSpan.FromMilliseconds(30).Ticks;
        wait.Arm(due, Period);
        await WaitUntilAsync(wait, TimeProvider.System, due).WaitAsync(Hang);

        // Ten of the old period later, on its grid: one wait, not one per old boundary.
        var later = due + 10 * Period;
        wait.Arm(later, 10 * Period);
        var returns = await Task.Factory.StartNew(
            () =>
            {
                var count = 0;
                while (TimeProvider.System.UnixTicks() < later)
                {
                    wait.Wait();
                    count++;
                }

                return count;
            },
            TaskCreationOptions.LongRunning).WaitAsync(Hang);
        Assert.InRange(returns, 1, 3);
        Assert.Equal(2, wait.TimerSets);
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
