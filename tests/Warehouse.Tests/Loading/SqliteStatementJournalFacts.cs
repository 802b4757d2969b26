using System.Runtime.CompilerServices;
using Dapper;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Storage;

namespace NackaInsights.Warehouse.Tests.Loading;

/// <summary>
/// SQLite keeps a statement's journal in memory up to <see cref="SqliteDialect.StatementJournalInMemoryBytes"/>, instead of
/// writing it to a temporary file beyond 64 KiB. The temporary file would show among the process's open files while the
/// transaction lasts, so these facts run alone: no other test's connection may have one open meanwhile.
/// </summary>
[Collection(nameof(SqliteStatementJournalFacts))]
public sealed class SqliteStatementJournalFacts : IDisposable
{
    private readonly SqliteTestWarehouse _warehouse = new();

    public void Dispose() => _warehouse.Dispose();

    /// <summary>
    /// The program creates every connection through the dialect, so the dialect's setting precedes SQLite's first use; this
    /// test process does the same from its start, whichever test runs first.
    /// </summary>
    [ModuleInitializer]
    internal static void ConfigureSqliteAsTheProgramDoes() => RuntimeHelpers.RunClassConstructor(typeof(SqliteDialect).TypeHandle);

    [Fact]
    public void TheLibrary_TakesTheBound() => Assert.True(SqliteDialect.StatementJournalsInMemory);

    [Fact]
    public async Task AMultiRowInsert_WritesNoTemporaryFile_WhenItsJournalIsUnderTheBound()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "The process's open files are read from /proc.");
        var database = new WarehouseDatabase(_warehouse.Options);
        await using var connection = await database.OpenAsync(TestContext.Current.CancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(TestContext.Current.CancellationToken);
        await connection.ExecuteAsync("CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT UNIQUE, b TEXT, c TEXT)", transaction: transaction);
        await connection.ExecuteAsync("CREATE INDEX t_b ON t (b)", transaction: transaction);
        await connection.ExecuteAsync("CREATE INDEX t_c ON t (c)", transaction: transaction);
        var random = new Random(21);
        string Key() => Convert.ToHexString(random.GetItems<byte>(Enumerable.Range(0, 256).Select(i => (byte)i).ToArray(), 40));
        for (var i = 0; i < 20; i++)
        {
            await connection.ExecuteAsync("INSERT INTO t (a, b, c) VALUES (@a, @b, @c)",
                Enumerable.Range(0, 200).Select(_ => new { a = Key(), b = Key(), c = Key() }), transaction);
        }
        var pages = await connection.ExecuteScalarAsync<long>("PRAGMA page_count", transaction: transaction);

        // One statement, 64 rows with keys all over the three indexes: it touches far more than 16 pages (64 KiB), each
        // journalled in case it fails (a UNIQUE clash aborts only it).
        var values = string.Join(", ", Enumerable.Range(0, 64).Select(_ => $"('{Key()}', '{Key()}', '{Key()}')"));
        await connection.ExecuteAsync($"INSERT INTO t (a, b, c) VALUES {values}", transaction: transaction);

        Assert.True(pages > 100, $"The table is too small to need a journal beyond 64 KiB: {pages} pages.");
        Assert.Empty(TemporaryFilesOpen());
        await transaction.RollbackAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>SQLite's temporary files, unlinked at once but open while the transaction lasts.</summary>
    private static List<string> TemporaryFilesOpen() =>
        new DirectoryInfo("/proc/self/fd").EnumerateFileSystemInfos()
            .Select(fd => { try { return fd.LinkTarget ?? ""; } catch (IOException) { return ""; } })
            .Where(target => target.Contains("etilqs_", StringComparison.Ordinal))
            .ToList();
}

[CollectionDefinition(nameof(SqliteStatementJournalFacts), DisableParallelization = true)]
public sealed class SqliteStatementJournalCollection;
