using Microsoft.Extensions.Configuration;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;
using Orleans.TestingHost;

namespace StreamLinq.Orleans.Tests.Failover;

/// <summary>
/// An in-process Orleans cluster of 4 silos for the tests that kill silos, with failure detection
/// tuned to a few seconds: each silo probes 3 others every second, 2 missed probes make a suspect,
/// 1 vote declares it dead. The primary silo holds the test cluster's membership table and is never killed.
/// </summary>
public sealed class FailoverFixture : IAsyncLifetime
{
    public const int SiloCount = 4;

    public TestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(SiloCount);
        builder.AddSiloBuilderConfigurator<Silo>();
        builder.AddClientBuilderConfigurator<Client>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        if (Directory.Exists(FailoverJobs.CheckpointDirectory))
        {
            Directory.Delete(FailoverJobs.CheckpointDirectory, recursive: true);
        }
    }

    /// <summary>Kills the silo at <paramref name="silo"/> (no goodbye: its activations just vanish) and starts another in its place for the next test.</summary>
    public async Task KillAsync(SiloAddress silo)
    {
        var handle = Cluster.Silos.Single(s => s.SiloAddress.Equals(silo));
        Assert.NotSame(Cluster.Primary, handle);
        await Cluster.KillSiloAsync(handle);
    }

    /// <summary>Starts silos until the cluster has <see cref="SiloCount"/> again.</summary>
    public async Task RefillAsync()
    {
        while (Cluster.Silos.Count < SiloCount)
        {
            await Cluster.StartAdditionalSiloAsync();
        }
    }

    private sealed class Silo : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.AddStreamLinq(FailoverJobs.Register);
            siloBuilder.Configure<ClusterMembershipOptions>(options =>
            {
                options.ProbeTimeout = TimeSpan.FromSeconds(1);
                options.NumMissedProbesLimit = 2;
                options.NumVotesForDeathDeclaration = 1;
                options.TableRefreshTimeout = TimeSpan.FromSeconds(1);
            });
            siloBuilder.Configure<SiloMessagingOptions>(options => options.ResponseTimeout = TimeSpan.FromSeconds(10));
        }
    }

    private sealed class Client : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder clientBuilder) =>
            clientBuilder.Configure<ClientMessagingOptions>(options => options.ResponseTimeout = TimeSpan.FromSeconds(10));
    }
}

/// <summary>The tests that kill silos of one cluster: they run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class FailoverCollection : ICollectionFixture<FailoverFixture>
{
    public const string Name = "Orleans cluster of 4 silos that lose some";
}
