using System;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using StreamLinq.Analyzers.Support;

namespace StreamLinq.Analyzers.Rules;

/// <summary>
/// SLQ0009: a sink does something outside the process that a replay does again: adds entities
/// through EF Core and saves them, publishes a message (Kafka, RabbitMQ, Service Bus, any
/// <c>Publish</c>/<c>Produce</c>), sends an HTTP POST or PATCH, sends mail. An in-memory "already
/// sent" set does not stop it: a crash empties the set, and the replay after it sends again.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ExternalEffectInSinkAnalyzer : SinkEffectAnalyzer
{
    /// <summary>The <c>.editorconfig</c> key listing methods a team declares idempotent (<c>Name</c> or <c>Type.Name</c>, comma-separated).</summary>
    internal const string IdempotentMethodsOption = "streamlinq.idempotent_methods";

    internal static readonly DiagnosticDescriptor Rule = Descriptors.ExternalEffectInSink;

    private static readonly ImmutableHashSet<string> StoreNamespaces = ImmutableHashSet.Create(
        "StackExchange.Redis", "Npgsql", "Dapper", "Microsoft.EntityFrameworkCore", "System.Data", "System.Data.Common",
        "Microsoft.Data.SqlClient", "MySqlConnector", "MongoDB.Driver", "Cassandra");

    private static readonly ImmutableHashSet<string> MessagingNamespaces = ImmutableHashSet.Create(
        "Confluent.Kafka", "RabbitMQ.Client", "Azure.Messaging.ServiceBus", "Azure.Messaging.EventHubs.Producer", "MassTransit",
        "NATS.Client", "NATS.Client.Core", "Amazon.SQS", "Amazon.SimpleNotificationService", "Google.Cloud.PubSub.V1",
        "Microsoft.Azure.ServiceBus", "Microsoft.Azure.ServiceBus.Core", "Azure.Messaging.EventGrid", "Azure.Storage.Queues");

    private static readonly ImmutableHashSet<string> DeduplicationProperties = ImmutableHashSet.Create(
        StringComparer.OrdinalIgnoreCase, "MessageId", "DeduplicationId", "MessageDeduplicationId", "IdempotencyKey", "IdempotenceKey");

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

    internal override Action<IOperation, SinkBody, Action<Diagnostic>>? CreateEffectCheck(Compilation compilation)
    {
        var httpClient = compilation.GetTypeByMetadataName("System.Net.Http.HttpClient");
        var httpMethod = compilation.GetTypeByMetadataName("System.Net.Http.HttpMethod");
        return (operation, sink, report) =>
        {
            if (operation is not IInvocationOperation call)
            {
                return;
            }

            var method = call.TargetMethod;
            var name = method.Name.EndsWith("Async", StringComparison.Ordinal) ? method.Name.Substring(0, method.Name.Length - "Async".Length) : method.Name;
            var ns = method.ContainingType?.ContainingNamespace?.ToDisplayString() ?? string.Empty;
            string? effect = null;
            if (name is "Add" or "AddRange" && IsEntityFramework(method.ContainingType) &&
                sink.AnyInChain("ef-save", o => o is IInvocationOperation { TargetMethod.Name: "SaveChanges" or "SaveChangesAsync" }))
            {
                effect = "adds rows through EF Core that SaveChanges inserts";
            }
            else if (name is "BulkInsert" or "BulkInsertOrUpdateOrDelete" or "InsertOne" or "InsertMany" or "WriteToServer" ||
                     (name is "Insert" && method.IsExtensionMethod && method.Parameters.Length > 0 &&
                      method.Parameters[0].Type.Name.IndexOf("Connection", StringComparison.Ordinal) >= 0))
            {
                effect = "inserts rows";
            }
            else if ((name is "Produce" or "Publish" or "BasicPublish" && !ns.StartsWith("System.Reactive", StringComparison.Ordinal)) ||
                     (MessagingNamespaces.Contains(ns) && name is "Send" or "SendMessage" or "SendMessages" or "SendBatch" or "SendEvents" or "SendEvent"))
            {
                if (!sink.AnyInChain("dedup-id", IsDeduplicationId))
                {
                    effect = "publishes a message";
                }
            }
            else if ((IsHttp(method, httpClient) &&
                     (name is "Post" or "PostAsJson" or "Patch" or "PatchAsJson" ||
                      (name is "Send" && sink.AnyInChain("http-post", o => o is IPropertyReferenceOperation { Property.Name: "Post" or "Patch" } p &&
                                                                           SymbolEqualityComparer.Default.Equals(p.Property.ContainingType, httpMethod))))) ||
                     // WebClient's Upload* (POST by default), RestSharp's and Flurl's Post*, a Refit method declared [Post].
                     (method.ContainingType?.Name == "WebClient" && name.StartsWith("Upload", StringComparison.Ordinal)) ||
                     ((ns.StartsWith("RestSharp", StringComparison.Ordinal) || ns.StartsWith("Flurl", StringComparison.Ordinal)) &&
                      name.IndexOf("Post", StringComparison.Ordinal) >= 0) ||
                     method.GetAttributes().Any(a => a.AttributeClass?.Name is "PostAttribute" or "PatchAttribute"))
            {
                if (!sink.AnyInChain("idempotency-key", o => o.ConstantValue is { HasValue: true, Value: string s } &&
                                                               s.IndexOf("idempotency-key", StringComparison.OrdinalIgnoreCase) >= 0))
                {
                    effect = "sends an HTTP " + (name.StartsWith("Patch", StringComparison.Ordinal) ? "PATCH" : "POST");
                }
            }
            else if ((ns is "System.Net.Mail" && name is "Send" or "SendMail") ||
                     (ns.StartsWith("MailKit", StringComparison.Ordinal) && name is "Send") ||
                     name is "SendEmail" or "SendMail")
            {
                effect = "sends mail";
            }

            if (effect is null ||
                SinkContext.IsListed(sink.Context.NameList(call.Syntax.SyntaxTree, IdempotentMethodsOption), method) ||
                sink.AnyInChain("durable-guard", o => o is IConditionalOperation conditional && ReadsStore(conditional.Condition, sink.Context, 0)))
            {
                return;
            }

            report(Diagnostic.Create(Rule, call.Syntax.GetLocation(), Show(call), sink.OperationName, effect));
        };
    }

    private static bool IsEntityFramework(INamedTypeSymbol? type)
    {
        for (var t = type; t is not null; t = t.BaseType)
        {
            if (t.Name is "DbContext" or "DbSet" && t.ContainingNamespace?.ToDisplayString() == "Microsoft.EntityFrameworkCore")
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsHttp(IMethodSymbol method, INamedTypeSymbol? httpClient)
    {
        var type = method.ContainingType;
        if (method.IsExtensionMethod && method.Parameters.Length > 0)
        {
            type = method.Parameters[0].Type as INamedTypeSymbol;
        }

        for (var t = type; t is not null; t = t.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(t, httpClient))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A broker-side deduplication id set on the message: the broker drops the replay (SLQ0010 checks the id is not random).</summary>
    private static bool IsDeduplicationId(IOperation operation) =>
        operation is ISimpleAssignmentOperation { Target: IPropertyReferenceOperation property } && DeduplicationProperties.Contains(property.Property.Name);

    /// <summary>
    /// Whether a condition asks a store that survives a crash (Redis, a database) rather than memory:
    /// the effect it guards is then skipped on replay. Locals are followed to their initialiser, and
    /// helpers of the project into their bodies.
    /// </summary>
    private static bool ReadsStore(IOperation condition, SinkContext context, int depth)
    {
        foreach (var operation in condition.DescendantsAndSelf())
        {
            switch (operation)
            {
                case IInvocationOperation call when StoreNamespaces.Contains(call.TargetMethod.ContainingType?.ContainingNamespace?.ToDisplayString() ?? string.Empty):
                    return true;
                case IInvocationOperation call when depth < 2 && !call.TargetMethod.IsAbstract && !call.TargetMethod.DeclaringSyntaxReferences.IsEmpty:
                    // A helper of the project that asks the store (repo.AlreadySentAsync(id)).
                    if (OutputOperations.SourceBody(call.TargetMethod.OriginalDefinition, context) is { } body && ReadsStore(body, context, depth + 1))
                    {
                        return true;
                    }

                    break;
                case ILocalReferenceOperation local when depth < 2 && operation.SemanticModel is { } model:
                    var declarator = local.Local.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax() as Microsoft.CodeAnalysis.CSharp.Syntax.VariableDeclaratorSyntax;
                    if (declarator?.Initializer?.Value is { } value && declarator.SyntaxTree == model.SyntaxTree &&
                        model.GetOperation(value) is { } initial && ReadsStore(initial, context, depth + 1))
                    {
                        return true;
                    }

                    break;
            }
        }

        return false;
    }
}
