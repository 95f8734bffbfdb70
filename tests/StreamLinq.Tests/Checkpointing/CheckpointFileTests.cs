using System.Text;
using StreamLinq.Checkpointing;

namespace StreamLinq.Tests.Checkpointing;

public class CheckpointFileTests
{
    [Fact]
    public void A_written_checkpoint_reads_back_byte_for_byte()
    {
        using var scratch = new Scratch();
        Directory.CreateDirectory(scratch.Checkpoints);
        var path = Path.Combine(scratch.Checkpoints, "one.ckpt");
        var body = Encoding.UTF8.GetBytes("{\"a\":[1,2,3]}");
        CheckpointFile.Write(path, body);
        Assert.Equal(body, CheckpointFile.Read(path));
        Assert.Single(Directory.GetFiles(scratch.Checkpoints));
    }

    [Theory]
    [InlineData("truncated", 0)]
    [InlineData("corrupt", 1)]
    [InlineData("format", 2)]
    public void A_damaged_checkpoint_is_refused_saying_how(string expected, int damage)
    {
        using var scratch = new Scratch();
        Directory.CreateDirectory(scratch.Checkpoints);
        var path = Path.Combine(scratch.Checkpoints, "one.ckpt");
        CheckpointFile.Write(path, Encoding.UTF8.GetBytes("{\"offsets\":[10,20,30]}"));
        var bytes = File.ReadAllBytes(path);
        switch (damage)
        {
            case 0:
                bytes = bytes[..^3];
                break;
            case 1:
                bytes[^2] = (byte)'9';
                break;
            default:
                bytes = Encoding.ASCII.GetBytes(Encoding.ASCII.GetString(bytes).Replace("STREAMLINQ-CHECKPOINT 1 ", "STREAMLINQ-CHECKPOINT 9 ", StringComparison.Ordinal));
                break;
        }

        File.WriteAllBytes(path, bytes);
        var error = Assert.Throws<InvalidDataException>(() => CheckpointFile.Read(path));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
