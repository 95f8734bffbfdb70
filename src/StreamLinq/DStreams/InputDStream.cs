using System.Linq.Expressions;
using StreamLinq.Sources;

namespace StreamLinq.DStreams;

/// <summary>
/// The leaf of every query tree: one input of the context. Its expression is a constant
/// holding itself, the way <see cref="EnumerableQuery{T}"/> roots a LINQ to Objects query.
/// </summary>
internal sealed class InputDStream<T> : IDStream<T>, IInputDStream
{
    public InputDStream(StreamingContext context, int id, IBatchSource<T> source)
    {
        Context = context;
        Id = id;
        Source = source;
        Expression = Expression.Constant(this, typeof(IDStream<T>));
    }

    public StreamingContext Context { get; }

    public int Id { get; }

    public IBatchSource<T> Source { get; }

    IBatchSource IInputDStream.Source => Source;

    public Expression Expression { get; }

    public Type ElementType => typeof(T);

    public override string ToString() => $"{Source.Name}#{Id}";
}

/// <summary>The untyped view of <see cref="InputDStream{T}"/> that the planner walks.</summary>
internal interface IInputDStream
{
    int Id { get; }

    IBatchSource Source { get; }

    Type ElementType { get; }
}
