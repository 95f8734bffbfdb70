using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(StreamLinq.WindowBenchmarks.WindowBenchmarks).Assembly).Run(args);
