namespace StreamLinq.Tests.Architecture;

/// <summary>
/// The test host runs under a GC heap limit (Directory.Build.targets writes it into every test
/// project's runtimeconfig.json): a test that allocates without end fails by itself with an
/// <see cref="OutOfMemoryException"/> that names it, instead of growing the host until the
/// kernel kills it with the whole run and no test named.
/// </summary>
public class TestHostHeapLimitTests
{
    [Fact]
    public void The_test_host_runs_under_the_heap_limit_its_runtimeconfig_sets()
    {
        var configured = AppContext.GetData("System.GC.HeapHardLimit") as string;
        Assert.True(ulong.TryParse(configured, out var limit) && limit > 0, $"System.GC.HeapHardLimit is '{configured}' in the test host's runtimeconfig.json, not a number of bytes.");

        // The GC honours it: what it may use is the limit, not the machine's memory.
        Assert.Equal((long)limit, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes);
    }
}
