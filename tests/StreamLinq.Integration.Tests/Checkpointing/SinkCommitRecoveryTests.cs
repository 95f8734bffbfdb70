using System.Collections.Concurrent;
using StreamLinq.Integration.Tests.Support;
using StreamLinq.Postgres;
using StreamLinq.Redis;

namespace StreamLinq.Integration.Tests.Checkpointing;

/// <summary>
/// Exactly once from Redis Streams into PostgreSQL when the checkpoint directory is lost or
/// damaged: the sinks' commits, read back at start, are the truth. Each case checks the tables
/// against the stream: every record once.
/// </summary>
[Collection(ServersCollection.Name)]
public sealed class SinkCommitRecoveryTests(RedisServerFixture redis, PostgresServerFixture postgres)
{
    [Fact]
    public async Task A_lost_checkpoint_directory_resumes_after_the_sinks_commit_and_writes_nothing_twice()
    {
        var test = await SetUpAsync(records: 10, outputs: 1);
        var checkpoints = Directory.CreateTempSubdirectory("streamlinq-commits-");
        try
        {
            await using (var first = test.Create(checkpoints.FullName, new FakeTimeProvider(DateTimeOffset.UnixEpoch), maxPerBatch: 3))
            {
                await first.RunAsync(1, 2);
            }

            Assert.Equal(Enumerable.Range(1, 6).Select(n => (long)n), await test.RowsAsync(0));
            checkpoints.Delete(recursive: true);
            await test.AppendAsync(4);

            await using (var second = test.Create(checkpoints.FullName, new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddTicks(TimeSpan.FromSeconds(100).Ticks)), maxPerBatch: 3))
            {
                Assert.Null(second.Context.RecoveredBatchTime);
                await second.RunAsync(101, 105);
            }

            Assert.Equal(Enumerable.Range(1, 14).Select(n => (long)n), await test.RowsAsync(0));
        }
        finally
        {
            if (checkpoints.Exists)
            {
                checkpoints.Delete(recursive: true);
            }
        }
    }

    [Fact]
    public async Task An_older_checkpoint_behind_the_sinks_commit_replays_nothing_into_it()
    {
        var test = await SetUpAsync(records: 12, outputs: 1);
        var checkpoints = Directory.CreateTempSubdirectory("streamlinq-commits-");
        try
        {
            await using (var first = test.Create(checkpoints.FullName, new FakeTimeProvider(DateTimeOffset.UnixEpoch), maxPerBatch: 2))
            {
                await first.RunAsync(1, 3);
            }

            // The two newest damaged: the one left is from before the last commit.
            var files = checkpoints.GetFiles("checkpoint-*.ckpt").OrderByDescending(f => f.Name, StringComparer.Ordinal).ToList();
            Assert.Equal(3, files.Count);
            foreach (var file in files.Take(2))
            {
                await File.WriteAllTextAsync(file.FullName, "damaged");
            }

            await using (var second = test.Create(checkpoints.FullName, new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddTicks(TimeSpan.FromSeconds(100).Ticks)), maxPerBatch: 2))
            {
                Assert.NotNull(second.Context.RecoveredBatchTime);
                Assert.True(second.Context.RecoveredBatchTime < new BatchTime(TimeSpan.FromSeconds(3).Ticks));
                await second.RunAsync(101, 104);
            }

            Assert.Equal(Enumerable.Range(1, 12).Select(n => (long)n), await test.RowsAsync(0));
        }
        finally
        {
            checkpoints.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_batch_queued_unread_in_an_older_checkpoint_behind_the_sinks_commit_takes_no_records_under_its_old_time()
    {
        var test = await SetUpAsync(records: 10, outputs: 1);
        var checkpoints = Directory.CreateTempSubdirectory("streamlinq-commits-");
        try
        {
            // Batches 1 and 2 are due at once: batch 2 is queued, unread, when batch 1 commits.
            await using (var first = test.Create(checkpoints.FullName, new FakeTimeProvider(DateTimeOffset.UnixEpoch), maxPerBatch: 3))
            {
                await first.RunAtOnceAsync(2);
            }

            Assert.Equal(Enumerable.Range(1, 6).Select(n => (long)n), await test.RowsAsync(0));

            // Batch 1's commit checkpoint is left (batch 2 pending, unread); the sink holds batch 2.
            var files = checkpoints.GetFiles("checkpoint-*.ckpt").OrderByDescending(f => f.Name, StringComparer.Ordinal).ToList();
            foreach (var file in files.Take(2))
            {
                await File.WriteAllTextAsync(file.FullName, "damaged");
            }

            Assert.Contains("unresolved", await File.ReadAllTextAsync(files[2].FullName), StringComparison.Ordinal);
            await test.AppendAsync(4);

            // Batch 2 replayed from the old checkpoint would read records 7 to 9 under a time the
            // sink has committed: it takes none, and the batches after the commit read them.
            await using (var second = test.Create(checkpoints.FullName, new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddTicks(TimeSpan.FromSeconds(100).Ticks)), maxPerBatch: 3))
            {
                Assert.Equal(new BatchTime(TimeSpan.FromSeconds(1).Ticks), second.Context.RecoveredBatchTime);
                await second.RunAsync(101, 104);
                Assert.Empty(second.Failures);
            }

            Assert.Equal(Enumerable.Range(1, 14).Select(n => (long)n), await test.RowsAsync(0));
        }
        finally
        {
            checkpoints.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Outputs_at_different_commits_resume_from_the_earliest_and_each_skips_what_it_holds()
    {
        var test = await SetUpAsync(records: 20, outputs: 2);
        var checkpoints = Directory.CreateTempSubdirectory("streamlinq-commits-");
        try
        {
            string behind;
            await using (var first = test.Create(checkpoints.FullName, new FakeTimeProvider(DateTimeOffset.UnixEpoch), maxPerBatch: 3))
            {
                await first.RunAsync(1, 1);
                behind = await test.CommitAsync(1);
                await first.RunAsync(2, 2);
            }

            // The second output's sink lost its last batch (records 4 to 6) and its commit went
            // back one batch; then the checkpoints were lost too.
            await postgres.ExecuteAsync($"DELETE FROM {test.Tables[1]} WHERE n > 3; UPDATE streamlinq_commits SET offsets = '{behind}'::jsonb WHERE sink_id = '{test.Tables[1]}'");
            checkpoints.Delete(recursive: true);

            // Batches of up to 5 from record 4 would cut across the first output's commit (6):
            // the source stops a batch there instead.
            await using (var second = test.Create(checkpoints.FullName, new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddTicks(TimeSpan.FromSeconds(100).Ticks)), maxPerBatch: 5))
            {
                await second.RunAsync(101, 106);
                Assert.Empty(second.Failures);
            }

            Assert.Equal(Enumerable.Range(1, 20).Select(n => (long)n), await test.RowsAsync(0));
            Assert.Equal(Enumerable.Range(1, 20).Select(n => (long)n), await test.RowsAsync(1));
        }
        finally
        {
            if (checkpoints.Exists)
            {
                checkpoints.Delete(recursive: true);
            }
        }
    }

    [Fact]
    public async Task A_pending_batch_that_straddles_a_commit_fails_naming_the_output_and_the_commit()
    {
        var test = await SetUpAsync(records: 5, outputs: 0);
        var ids = (await redis.Connection.GetDatabase().StreamRangeAsync(test.Stream)).Select(e => (string)e.Id!).ToArray();
        var checkpoints = Directory.CreateTempSubdirectory("streamlinq-commits-");
        try
        {
            // The batch of records 1 to 5 is logged, then its output fails: it stays pending.
            var failing = new ScriptedSink(_ => null, fail: true);
            await using (var first = test.Create(checkpoints.FullName, new FakeTimeProvider(DateTimeOffset.UnixEpoch), maxPerBatch: 5, failing))
            {
                await Assert.ThrowsAsync<BatchFailedException>(() => first.RunAsync(1, 1));
            }

            // The sink says it holds records 1 to 3 (a commit the checkpoint never saw).
            var offsets = $"{{\"0\": [{{\"stream\": \"{test.Stream}\", \"after\": null, \"last\": \"{ids[2]}\", \"count\": 3}}]}}";
            var sink = new ScriptedSink(id => new BatchCommit(id, new BatchTime(TimeSpan.FromSeconds(1).Ticks), offsets), fail: false);
            await using var second = test.Create(checkpoints.FullName, new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddTicks(TimeSpan.FromSeconds(1).Ticks)), maxPerBatch: 5, sink);
            var error = await Assert.ThrowsAsync<BatchFailedException>(() => second.RunAsync(2, 2));
            Assert.Contains("WriteTo(ScriptedSink) #1", error.Message, StringComparison.Ordinal);
            Assert.Contains(ids[2], error.InnerException!.Message, StringComparison.Ordinal);
            Assert.Contains("neither written nor skipped", error.InnerException.Message, StringComparison.Ordinal);
            Assert.Empty(sink.Written);
        }
        finally
        {
            checkpoints.Delete(recursive: true);
        }
    }

    private async Task<Setup> SetUpAsync(int records, int outputs)
    {
        var tables = Enumerable.Range(0, outputs).Select(_ => $"commits_{Guid.NewGuid():N}").ToArray();
        foreach (var table in tables)
        {
            await postgres.ExecuteAsync($"CREATE TABLE {table} (n bigint NOT NULL)");
        }

        var setup = new Setup(redis, postgres, $"commits:{Guid.NewGuid():N}", tables);
        await setup.AppendAsync(records);
        return setup;
    }

    private sealed class Setup(RedisServerFixture redis, PostgresServerFixture postgres, string stream, string[] tables)
    {
        private int _count;

        public string[] Tables => tables;

        public string Stream => stream;

        public async Task AppendAsync(int records)
        {
            var database = redis.Connection.GetDatabase();
            for (var i = 0; i < records; i++)
            {
                await database.StreamAddAsync(stream, "n", ++_count);
            }
        }

        public async Task<List<long>> RowsAsync(int output)
        {
            await using var command = postgres.DataSource.CreateCommand($"SELECT n FROM {tables[output]} ORDER BY n");
            await using var reader = await command.ExecuteReaderAsync();
            var rows = new List<long>();
            while (await reader.ReadAsync())
            {
                rows.Add(reader.GetInt64(0));
            }

            return rows;
        }

        /// <summary>The offsets an output's sink committed last, as stored.</summary>
        public async Task<string> CommitAsync(int output)
        {
            await using var command = postgres.DataSource.CreateCommand($"SELECT offsets::text FROM streamlinq_commits WHERE sink_id = '{tables[output]}'");
            return (string)(await command.ExecuteScalarAsync())!;
        }

        public Driver Create(string checkpoints, FakeTimeProvider clock, int maxPerBatch, ITransactionalSink<long>? extra = null)
        {
            var driver = new Driver(clock);
            driver.Context = StreamingContext.GetOrCreate(checkpoints, () =>
            {
                var context = new StreamingContext(TimeSpan.FromSeconds(1), new StreamingOptions { TimeProvider = clock });
                context.AddListener(driver);
                var numbers = context.RedisStream(redis.Connection, stream, new RedisStreamsOptions { MaxEntriesPerBatch = maxPerBatch })
                    .Select(e => long.Parse(e["n"]!, System.Globalization.CultureInfo.InvariantCulture));
                foreach (var table in tables)
                {
                    numbers.WriteTo(new PostgresSink<long>(postgres.DataSource, table, PostgresCopy.Rows<long>(table, ["n"], n => [n])), DeliveryGuarantee.ExactlyOnce);
                }

                if (extra is not null)
                {
                    numbers.WriteTo(extra, DeliveryGuarantee.ExactlyOnce);
                }

                return context;
            });
            return driver;
        }
    }

    /// <summary>A sink whose last commit is given and whose writes are kept, or fail.</summary>
    private sealed class ScriptedSink(Func<string, BatchCommit?> lastCommit, bool fail) : ITransactionalSink<long>
    {
        public ConcurrentQueue<long> Written { get; } = new();

        public Task<BatchCommit?> ReadLastCommitAsync(string outputId, CancellationToken cancellationToken) => Task.FromResult(lastCommit(outputId));

        public Task CommitBatchAsync(IReadOnlyList<long> batch, BatchCommit commit, CancellationToken cancellationToken)
        {
            if (fail)
            {
                // Not transient: an I/O error would be retried under the default restart strategy.
                throw new InvalidOperationException("the sink refuses the batch");
            }

            foreach (var n in batch)
            {
                Written.Enqueue(n);
            }

            return Task.CompletedTask;
        }

        public Task WriteBatchAsync(IReadOnlyList<long> batch, BatchTime time, CancellationToken cancellationToken) =>
            CommitBatchAsync(batch, new BatchCommit("default", time, "{}"), cancellationToken);
    }

    private sealed class Driver(FakeTimeProvider clock) : IStreamingListener, IAsyncDisposable
    {
        private readonly ConcurrentDictionary<BatchTime, TaskCompletionSource> _done = new();

        public StreamingContext Context { get; set; } = null!;

        public ConcurrentQueue<Exception> Failures { get; } = new();

        /// <summary>Starts the context if needed and runs the batches at the given seconds, in order.</summary>
        public async Task RunAsync(int fromSecond, int toSecond)
        {
            if (Context.State == StreamingContextState.Initialized)
            {
                await Context.StartAsync();
            }

            for (var second = fromSecond; second <= toSecond; second++)
            {
                var time = new BatchTime(TimeSpan.FromSeconds(second).Ticks);
                var done = Done(time).Task;
                clock.Advance(TimeSpan.FromTicks(time.Ticks - (clock.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks));

                // A failed batch stops the context: its error, not a timeout, is the test's failure.
                var first = await Task.WhenAny(done, Context.AwaitTerminationAsync()).WaitAsync(TimeSpan.FromSeconds(30));
                await first;
                Assert.Same(done, first);
            }
        }

        /// <summary>Starts the context and moves the clock to the given second at once, so that the batches due meanwhile queue up; waits for the last.</summary>
        public async Task RunAtOnceAsync(int toSecond)
        {
            await Context.StartAsync();
            var time = new BatchTime(TimeSpan.FromSeconds(toSecond).Ticks);
            var done = Done(time).Task;
            clock.Advance(TimeSpan.FromTicks(time.Ticks - (clock.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks));
            var first = await Task.WhenAny(done, Context.AwaitTerminationAsync()).WaitAsync(TimeSpan.FromSeconds(30));
            await first;
            Assert.Same(done, first);
        }

        public void OnBatchCompleted(BatchInfo batch)
        {
            if (batch.Failure is { } failure)
            {
                Failures.Enqueue(failure);

                // The batch's failure, not whichever of completion and termination is seen first.
                Done(batch.Time).TrySetException(failure);
                return;
            }

            Done(batch.Time).TrySetResult();
        }

        public async ValueTask DisposeAsync() => await Context.StopAsync(graceful: false);

        private TaskCompletionSource Done(BatchTime time) =>
            _done.GetOrAdd(time, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
    }
}
