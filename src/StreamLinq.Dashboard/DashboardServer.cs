using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace StreamLinq.Dashboard;

/// <summary>
/// A dashboard served on its own, for a program that is not an ASP.NET Core application (a
/// console job, a sample): a small Kestrel server bound to 127.0.0.1 (all interfaces only with
/// <see cref="DashboardOptions.AllowRemoteClients"/>), the dashboard at <see cref="Address"/>.
/// </summary>
public sealed class DashboardServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private DashboardServer(WebApplication app, StreamLinqDashboard dashboard, Uri address)
    {
        _app = app;
        Dashboard = dashboard;
        Address = address;
    }

    /// <summary>The dashboard page's address, e.g. <c>http://127.0.0.1:5170/streamlinq/</c>.</summary>
    public Uri Address { get; }

    /// <summary>The dashboard's model; watch more jobs with <see cref="StreamLinqDashboard.Watch"/>.</summary>
    public StreamLinqDashboard Dashboard { get; }

    /// <summary>Starts a server showing <paramref name="contexts"/>.</summary>
    /// <param name="contexts">The jobs to show (more can be added through <see cref="Dashboard"/>).</param>
    /// <param name="port">The port; 0 (the default) picks a free one.</param>
    /// <param name="options">How the dashboard is served; defaults when null.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running server; dispose it to stop it.</returns>
    public static async Task<DashboardServer> StartAsync(IEnumerable<StreamingContext> contexts, int port = 0, DashboardOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(contexts);
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        options ??= new DashboardOptions();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var host = options.AllowRemoteClients ? "0.0.0.0" : "127.0.0.1";
        builder.WebHost.UseUrls($"http://{host}:{port}");
        var dashboard = new StreamLinqDashboard(options);
        builder.Services.AddSingleton(dashboard);
        var app = builder.Build();
        app.MapStreamLinqDashboard();
        foreach (var context in contexts)
        {
            dashboard.Watch(context);
        }

        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var address = new Uri(new Uri(bound.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal)), "/streamlinq/");
        return new DashboardServer(app, dashboard, address);
    }

    /// <summary>Stops the server.</summary>
    /// <returns>Completes when it stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        Dashboard.Dispose();
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
