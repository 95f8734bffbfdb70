using System.Net;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StreamLinq.Dashboard;

namespace StreamLinq.Hosting.Tests.Dashboard;

/// <summary>Who may see the dashboard: loopback by default, and only authenticated users when a policy is set.</summary>
public sealed class DashboardAccessTests
{
    private static async Task<(WebApplication App, HttpClient Client)> StartAsync(Action<DashboardOptions> configure, bool authenticated)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddStreamLinqDashboard(configure);
        builder.Services.AddAuthentication("test").AddScheme<AuthenticationSchemeOptions, HeaderAuthentication>("test", _ => { });
        builder.Services.AddAuthorization();
        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapStreamLinqDashboard();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var client = new HttpClient { BaseAddress = new Uri(address) };
        if (authenticated)
        {
            client.DefaultRequestHeaders.Add("X-Test-User", "operator");
        }

        return (app, client);
    }

    [Fact]
    public async Task With_an_authorization_policy_an_anonymous_request_is_refused_and_an_authenticated_one_served()
    {
        var (app, anonymous) = await StartAsync(o => o.AuthorizationPolicy = "", authenticated: false);
        await using (app)
        {
            using (anonymous)
            {
                Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/streamlinq/")).StatusCode);
                Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/streamlinq/api/state")).StatusCode);
            }

            using var user = new HttpClient { BaseAddress = anonymous.BaseAddress };
            user.DefaultRequestHeaders.Add("X-Test-User", "operator");
            var page = await user.GetAsync("/streamlinq/");
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Contains("<title>StreamLinq</title>", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Without_a_policy_a_loopback_client_is_served_the_page_and_the_state()
    {
        var (app, client) = await StartAsync(_ => { }, authenticated: false);
        await using (app)
        {
            using (client)
            {
                Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/streamlinq/")).StatusCode);
                var state = await client.GetStringAsync("/streamlinq/api/state");
                Assert.StartsWith("{\"jobs\":", state, StringComparison.Ordinal);
            }
        }
    }

    /// <summary>Authenticates a request that carries an <c>X-Test-User</c> header, and no other.</summary>
    private sealed class HeaderAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            if (!Request.Headers.TryGetValue("X-Test-User", out var user))
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, user.ToString())], Scheme.Name);
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
        }
    }
}
