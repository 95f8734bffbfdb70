using StreamLinq.Analyzers.CodeFixes.Rules;
using Verifier = StreamLinq.Analyzers.Tests.Support.Verify<StreamLinq.Analyzers.Rules.FileAppendInSinkAnalyzer>;

namespace StreamLinq.Analyzers.Tests.Rules;

public class FileAppendInSinkAnalyzerTests
{
    [Fact]
    public async Task File_Append_FileMode_Append_and_an_appending_StreamWriter_are_reported()
    {
        const string source = """
            using System.IO;
            using StreamLinq;

            class Files
            {
                public void Wire(IDStream<string> stream, string path) =>
                    stream.ForEachBatch((batch, time) =>
                    {
                        {|#0:File.AppendAllLines(path, batch)|};
                        using var stream = new FileStream(path, {|#1:FileMode.Append|});
                        using var writer = {|#2:new StreamWriter(path, append: true)|};
                    });
            }
            """;

        await Verifier.AnalyzerAsync(
            source,
            Verifier.Diagnostic().WithLocation(0).WithArguments("File.AppendAllLines(path, batch)", "ForEachBatch"),
            Verifier.Diagnostic().WithLocation(1).WithArguments("FileMode.Append", "ForEachBatch"),
            Verifier.Diagnostic().WithLocation(2).WithArguments("new StreamWriter(path, append: true)", "ForEachBatch"));
    }

    [Fact]
    public async Task Overwriting_writes_and_appends_outside_sinks_are_not_reported()
    {
        const string source = """
            using System.IO;
            using StreamLinq;

            class Files
            {
                public void Wire(IDStream<string> stream, string path)
                {
                    File.AppendAllText(path, "started");
                    stream.ForEachBatch((batch, time) =>
                    {
                        File.WriteAllLines(path + "-" + time.Milliseconds, batch);
                        using var writer = new StreamWriter(path, append: false);
                    });
                    stream.ForEachBatch((batch, time) => File.AppendAllLines(path, batch), DeliveryGuarantee.AtMostOnce);
                }
            }
            """;

        await Verifier.AnalyzerAsync(source);
    }

    [Fact]
    public async Task Appending_is_fixed_into_one_file_per_batch_time()
    {
        const string source = """
            using System.IO;
            using StreamLinq;

            class Files
            {
                public void Wire(IDStream<string> stream, string path) =>
                    stream.ForEachBatch((batch, at) =>
                    {
                        {|#0:File.AppendAllLines(path, batch)|};
                        {|#1:File.AppendAllText("out/{all}.log", string.Join("\n", batch))|};
                    });
            }
            """;
        const string fixedSource = """
            using System.IO;
            using StreamLinq;

            class Files
            {
                public void Wire(IDStream<string> stream, string path) =>
                    stream.ForEachBatch((batch, at) =>
                    {
                        File.WriteAllLines($"{Path.ChangeExtension(path, null)}-{at.Milliseconds}{Path.GetExtension(path)}", batch);
                        File.WriteAllText($"out/{{all}}-{at.Milliseconds}.log", string.Join("\n", batch));
                    });
            }
            """;

        await Verifier.CodeFixAsync<FileAppendToPerBatchFileFix>(
            source, fixedSource, 
            [
                Verifier.Diagnostic().WithLocation(0).WithArguments("File.AppendAllLines(path, batch)", "ForEachBatch"),
                Verifier.Diagnostic().WithLocation(1).WithArguments("File.AppendAllText(\"out/{all}.log\", string.Join(\"\\n\", batch))", "ForEachBatch"),
            ],
            FileAppendToPerBatchFileFix.EquivalenceKey);
    }

    [Fact]
    public async Task The_batch_time_goes_before_the_extension_of_literal_interpolated_and_combined_paths()
    {
        const string source = """
            using System.IO;
            using System.Threading.Tasks;
            using StreamLinq;

            class Files
            {
                private readonly string dir = "logs";

                public void Wire(IDStream<string> stream, string name) =>
                    stream.ForEachBatch(async (batch, time, cancellationToken) =>
                    {
                        {|#0:File.AppendAllText("audit.log", "x")|};
                        {|#1:File.AppendAllText(@"C:\logs.d\audit", "x")|};
                        {|#2:File.AppendAllText($"{dir}/audit.tar.gz", "x")|};
                        {|#3:File.AppendAllText($"{dir}/{name}.csv", "x")|};
                        {|#4:File.AppendAllText($"{dir}/.env", "x")|};
                        await {|#5:File.AppendAllLinesAsync(Path.Combine(dir, name), batch, cancellationToken)|};
                    });
            }
            """;
        const string fixedSource = """
            using System.IO;
            using System.Threading.Tasks;
            using StreamLinq;

            class Files
            {
                private readonly string dir = "logs";

                public void Wire(IDStream<string> stream, string name) =>
                    stream.ForEachBatch(async (batch, time, cancellationToken) =>
                    {
                        File.WriteAllText($"audit-{time.Milliseconds}.log", "x");
                        File.WriteAllText($@"C:\logs.d\audit-{time.Milliseconds}", "x");
                        File.WriteAllText($"{dir}/audit.tar-{time.Milliseconds}.gz", "x");
                        File.WriteAllText($"{dir}/{name}-{time.Milliseconds}.csv", "x");
                        File.WriteAllText($"{dir}/.env-{time.Milliseconds}", "x");
                        await File.WriteAllLinesAsync($"{Path.ChangeExtension(Path.Combine(dir, name), null)}-{time.Milliseconds}{Path.GetExtension(Path.Combine(dir, name))}", batch, cancellationToken);
                    });
            }
            """;

        await Verifier.CodeFixAsync<FileAppendToPerBatchFileFix>(
            source, fixedSource,
            [
                Verifier.Diagnostic().WithLocation(0).WithArguments("File.AppendAllText(\"audit.log\", \"x\")", "ForEachBatch"),
                Verifier.Diagnostic().WithLocation(1).WithArguments("File.AppendAllText(@\"C:\\logs.d\\audit\", \"x\")", "ForEachBatch"),
                Verifier.Diagnostic().WithLocation(2).WithArguments("File.AppendAllText($\"{dir}/audit.tar.gz\", \"x\")", "ForEachBatch"),
                Verifier.Diagnostic().WithLocation(3).WithArguments("File.AppendAllText($\"{dir}/{name}.csv\", \"x\")", "ForEachBatch"),
                Verifier.Diagnostic().WithLocation(4).WithArguments("File.AppendAllText($\"{dir}/.env\", \"x\")", "ForEachBatch"),
                Verifier.Diagnostic().WithLocation(5).WithArguments("File.AppendAllLinesAsync(Path.Combine(dir, name), batch, cancellationToken)", "ForEachBatch"),
            ],
            FileAppendToPerBatchFileFix.EquivalenceKey);
    }

    [Fact]
    public async Task A_path_computed_by_a_call_that_may_do_more_is_not_rewritten()
    {
        const string source = """
            using System.IO;
            using StreamLinq;

            class Files
            {
                private int opened;

                private string NextPath() => "audit" + (++opened) + ".log";

                public void Wire(IDStream<string> stream) =>
                    stream.ForEachBatch((batch, time) => {|#0:File.AppendAllLines(NextPath(), batch)|});
            }
            """;

        await Verifier.CodeFixAsync<FileAppendToPerBatchFileFix>(
            source, source,
            [Verifier.Diagnostic().WithLocation(0).WithArguments("File.AppendAllLines(NextPath(), batch)", "ForEachBatch")],
            FileAppendToPerBatchFileFix.EquivalenceKey);
    }
}
