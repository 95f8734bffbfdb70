using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace StreamLinq.Hosting;

/// <summary>Registers StreamLinq jobs with the .NET Generic Host.</summary>
public static class StreamLinqServiceCollectionExtensions
{
    /// <summary>
    /// Adds the StreamLinq job runner (a hosted service that starts every job registered with
    /// <see cref="StreamLinqBuilder.AddJob"/> when the host starts and stops them gracefully when it
    /// stops) and a health check named <c>streamlinq</c>: unhealthy when a job's last batch failed,
    /// a failure stopped it, or its scheduling delay passed <see cref="StreamLinqJobOptions.MaxSchedulingDelay"/>.
    /// Jobs log through the host's <c>ILoggerFactory</c>.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="configurationSection">The configuration section jobs' options are under; <c>StreamLinq</c> by default.</param>
    /// <returns>A builder to add jobs with.</returns>
    public static StreamLinqBuilder AddStreamLinq(this IServiceCollection services, string configurationSection = "StreamLinq")
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = new StreamLinqBuilder(services, configurationSection);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StreamLinqJobOptions>>(new JobOptionsValidator(configurationSection)));
        services.AddSingleton(builder);
        services.AddSingleton<StreamLinqJobs>();
        services.AddHostedService(sp => sp.GetRequiredService<StreamLinqJobs>());
        services.AddHealthChecks().AddCheck<StreamLinqHealthCheck>("streamlinq");
        return builder;
    }
}
