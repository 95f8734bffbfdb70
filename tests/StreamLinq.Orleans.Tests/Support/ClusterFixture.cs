using Orleans.Hosting;
using Orleans.TestingHost;

namespace StreamLinq.Orleans.Tests.Support;

/// <summary>One in-process Orleans cluster of 3 silos, each with every test job registered, shared by the tests of the collection.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public TestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(3);
        builder.AddSiloBuilderConfigurator<Silo>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        if (Directory.Exists(TestJobs.CheckpointDirectory))
        {
            Directory.Delete(TestJobs.CheckpointDirectory, recursive: true);
        }
    }

    private sealed class Silo : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) => siloBuilder.AddStreamLinq(TestJobs.Register);
    }
}

/// <summary>The test classes that share one cluster: they run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "Orleans cluster of 3 silos";
}
