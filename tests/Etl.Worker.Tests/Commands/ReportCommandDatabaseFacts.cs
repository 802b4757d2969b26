using Microsoft.Data.Sqlite;
using NackaInsights.Etl.Commands;
using NackaInsights.Etl.Report;
using NackaInsights.TestSupport;

namespace NackaInsights.Etl.Tests.Commands;

/// <summary>
/// <c>report</c> on each database: it writes the whole page from a loaded warehouse and changes nothing in it, and it
/// refuses a database without the warehouse schema (exit 3) without creating one.
/// </summary>
public abstract class ReportCommandDatabaseFacts : WarehouseFacts
{
    private readonly TempDirectory _dir = new("nacka-report-db");

    /// <summary>The command line options that point the program at this warehouse.</summary>
    protected abstract string[] DatabaseArguments { get; }

    /// <summary>Options that point at a database of this kind that holds no warehouse schema, and how many tables it has.</summary>
    protected abstract Task<(string[] Arguments, Func<Task<long>> Tables)> EmptyDatabaseAsync();

    public override ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
        return base.DisposeAsync();
    }

    [Fact]
    public async Task Report_OfALoadedWarehouse_WritesTheWholePage_AndChangesNothingInIt()
    {
        ContractWorkbooks.Reference().Save(_dir.File("source/business-cases/DIG-2023-014.xlsx"));
        var refresh = await CliRunner.RunAsync(["refresh", "--source-dir", Path.Combine(_dir.Path, "source"), .. DatabaseArguments]);
        Assert.True(refresh.ExitCode == ExitCodes.Success, refresh.ToString());
        var before = await ViewSnapshot.ReadAsync(Warehouse.Database, _ => true);
        var html = _dir.File("rapport.html");

        var result = await CliRunner.RunAsync(["report", "--out", html, .. DatabaseArguments]);

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        var page = await File.ReadAllTextAsync(html, Ct);
        Assert.All(ReportSections.All, id => Assert.Contains($"<section id=\"{id}\"", page));
        Assert.Equal(before, await ViewSnapshot.ReadAsync(Warehouse.Database, _ => true));
    }

    [Fact]
    public async Task Report_OfADatabaseWithoutTheSchema_Exits3_AndCreatesNone()
    {
        var (arguments, tables) = await EmptyDatabaseAsync();
        var before = await tables();
        var html = _dir.File("rapport.html");

        var result = await CliRunner.RunAsync(["report", "--out", html, .. arguments]);

        Assert.True(result.ExitCode == ExitCodes.Failed, result.ToString());
        Assert.Contains("has no warehouse schema", result.Error);
        Assert.Equal(before, await tables());
        Assert.False(File.Exists(html));
    }
}

public sealed class SqliteReportCommandDatabaseFacts : ReportCommandDatabaseFacts
{
    private readonly TempDirectory _other = new("nacka-report-db-other");

    protected override Task<TestWarehouse> CreateWarehouseAsync() => Task.FromResult<TestWarehouse>(new SqliteTestWarehouse());

    private string FilePath => ((SqliteTestWarehouse)Warehouse).FilePath;

    protected override string[] DatabaseArguments => ["--db", FilePath];

    public override ValueTask DisposeAsync()
    {
        _other.Dispose();
        return base.DisposeAsync();
    }

    protected override async Task<(string[] Arguments, Func<Task<long>> Tables)> EmptyDatabaseAsync()
    {
        // Another SQLite database, not a warehouse: the mistake of pointing --db at the wrong file.
        var path = _other.File("notes.db");
        var connection = $"Data Source={path};Pooling=false";
        await using (var create = new SqliteConnection(connection))
        {
            await create.OpenAsync(Ct);
            await using var command = create.CreateCommand();
            command.CommandText = "CREATE TABLE notes (text TEXT)";
            await command.ExecuteNonQueryAsync(Ct);
        }
        return (["--db", path], async () =>
        {
            await using var count = new SqliteConnection(connection);
            await count.OpenAsync(Ct);
            await using var command = count.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM sqlite_master";
            return (long)(await command.ExecuteScalarAsync(Ct))!;
        });
    }

    [Fact]
    public async Task Report_OfAWarehouseInAFolderItMayNotWrite_IsWritten_AndTheWarehouseIsUntouched()
    {
        ContractWorkbooks.Reference().Save(_other.File("source/business-cases/DIG-2023-014.xlsx"));
        var refresh = await CliRunner.RunAsync(["refresh", "--source-dir", Path.Combine(_other.Path, "source"), .. DatabaseArguments]);
        Assert.True(refresh.ExitCode == ExitCodes.Success, refresh.ToString());
        // Closing the last connection checkpoints the log and removes it: one file that a reader cannot put a -shm beside.
        SqliteConnection.ClearAllPools();
        var path = _other.File("läs bara/nacka-insights.db");
        File.Copy(FilePath, path);
        var directory = Path.GetDirectoryName(path)!;
        var bytes = await File.ReadAllBytesAsync(path, Ct);
        var html = _other.File("rapport.html");

        CliResult result;
        using (ReadOnlyFolder.Make(directory))
        {
            result = await CliRunner.RunAsync("report", "--out", html, "--db", path);
            SqliteConnection.ClearAllPools();
        }

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        Assert.True(File.Exists(html));
        Assert.Equal([path], Directory.GetFiles(directory));
        Assert.Equal(bytes, await File.ReadAllBytesAsync(path, Ct));
    }
}

public sealed class PostgresReportCommandDatabaseFacts(PostgresCluster cluster) : ReportCommandDatabaseFacts
{
    protected override async Task<TestWarehouse> CreateWarehouseAsync() => await PostgresTestWarehouse.CreateAsync(cluster);

    protected override string[] DatabaseArguments => ["--provider", "postgres", "--connection", Warehouse.Options.ConnectionString];

    protected override async Task<(string[] Arguments, Func<Task<long>> Tables)> EmptyDatabaseAsync()
    {
        var connection = await cluster.CreateDatabaseAsync();
        return (["--provider", "postgres", "--connection", connection], async () =>
        {
            await using var count = new Npgsql.NpgsqlConnection(connection);
            await count.OpenAsync(Ct);
            await using var command = count.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')";
            return (long)(await command.ExecuteScalarAsync(Ct))!;
        });
    }
}
