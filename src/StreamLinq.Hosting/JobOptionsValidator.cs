using Microsoft.Extensions.Options;

namespace StreamLinq.Hosting;

/// <summary>Checks a job's bound options, naming each bad setting by its configuration path.</summary>
internal sealed class JobOptionsValidator(string section) : IValidateOptions<StreamLinqJobOptions>
{
    public ValidateOptionsResult Validate(string? name, StreamLinqJobOptions options)
    {
        var path = $"{section}:Jobs:{name}";
        var errors = new List<string>();
        if (options.BatchInterval < StreamingContext.MinBatchInterval || options.BatchInterval > StreamingContext.MaxBatchInterval)
        {
            errors.Add($"{path}:BatchInterval must be between {StreamingContext.MinBatchInterval} and {StreamingContext.MaxBatchInterval}; it is {options.BatchInterval}.");
        }

        if (options.MaxQueuedBatches < 1)
        {
            errors.Add($"{path}:MaxQueuedBatches must be at least 1; it is {options.MaxQueuedBatches}.");
        }

        if (options.GracefulStopTimeout is { } stop && stop < TimeSpan.Zero)
        {
            errors.Add($"{path}:GracefulStopTimeout must not be negative; it is {stop}.");
        }

        if (options.MaxSchedulingDelay is { } delay && delay <= TimeSpan.Zero)
        {
            errors.Add($"{path}:MaxSchedulingDelay must be positive; it is {delay}.");
        }

        if (options.FailedBatchWindow < TimeSpan.Zero)
        {
            errors.Add($"{path}:FailedBatchWindow must not be negative; it is {options.FailedBatchWindow}.");
        }

        if (options.Receiver.BufferCapacity is { } capacity && capacity < 1)
        {
            errors.Add($"{path}:Receiver:BufferCapacity must be at least 1; it is {capacity}.");
        }

        if (options.Receiver.MaxRatePerSecond is { } rate && !(rate > 0))
        {
            errors.Add($"{path}:Receiver:MaxRatePerSecond must be positive; it is {rate}.");
        }

        if (options.CheckpointDirectory is { } directory && (directory.Length == 0 || directory.IndexOfAny(Path.GetInvalidPathChars()) >= 0))
        {
            errors.Add($"{path}:CheckpointDirectory is not a valid directory path: '{directory}'.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
