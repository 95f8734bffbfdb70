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
                        File.WriteAllLines($"{path}-{at.Milliseconds}", batch);
                        File.WriteAllText($"out/{{all}}.log-{at.Milliseconds}", string.Join("\n", batch));
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
}
