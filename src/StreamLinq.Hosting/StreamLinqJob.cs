namespace StreamLinq.Hosting;

/// <summary>
/// What a job's definition gets (<see cref="StreamLinqBuilder.AddJob"/>): the context to add
/// sources, queries and outputs to, the host's services, and the job's bound options.
/// </summary>
public sealed class StreamLinqJob
{
    internal StreamLinqJob(string name, StreamingContext context, IServiceProvider services, StreamLinqJobOptions options, ReceiverOptions receiverOptions)
    {
        Name = name;
        Context = context;
        Services = services;
        Options = options;
        ReceiverOptions = receiverOptions;
    }

    /// <summary>The name the job was registered under.</summary>
    public string Name { get; }

    /// <summary>The job's context, not started yet: define its inputs and outputs on it.</summary>
    public StreamingContext Context { get; }

    /// <summary>The host's services, to build sources and sinks from.</summary>
    public IServiceProvider Services { get; }

    /// <summary>The job's options, as bound and validated.</summary>
    public StreamLinqJobOptions Options { get; }

    /// <summary>The receiver limits from configuration, to pass to push sources (<c>FromObservable</c>, <c>SocketTextStream</c>...).</summary>
    public ReceiverOptions ReceiverOptions { get; }
}
