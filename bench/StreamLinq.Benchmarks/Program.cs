using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using StreamLinq.Benchmarks;

// Every query class runs its four forms in one run; the hand-written loop is the baseline, so
// the Ratio column is each form's time per record over the loop's.
var config = DefaultConfig.Instance
    .AddColumn(new RecordsPerSecondColumn())
    .AddColumn(RankColumn.Arabic)
    .WithOrderer(new BenchmarkDotNet.Order.DefaultOrderer(BenchmarkDotNet.Order.SummaryOrderPolicy.Declared));
BenchmarkSwitcher.FromAssembly(typeof(Workload).Assembly).Run(args, config);
