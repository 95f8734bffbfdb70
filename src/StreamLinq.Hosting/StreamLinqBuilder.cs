using Microsoft.Extensions.DependencyInjection;

namespace StreamLinq.Hosting;

/// <summary>Adds jobs to the host (returned by <see cref="StreamLinqServiceCollectionExtensions.AddStreamLinq"/>).</summary>
public sealed class StreamLinqBuilder
{
    internal StreamLinqBuilder(IServiceCollection services, string section)
    {
        Services = services;
        Section = section;
    }

    /// <summary>The host's service collection.</summary>
    public IServiceCollection Services { get; }

    internal string Section { get; }

    internal List<JobRegistration> Jobs { get; } = [];

    /// <summary>
    /// Registers a job: when the host starts, its options are bound from
    /// <c>StreamLinq:Jobs:<paramref name="name"/></c> and validated, a context is created (with
    /// <c>StreamingContext.GetOrCreate</c> when a checkpoint directory is set) and
    /// <paramref name="define"/> adds its sources, queries and outputs; then it starts. It stops
    /// gracefully when the host stops, within the host's shutdown timeout.
    /// </summary>
    /// <param name="name">The job's name: its configuration key and its <c>job</c> tag.</param>
    /// <param name="define">Defines the job's inputs and outputs on <see cref="StreamLinqJob.Context"/>; runs on every start.</param>
    /// <param name="configure">Adjusts the bound options in code, after configuration; optional.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException">The name is empty or already registered.</exception>
    public StreamLinqBuilder AddJob(string name, Action<StreamLinqJob> define, Action<StreamLinqJobOptions>? configure = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(define);
        if (Jobs.Any(j => j.Name == name))
        {
            throw new ArgumentException($"A StreamLinq job named '{name}' is already registered.", nameof(name));
        }

        var options = Services.AddOptions<StreamLinqJobOptions>(name).BindConfiguration($"{Section}:Jobs:{name}");
        if (configure is not null)
        {
            options.Configure(configure);
        }

        Jobs.Add(new JobRegistration(name, define));
        return this;
    }
}

/// <summary>A registered job: its name and its definition.</summary>
internal sealed record JobRegistration(string Name, Action<StreamLinqJob> Define);
