namespace StreamLinq.Analyzers.Tests.Corpus;

/// <summary>
/// The public shape of the libraries real sinks call (Npgsql, Dapper, StackExchange.Redis,
/// ServiceStack.Redis, EF Core, Confluent.Kafka, RabbitMQ, Azure Service Bus, MailKit), declared in
/// their own namespaces so that the rules match them by symbol as they would the real assemblies.
/// HttpClient and System.Net.Mail come from the framework itself.
/// </summary>
internal static class LibraryStubs
{
    public const string GlobalUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.Collections.Concurrent;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Text;
        global using System.Threading;
        global using System.Threading.Tasks;
        global using Dapper;
        global using Microsoft.EntityFrameworkCore;
        global using StreamLinq;
        """;

    public const string Source = """
        namespace Npgsql
        {
            using System.Threading;
            using System.Threading.Tasks;

            public sealed class NpgsqlConnection : System.IDisposable, System.IAsyncDisposable
            {
                public NpgsqlConnection(string connectionString) { }
                public void Open() { }
                public Task OpenAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;
                public NpgsqlTransaction BeginTransaction() => new();
                public NpgsqlBinaryImporter BeginBinaryImport(string copyFromCommand) => new();
                public NpgsqlCommand CreateCommand() => new();
                public void Dispose() { }
                public System.Threading.Tasks.ValueTask DisposeAsync() => default;
            }

            public sealed class NpgsqlTransaction : System.IDisposable
            {
                public void Commit() { }
                public Task CommitAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;
                public void Dispose() { }
            }

            public sealed class NpgsqlParameterCollection
            {
                public NpgsqlParameter AddWithValue(string parameterName, object value) => new(parameterName, value);
                public NpgsqlParameter Add(NpgsqlParameter parameter) => parameter;
            }

            public sealed class NpgsqlParameter
            {
                public NpgsqlParameter() { }
                public NpgsqlParameter(string parameterName, object value) { }
                public object? Value { get; set; }
            }

            public sealed class NpgsqlCommand : System.IDisposable, System.IAsyncDisposable
            {
                public NpgsqlCommand() { }
                public NpgsqlCommand(string commandText, NpgsqlConnection connection) { }
                public NpgsqlCommand(string commandText, NpgsqlConnection connection, NpgsqlTransaction transaction) { }
                public string CommandText { get; set; } = "";
                public NpgsqlParameterCollection Parameters { get; } = new();
                public int ExecuteNonQuery() => 0;
                public Task<int> ExecuteNonQueryAsync(CancellationToken cancellationToken = default) => Task.FromResult(0);
                public object? ExecuteScalar() => null;
                public Task<object?> ExecuteScalarAsync(CancellationToken cancellationToken = default) => Task.FromResult<object?>(null);
                public void Prepare() { }
                public void Dispose() { }
                public System.Threading.Tasks.ValueTask DisposeAsync() => default;
            }

            public sealed class NpgsqlBatch : System.IDisposable
            {
                public NpgsqlBatch(NpgsqlConnection connection) { }
                public System.Collections.Generic.List<NpgsqlBatchCommand> BatchCommands { get; } = new();
                public Task<int> ExecuteNonQueryAsync(CancellationToken cancellationToken = default) => Task.FromResult(0);
                public void Dispose() { }
            }

            public sealed class NpgsqlBatchCommand
            {
                public NpgsqlBatchCommand(string commandText) { }
                public NpgsqlParameterCollection Parameters { get; } = new();
            }

            public sealed class NpgsqlBinaryImporter : System.IDisposable
            {
                public void StartRow() { }
                public void Write<T>(T value) { }
                public ulong Complete() => 0;
                public void Dispose() { }
            }
        }

        namespace Dapper
        {
            using System.Threading.Tasks;

            public static class SqlMapper
            {
                public static int Execute(this Npgsql.NpgsqlConnection connection, string sql, object? param = null, Npgsql.NpgsqlTransaction? transaction = null) => 0;
                public static Task<int> ExecuteAsync(this Npgsql.NpgsqlConnection connection, string sql, object? param = null, Npgsql.NpgsqlTransaction? transaction = null) => Task.FromResult(0);
                public static T? QuerySingleOrDefault<T>(this Npgsql.NpgsqlConnection connection, string sql, object? param = null) => default;
                public static Task<T?> ExecuteScalarAsync<T>(this Npgsql.NpgsqlConnection connection, string sql, object? param = null) => Task.FromResult<T?>(default);
            }
        }

        namespace StackExchange.Redis
        {
            using System.Threading.Tasks;

            public enum When { Always, Exists, NotExists }

            public sealed class Condition
            {
                public static Condition KeyNotExists(string key) => new();
                public static Condition HashNotExists(string key, string field) => new();
                public static Condition StringEqual(string key, string value) => new();
            }

            public interface IDatabaseAsync
            {
                Task<long> StringIncrementAsync(string key, long value = 1);
                Task<double> StringIncrementAsync(string key, double value);
                Task<long> StringDecrementAsync(string key, long value = 1);
                Task<long> StringAppendAsync(string key, string value);
                Task<bool> StringSetAsync(string key, string value, System.TimeSpan? expiry = null, When when = When.Always);
                Task<string?> StringGetAsync(string key);
                Task<long> HashIncrementAsync(string key, string hashField, long value = 1);
                Task<double> HashIncrementAsync(string key, string hashField, double value);
                Task<bool> HashSetAsync(string key, string hashField, string value, When when = When.Always);
                Task<double> SortedSetIncrementAsync(string key, string member, double value);
                Task<bool> SortedSetAddAsync(string key, string member, double score);
                Task<long> ListLeftPushAsync(string key, string value);
                Task<long> ListRightPushAsync(string key, string value);
                Task<bool> SetAddAsync(string key, string value);
                Task<string> StreamAddAsync(string key, string streamField, string streamValue, string? messageId = null, int? maxLength = null);
                Task<bool> KeyExpireAsync(string key, System.TimeSpan? expiry);
                Task<bool> KeyDeleteAsync(string key);
                Task<long> PublishAsync(string channel, string message);
                Task<object> ExecuteAsync(string command, params object[] args);
                Task<object> ScriptEvaluateAsync(string script, string[]? keys = null, object[]? values = null);
            }

            public interface IDatabase : IDatabaseAsync
            {
                long StringIncrement(string key, long value = 1);
                long StringDecrement(string key, long value = 1);
                long StringAppend(string key, string value);
                bool StringSet(string key, string value, System.TimeSpan? expiry = null, When when = When.Always);
                long HashIncrement(string key, string hashField, long value = 1);
                bool HashSet(string key, string hashField, string value, When when = When.Always);
                double SortedSetIncrement(string key, string member, double value);
                bool SortedSetAdd(string key, string member, double score);
                long ListLeftPush(string key, string value);
                long ListRightPush(string key, string value);
                bool SetAdd(string key, string value);
                string StreamAdd(string key, string streamField, string streamValue, string? messageId = null, int? maxLength = null);
                bool KeyDelete(string key);
                object Execute(string command, params object[] args);
                IBatch CreateBatch();
                ITransaction CreateTransaction();
            }

            public interface IBatch : IDatabaseAsync
            {
                void Execute();
            }

            public interface ITransaction : IBatch
            {
                ConditionResult AddCondition(Condition condition);
                new Task<bool> ExecuteAsync();
            }

            public sealed class ConditionResult { }

            public sealed class ConnectionMultiplexer
            {
                public IDatabase GetDatabase(int db = -1) => null!;
            }
        }

        namespace ServiceStack.Redis
        {
            public interface IRedisClient : System.IDisposable
            {
                long IncrementValue(string key);
                long IncrementValueBy(string key, int count);
                long IncrementValueInHash(string hashId, string key, int incrementBy);
                void AddItemToList(string listId, string value);
                void SetValue(string key, string value);
                bool SetEntryInHash(string hashId, string key, string value);
            }
        }

        namespace Microsoft.EntityFrameworkCore
        {
            using System;
            using System.Collections;
            using System.Collections.Generic;
            using System.Threading;
            using System.Threading.Tasks;

            public class DbContext : IDisposable, IAsyncDisposable
            {
                public EntityEntry Add(object entity) => new();
                public void AddRange(params object[] entities) { }
                public EntityEntry Update(object entity) => new();
                public EntityEntry Attach(object entity) => new();
                public EntityEntry Remove(object entity) => new();
                public int SaveChanges() => 0;
                public Task<int> SaveChangesAsync(CancellationToken cancellationToken = default) => Task.FromResult(0);
                public DatabaseFacade Database { get; } = new();
                public void Dispose() { }
                public ValueTask DisposeAsync() => default;
            }

            public sealed class EntityEntry { }

            public sealed class DatabaseFacade
            {
                public int ExecuteSqlRaw(string sql, params object[] parameters) => 0;
                public Task<int> ExecuteSqlRawAsync(string sql, params object[] parameters) => Task.FromResult(0);
                public Task<int> ExecuteSqlInterpolatedAsync(FormattableString sql, CancellationToken cancellationToken = default) => Task.FromResult(0);
            }

            public class DbSet<TEntity> : IEnumerable<TEntity> where TEntity : class
            {
                public EntityEntry Add(TEntity entity) => new();
                public ValueTask<EntityEntry> AddAsync(TEntity entity, CancellationToken cancellationToken = default) => default;
                public void AddRange(IEnumerable<TEntity> entities) { }
                public Task AddRangeAsync(IEnumerable<TEntity> entities, CancellationToken cancellationToken = default) => Task.CompletedTask;
                public EntityEntry Update(TEntity entity) => new();
                public EntityEntry Remove(TEntity entity) => new();
                public TEntity? Find(params object[] keyValues) => null;
                public ValueTask<TEntity?> FindAsync(params object[] keyValues) => default;
                public IEnumerator<TEntity> GetEnumerator() => throw new NotSupportedException();
                IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
            }

            public sealed class SetPropertyCalls<TSource>
            {
                public SetPropertyCalls<TSource> SetProperty<TProperty>(Func<TSource, TProperty> property, Func<TSource, TProperty> value) => this;
                public SetPropertyCalls<TSource> SetProperty<TProperty>(Func<TSource, TProperty> property, TProperty value) => this;
            }

            public static class EntityFrameworkQueryableExtensions
            {
                public static Task<bool> AnyAsync<T>(this IEnumerable<T> source, Func<T, bool> predicate, CancellationToken cancellationToken = default) => Task.FromResult(false);
                public static Task<T?> FirstOrDefaultAsync<T>(this IEnumerable<T> source, Func<T, bool> predicate, CancellationToken cancellationToken = default) => Task.FromResult<T?>(default);
                public static Task<int> ExecuteUpdateAsync<T>(this IEnumerable<T> source, Func<SetPropertyCalls<T>, SetPropertyCalls<T>> setters, CancellationToken cancellationToken = default) => Task.FromResult(0);
                public static Task<int> ExecuteDeleteAsync<T>(this IEnumerable<T> source, CancellationToken cancellationToken = default) => Task.FromResult(0);
            }
        }

        namespace Confluent.Kafka
        {
            using System.Threading;
            using System.Threading.Tasks;

            public class Message<TKey, TValue>
            {
                public TKey Key { get; set; } = default!;
                public TValue Value { get; set; } = default!;
            }

            public sealed class DeliveryResult<TKey, TValue> { }

            public interface IProducer<TKey, TValue> : System.IDisposable
            {
                Task<DeliveryResult<TKey, TValue>> ProduceAsync(string topic, Message<TKey, TValue> message, CancellationToken cancellationToken = default);
                void Produce(string topic, Message<TKey, TValue> message, System.Action<DeliveryResult<TKey, TValue>>? deliveryHandler = null);
                int Flush(System.TimeSpan timeout);
                void InitTransactions(System.TimeSpan timeout);
                void BeginTransaction();
                void CommitTransaction();
            }
        }

        namespace RabbitMQ.Client
        {
            public interface IBasicProperties
            {
                string MessageId { get; set; }
                bool Persistent { get; set; }
            }

            public interface IModel : System.IDisposable
            {
                IBasicProperties CreateBasicProperties();
                void BasicPublish(string exchange, string routingKey, IBasicProperties? basicProperties, System.ReadOnlyMemory<byte> body);
                void ConfirmSelect();
            }
        }

        namespace Azure.Messaging.ServiceBus
        {
            using System.Threading;
            using System.Threading.Tasks;

            public sealed class ServiceBusMessage
            {
                public ServiceBusMessage(string body) { }
                public string? MessageId { get; set; }
                public string? SessionId { get; set; }
                public string? Subject { get; set; }
            }

            public class ServiceBusSender
            {
                public virtual Task SendMessageAsync(ServiceBusMessage message, CancellationToken cancellationToken = default) => Task.CompletedTask;
                public virtual Task SendMessagesAsync(System.Collections.Generic.IEnumerable<ServiceBusMessage> messages, CancellationToken cancellationToken = default) => Task.CompletedTask;
            }
        }

        namespace MimeKit
        {
            public sealed class MimeMessage
            {
                public string Subject { get; set; } = "";
                public string? MessageId { get; set; }
            }
        }

        namespace MailKit.Net.Smtp
        {
            using System.Threading;
            using System.Threading.Tasks;

            public sealed class SmtpClient : System.IDisposable
            {
                public Task ConnectAsync(string host, int port, bool useSsl, CancellationToken cancellationToken = default) => Task.CompletedTask;
                public Task<string> SendAsync(MimeKit.MimeMessage message, CancellationToken cancellationToken = default) => Task.FromResult("");
                public void Dispose() { }
            }
        }
        """;
}
