namespace StreamLinq.Dashboard;

/// <summary>How the dashboard is served.</summary>
public sealed class DashboardOptions
{
    /// <summary>
    /// Whether requests from other machines are served. False by default: the dashboard answers
    /// only loopback clients (403 otherwise), and <see cref="DashboardServer"/> binds to 127.0.0.1.
    /// </summary>
    public bool AllowRemoteClients { get; set; }

    /// <summary>
    /// An ASP.NET Core authorization policy every dashboard endpoint requires (with
    /// <c>RequireAuthorization</c>); the default policy when empty, none when null (the default).
    /// </summary>
    public string? AuthorizationPolicy { get; set; }

    /// <summary>How many of the latest batches each job keeps for the table and the charts; 300 by default.</summary>
    public int RetainedBatches { get; set; } = 300;

    /// <summary>How often gauges (receivers, state, watermarks, queue) are read and pushed; every second by default.</summary>
    public TimeSpan GaugeInterval { get; set; } = TimeSpan.FromSeconds(1);
}
