using Microsoft.Extensions.DependencyInjection;
using Orleans.Metadata;
using Orleans.Runtime.GrainDirectory;
using Orleans.TestingHost;
using StreamLinq.Orleans.Tests.Support;

namespace StreamLinq.Orleans.Tests.Jobs;

/// <summary>
/// The drivers' grain directory on every way a silo can be configured: Orleans registers its
/// distributed directory once, under the first name asked for, so a silo that made it its default
/// before <c>AddStreamLinq</c> (as every <c>TestCluster</c> silo does) never has the drivers' name.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class DriverDirectoryTests(ClusterFixture fixture)
{
    private static readonly Script<int> OneRecord = new([[[1]]]);

    [Fact]
    public async Task A_driver_is_activated_in_the_distributed_grain_directory_on_a_silo_that_made_it_its_default_before_AddStreamLinq()
    {
        var job = TestJobs.Define(context => context.AddInput(new ScriptedSource<int>("S", OneRecord)).ForEachBatch((_, _) => { }));

        var status = await fixture.Cluster.Client.GetStreamJob(job).GetStatusAsync();

        Assert.False(status.IsRunning);
        AssertDriversInDistributedDirectory(((InProcessSiloHandle)fixture.Cluster.Primary!).ServiceProvider);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_driver_is_activated_in_the_distributed_grain_directory_whether_or_not_it_is_the_silos_default(bool distributedDefault)
    {
        var builder = new InProcessTestClusterBuilder(1);
#pragma warning disable ORLEANSEXP003
        builder.Options.UseDistributedGrainDirectory = distributedDefault;
#pragma warning restore ORLEANSEXP003
        builder.ConfigureSilo((_, silo) => silo.AddStreamLinq(jobs => jobs.AddJob(
            "directory",
            (context, _) => context.AddInput(new ScriptedSource<int>("S", OneRecord)).ForEachBatch((_, _) => { }),
            options => options.BatchInterval = TimeSpan.FromSeconds(1))));
        await using var cluster = builder.Build();
        await cluster.DeployAsync();

        var status = await cluster.Client.GetStreamJob("directory").GetStatusAsync();

        Assert.False(status.IsRunning);
        AssertDriversInDistributedDirectory(cluster.Silos[0].ServiceProvider);
    }

    private static void AssertDriversInDistributedDirectory(IServiceProvider silo)
    {
        var driver = silo.GetRequiredService<GrainTypeResolver>().GetGrainType(typeof(StreamJobGrain));
        var properties = silo.GetRequiredService<GrainPropertiesResolver>().GetGrainProperties(driver);
        var resolver = silo.GetServices<IGrainDirectoryResolver>().OfType<DriverDirectoryResolver>().Single();
        Assert.True(resolver.TryResolveGrainDirectory(driver, properties, out var directory));
        Assert.Equal("DistributedGrainDirectory", directory.GetType().Name);
    }
}
