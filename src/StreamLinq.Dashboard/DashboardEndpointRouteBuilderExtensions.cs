using System.Net;
using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace StreamLinq.Dashboard;

/// <summary>Maps the dashboard into an ASP.NET Core application.</summary>
public static class DashboardEndpointRouteBuilderExtensions
{
    private static readonly Lazy<string> Page = new(() =>
    {
        using var stream = typeof(StreamLinqDashboard).Assembly.GetManifestResourceStream("StreamLinq.Dashboard.dashboard.html")
            ?? throw new InvalidOperationException("The dashboard page is missing from the assembly.");
        return new StreamReader(stream).ReadToEnd();
    });

    /// <summary>
    /// Serves the dashboard under <paramref name="pattern"/>: the page at <c>{pattern}/</c>, its live
    /// feed of server-sent events at <c>{pattern}/events</c>, and a JSON snapshot at
    /// <c>{pattern}/api/state</c>. Only loopback clients are answered unless
    /// <see cref="DashboardOptions.AllowRemoteClients"/>; <see cref="DashboardOptions.AuthorizationPolicy"/>
    /// (or <c>RequireAuthorization</c> on the returned group) requires authentication.
    /// </summary>
    /// <param name="endpoints">The application (after <c>AddStreamLinqDashboard</c>).</param>
    /// <param name="pattern">Where the dashboard lives; <c>/streamlinq</c> by default.</param>
    /// <returns>The endpoints' group, for further conventions (authorization, CORS...).</returns>
    /// <exception cref="InvalidOperationException"><c>AddStreamLinqDashboard</c> was not called.</exception>
    public static RouteGroupBuilder MapStreamLinqDashboard(this IEndpointRouteBuilder endpoints, string pattern = "/streamlinq")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var dashboard = endpoints.ServiceProvider.GetService<StreamLinqDashboard>()
            ?? throw new InvalidOperationException("Call services.AddStreamLinqDashboard() before app.MapStreamLinqDashboard().");
        var options = dashboard.Options;
        var group = endpoints.MapGroup(pattern);
        group.AddEndpointFilter(async (context, next) =>
        {
            var remote = context.HttpContext.Connection.RemoteIpAddress;
            if (!options.AllowRemoteClients && remote is not null && !IPAddress.IsLoopback(remote))
            {
                return Results.StatusCode(StatusCodes.Status403Forbidden);
            }

            return await next(context).ConfigureAwait(false);
        });
        if (options.AuthorizationPolicy is { } policy)
        {
            if (policy.Length == 0)
            {
                group.RequireAuthorization();
            }
            else
            {
                group.RequireAuthorization(policy);
            }
        }

        group.MapGet("/", () => Results.Content(Page.Value, "text/html; charset=utf-8"));
        group.MapGet("/api/state", () => Results.Content(dashboard.SnapshotJson(), "application/json"));
        group.MapGet("/events", async (HttpContext http) =>
        {
            http.Response.Headers.CacheControl = "no-cache";
            http.Response.ContentType = "text/event-stream";
            var feed = dashboard.Subscribe();
            try
            {
                await foreach (var message in feed.ReadAllAsync(http.RequestAborted).ConfigureAwait(false))
                {
                    await http.Response.WriteAsync(message, http.RequestAborted).ConfigureAwait(false);
                    await http.Response.Body.FlushAsync(http.RequestAborted).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
            {
                // The page went away.
            }
            finally
            {
                dashboard.Unsubscribe(feed);
            }
        });
        return group;
    }
}
