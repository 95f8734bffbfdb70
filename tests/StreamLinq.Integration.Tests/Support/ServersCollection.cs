namespace StreamLinq.Integration.Tests.Support;

/// <summary>The tests that share one redis-server and one PostgreSQL cluster; they run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class ServersCollection : ICollectionFixture<RedisServerFixture>, ICollectionFixture<PostgresServerFixture>
{
    public const string Name = "servers";
}
