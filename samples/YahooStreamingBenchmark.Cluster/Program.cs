using System.Runtime.InteropServices;
using YahooStreamingBenchmark.Cluster;

// A local 3-silo cluster on loopback running the Yahoo Streaming Benchmark's query from a
// partitioned Redis Streams source (see README.md). The same program is the launcher and, with
// --silo (which only the launcher passes), each silo.
if (args is ["--silo", ..])
{
    return await SiloHost.RunAsync(SiloArguments.Parse(args));
}

ClusterRunOptions options;
try
{
    options = ClusterRunOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

// Ctrl+C, a closed terminal or a kill all end the run the same way: through the launcher's
// clean-up, which stops every silo and redis-server.
using var stop = new CancellationTokenSource();
PosixSignalRegistration[] registrations =
[
    .. new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP, PosixSignal.SIGQUIT }.Select(signal => PosixSignalRegistration.Create(signal, context =>
    {
        context.Cancel = true;
        stop.Cancel();
    })),
];
Console.WriteLine($"Yahoo Streaming Benchmark on a local cluster: {options.Silos} silos, {options.Partitions} partitions, {options.Seconds} s at {options.Rate:N0} events/s{(options.Preload ? " (preloaded)" : "")}, {options.BatchInterval.TotalMilliseconds} ms batches");
try
{
    var report = await LocalClusterRun.RunAsync(options, Console.Out, stop.Token);
    return report.Passed ? 0 : 1;
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    Console.WriteLine("stopped; every silo and redis-server have been shut down");
    return 130;
}
catch (InvalidOperationException e)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}
finally
{
    foreach (var registration in registrations)
    {
        registration.Dispose();
    }
}
