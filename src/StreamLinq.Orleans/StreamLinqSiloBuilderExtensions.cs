using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using Orleans.Runtime.GrainDirectory;

namespace StreamLinq.Orleans;

/// <summary>Adds StreamLinq's cluster mode to an Orleans silo.</summary>
public static class StreamLinqSiloBuilderExtensions
{
    /// <summary>
    /// Adds the engine's grains (a driver per job, executors per source partition, reducers per
    /// key partition) and the jobs <paramref name="jobs"/> registers. Every silo of the cluster
    /// must add the same jobs. A job runs only once started (<see cref="IStreamJob.StartAsync"/>).
    /// Each silo also runs the failover probe: it calls the driver of every job that has a
    /// checkpoint store every <see cref="StreamJobRegistry.DriverProbeInterval"/>, so that a driver
    /// whose silo died comes back on a live one and resumes the job. The drivers are kept in
    /// Orleans' strongly consistent distributed grain directory (registered under the name
    /// <c>streamlinq-drivers</c>, or the silo's default when that is the distributed directory
    /// already): with the default directory, the entries a dead silo held are lost, so the probe's
    /// next call could activate a second driver of a job while the first still runs on a live silo.
    /// The silo's other grains keep its default directory. To make the distributed directory the
    /// silo's default as well, call <c>AddDistributedGrainDirectory()</c> before this method
    /// (Orleans registers it once, under the first name asked for).
    /// </summary>
    /// <param name="builder">The silo.</param>
    /// <param name="jobs">Registers the jobs (<see cref="StreamJobRegistry.AddJob"/>).</param>
    /// <returns>The silo builder.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static ISiloBuilder AddStreamLinq(this ISiloBuilder builder, Action<StreamJobRegistry> jobs)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(jobs);
        var registry = new StreamJobRegistry();
        jobs(registry);
        builder.Services.AddSingleton(registry);
        builder.Services.AddHostedService<DriverProbe>();
        builder.Services.AddSingleton<IGrainDirectoryResolver, DriverDirectoryResolver>();

        // Experimental in Orleans 10 (ORLEANSEXP003), and the only directory in the box that keeps
        // one activation per grain across silo deaths, which a job's single driver relies on.
        // Executors and reducers stay in the default one: a second activation of theirs is fenced
        // by the epoch, and the default directory lets a dead silo's grains start elsewhere at
        // once, where the distributed one holds them for a lease (GrainDirectoryOptions.RangeLeaseDuration).
#pragma warning disable ORLEANSEXP003
        builder.AddDistributedGrainDirectory(DriverDirectoryResolver.Name);
#pragma warning restore ORLEANSEXP003
        return builder;
    }
}
