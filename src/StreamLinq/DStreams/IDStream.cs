using System.Linq.Expressions;

namespace StreamLinq;

/// <summary>
/// A discretized stream: a sequence of batches, one per batch interval, each an immutable
/// collection of records. A query over it is captured as an expression tree, the way
/// <see cref="IQueryable{T}"/> captures one, and compiled once when the context starts.
/// </summary>
/// <typeparam name="T">The type of the stream's records.</typeparam>
/// <remarks>
/// Operators are in <see cref="DStreamQueryable"/>; output operations, which make a query
/// run, are in <see cref="DStreamOutput"/>.
/// </remarks>
public interface IDStream<out T> : IDStream
{
}

/// <summary>The untyped view of a stream: its context, its query and its record type.</summary>
public interface IDStream
{
    /// <summary>The context the stream belongs to.</summary>
    StreamingContext Context { get; }

    /// <summary>The query that produces this stream.</summary>
    Expression Expression { get; }

    /// <summary>The type of the stream's records.</summary>
    Type ElementType { get; }
}

/// <summary>
/// A stream whose records within each batch are ordered, so that further sort keys can be added.
/// </summary>
/// <typeparam name="T">The type of the stream's records.</typeparam>
public interface IOrderedDStream<out T> : IDStream<T>
{
}
