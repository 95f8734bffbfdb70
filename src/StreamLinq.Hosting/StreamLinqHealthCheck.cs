using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace StreamLinq.Hosting;

/// <summary>The <c>streamlinq</c> health check: every running job's last batch succeeded and none waits past its bound.</summary>
internal sealed class StreamLinqHealthCheck(StreamLinqJobs jobs) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var now = DateTimeOffset.UtcNow.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        var data = new Dictionary<string, object>();
        var problems = new List<string>();
        foreach (var (job, health) in jobs.Health)
        {
            var problem = health.Problem(job.Context.State, now);
            data[job.Name] = problem ?? "healthy";
            if (problem is not null)
            {
                problems.Add($"{job.Name}: {problem}");
            }
        }

        return Task.FromResult(problems.Count == 0
            ? HealthCheckResult.Healthy($"{data.Count} StreamLinq job(s) running.", data)
            : HealthCheckResult.Unhealthy(string.Join("; ", problems), data: data));
    }
}
