using System.Reflection;
using System.Runtime.CompilerServices;

namespace StreamLinq.Connectors.Tests;

/// <summary>
/// The connector SDK is public, and no connector reaches the core's internals: the core grants
/// InternalsVisibleTo to its own test and benchmark assemblies only.
/// </summary>
public sealed class PublicSurfaceTests
{
    [Fact]
    public void The_core_grants_internals_to_no_connector()
    {
        var granted = typeof(StreamingContext).Assembly.GetCustomAttributes<InternalsVisibleToAttribute>().Select(a => a.AssemblyName).ToList();
        Assert.NotEmpty(granted);
        Assert.DoesNotContain(granted, name => name.StartsWith("StreamLinq.Redis", StringComparison.Ordinal)
            || name.StartsWith("StreamLinq.Postgres", StringComparison.Ordinal)
            || name.StartsWith("StreamLinq.Nats", StringComparison.Ordinal)
            || name.StartsWith("StreamLinq.Mqtt", StringComparison.Ordinal)
            || name.StartsWith("StreamLinq.Orleans", StringComparison.Ordinal)
            || name.StartsWith("StreamLinq.Connectors", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(typeof(Sources.IBatchSource))]
    [InlineData(typeof(Sources.IBatchSource<>))]
    [InlineData(typeof(Sources.ISealedInput))]
    [InlineData(typeof(Sources.BatchRecords))]
    [InlineData(typeof(Sources.BatchRecords<>))]
    [InlineData(typeof(Sources.SourceContext))]
    [InlineData(typeof(Sources.IOffsetRangeSource))]
    [InlineData(typeof(Sources.IPartitionedSource))]
    [InlineData(typeof(Sources.IRateControlledSource))]
    [InlineData(typeof(Sources.PushSource<>))]
    [InlineData(typeof(Sources.RangeOrder))]
    [InlineData(typeof(Sources.RangeOrders))]
    [InlineData(typeof(State.IStatefulOperator))]
    [InlineData(typeof(ITransactionalSink<>))]
    [InlineData(typeof(IIdempotentSink))]
    [InlineData(typeof(Checkpointing.ICheckpointStore))]
    [InlineData(typeof(Checkpointing.DirectoryCheckpointStore))]
    [InlineData(typeof(Distributed.DistributedPlan))]
    public void Every_connector_contract_is_public_and_exposes_no_internal_type(Type contract)
    {
        Assert.True(contract.IsPublic, $"{contract} is not public");
        var members = contract.GetMembers(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
            .Where(m => m is MethodBase { IsPublic: true } or MethodBase { IsFamily: true } or PropertyInfo { GetMethod.IsPublic: true } or PropertyInfo { GetMethod.IsFamily: true });
        foreach (var member in members)
        {
            var types = member switch
            {
                MethodInfo method => method.GetParameters().Select(p => p.ParameterType).Append(method.ReturnType),
                ConstructorInfo constructor => constructor.GetParameters().Select(p => p.ParameterType),
                PropertyInfo property => [property.PropertyType],
                _ => [],
            };
            foreach (var type in types.Select(t => t.IsByRef || t.IsArray ? t.GetElementType()! : t).Where(t => !t.IsGenericParameter))
            {
                Assert.True(type.IsVisible, $"{contract.Name}.{member.Name} exposes {type}, which a connector cannot see");
            }
        }
    }
}
