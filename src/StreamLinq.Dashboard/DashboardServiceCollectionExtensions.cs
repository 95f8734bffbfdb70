using Microsoft.Extensions.DependencyInjection;

namespace StreamLinq.Dashboard;

/// <summary>Registers the dashboard's model.</summary>
public static class DashboardServiceCollectionExtensions
{
    /// <summary>
    /// Registers the <see cref="StreamLinqDashboard"/> singleton that
    /// <see cref="DashboardEndpointRouteBuilderExtensions.MapStreamLinqDashboard"/> serves; watch
    /// jobs on it with <see cref="StreamLinqDashboard.Watch"/>.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="configure">Sets the options; optional.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddStreamLinqDashboard(this IServiceCollection services, Action<DashboardOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = new DashboardOptions();
        configure?.Invoke(options);
        services.AddSingleton(new StreamLinqDashboard(options));
        return services;
    }
}
