using System.ComponentModel;
using System.Diagnostics;
using Microsoft.Data.Sqlite;
using NackaInsights.Etl.Commands;
using NackaInsights.TestSupport;

namespace NackaInsights.Etl.Tests.Commands;

/// <summary>
/// <c>status</c> tells a warehouse it cannot open or read (exit 3, naming the database and why) from one that has no
/// schema yet, on each database; on SQLite it reads a warehouse it may not write.
/// </summary>
public abstract class StatusCommandFacts : WarehouseFacts
{
    private readonly TempDirectory _source = new("nacka-status");

    /// <summary>The command line options that point the program at this warehouse.</summary>
    protected abstract string[] DatabaseArguments { get; }

    /// <summary>Options that point at a database of this kind that holds no warehouse schema.</summary>
    protected abstract Task<string[]> EmptyDatabaseArgumentsAsync();

    /// <summary>Options that point at a database of this kind that cannot be read, how it is named, and a word of the reason.</summary>
    protected abstract (string[] Arguments, string Named, string Reason) Unreadable();

    public override ValueTask DisposeAsync()
    {
        _source.Dispose();
        return base.DisposeAsync();
    }

    [Fact]
    public async Task Status_OnAWarehouse_ShowsItsRuns()
    {
        await RefreshAsync();

        var result = await CliRunner.RunAsync(["status", .. DatabaseArguments]);

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        Assert.Contains("Lyckad", result.Output);
        Assert.Contains("business-cases/DIG-2023-014.xlsx", result.Output);
    }

    [Fact]
    public async Task Status_OnADatabaseWithoutTheSchema_SaysThereIsNoSchemaYet_AndExits3()
    {
        var arguments = await EmptyDatabaseArgumentsAsync();

        var result = await CliRunner.RunAsync(["status", .. arguments]);

        Assert.True(result.ExitCode == ExitCodes.Failed, result.ToString());
        Assert.Contains("has no warehouse schema", result.Error);
        Assert.Contains("Run 'nacka-insights migrate' or 'refresh' first", result.Error);
    }

    [Fact]
    public async Task Status_OnADatabaseItCannotRead_SaysSo_NamingTheDatabaseAndTheReason_AndExits3()
    {
        var (arguments, named, reason) = Unreadable();

        var result = await CliRunner.RunAsync(["status", .. arguments]);

        Assert.True(result.ExitCode == ExitCodes.Failed, result.ToString());
        Assert.Contains($"Cannot read the warehouse, {named}", result.Error);
        Assert.Contains(reason, result.Error);
        Assert.DoesNotContain("no warehouse schema", result.Error);
        Assert.DoesNotContain("   at ", result.Error);
    }

    protected async Task RefreshAsync()
    {
        ContractWorkbooks.Reference().Save(_source.File("business-cases/DIG-2023-014.xlsx"));
        var refresh = await CliRunner.RunAsync(["refresh", "--source-dir", _source.Path, .. DatabaseArguments]);
        Assert.True(refresh.ExitCode == ExitCodes.Success, refresh.ToString());
    }
}

public sealed class SqliteStatusCommandFacts : StatusCommandFacts
{
    private readonly TempDirectory _other = new("nacka-status-other");

    protected override Task<TestWarehouse> CreateWarehouseAsync() => Task.FromResult<TestWarehouse>(new SqliteTestWarehouse());

    private string FilePath => ((SqliteTestWarehouse)Warehouse).FilePath;

    protected override string[] DatabaseArguments => ["--db", FilePath];

    public override ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        _other.Dispose();
        return base.DisposeAsync();
    }

    protected override async Task<string[]> EmptyDatabaseArgumentsAsync()
    {
        // Another SQLite database, not a warehouse: the mistake of pointing --db at the wrong file.
        var path = _other.File("notes.db");
        await using (var connection = new SqliteConnection($"Data Source={path};Pooling=false"))
        {
            await connection.OpenAsync(Ct);
            await using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE notes (text TEXT)";
            await command.ExecuteNonQueryAsync(Ct);
        }
        return ["--db", path];
    }

    protected override (string[] Arguments, string Named, string Reason) Unreadable()
    {
        var path = _other.File("warehouse.db");
        File.WriteAllText(path, string.Concat(Enumerable.Repeat("Det här är ingen databas. ", 400)));
        return (["--db", path], $"SQLite file {path}", "file is not a database");
    }

    [Fact]
    public async Task Status_OnADirectoryInsteadOfAFile_SaysItCannotReadIt_AndExits3()
    {
        var result = await CliRunner.RunAsync("status", "--db", _other.Path);

        Assert.True(result.ExitCode == ExitCodes.Failed, result.ToString());
        Assert.Contains($"Cannot read the warehouse, SQLite file {_other.Path}", result.Error);
        Assert.Contains("it is a directory, not a database file", result.Error);
    }

    [Fact]
    public async Task Status_OnAWarehouseInAReadOnlyDirectory_ShowsItsRuns_AndWritesNothing()
    {
        await RefreshAsync();
        // The last connection to close checkpoints the write-ahead log and removes it and its -shm file: the
        // warehouse is left as on a read-only file system, one file that a reader cannot put anything beside.
        SqliteConnection.ClearAllPools();
        Assert.False(File.Exists(FilePath + "-wal"));
        // In a folder whose name a file URI must escape.
        var path = _other.File("läs bara #1 ?%/nacka-insights.db");
        File.Copy(FilePath, path);
        var directory = Path.GetDirectoryName(path)!;
        var bytes = await File.ReadAllBytesAsync(path, Ct);

        CliResult result;
        using (ReadOnlyFolder.Make(directory))
        {
            result = await CliRunner.RunAsync("status", "--db", path);
            SqliteConnection.ClearAllPools();
        }

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        Assert.Contains($"Warehouse: SQLite file {path}", result.Output);
        Assert.Contains("Lyckad", result.Output);
        Assert.Contains("business-cases/DIG-2023-014.xlsx", result.Output);
        Assert.Equal([path], Directory.GetFiles(directory));
        Assert.Equal(bytes, await File.ReadAllBytesAsync(path, Ct));
    }
}

public sealed class PostgresStatusCommandFacts(PostgresCluster cluster) : StatusCommandFacts
{
    protected override async Task<TestWarehouse> CreateWarehouseAsync() => await PostgresTestWarehouse.CreateAsync(cluster);

    protected override string[] DatabaseArguments => ["--provider", "postgres", "--connection", Warehouse.Options.ConnectionString];

    protected override async Task<string[]> EmptyDatabaseArgumentsAsync() =>
        ["--provider", "postgres", "--connection", await cluster.CreateDatabaseAsync()];

    protected override (string[] Arguments, string Named, string Reason) Unreadable()
    {
        var connection = $"Host=127.0.0.1;Port={cluster.Port};Username=postgres;Database=nacka_finns_inte;Timeout=10";
        return (["--provider", "postgres", "--connection", connection], $"PostgreSQL database nacka_finns_inte on 127.0.0.1:{cluster.Port}", "does not exist");
    }
}

/// <summary>
/// A folder and its files that this process cannot write, also as root (which the tests run as, and which file modes
/// do not stop): made immutable with <c>chattr +i</c>, or read-only by mode where that is refused and modes bind.
/// Whether a write is really refused is tried, so that a fact never claims a read-only folder it did not have.
/// </summary>
internal sealed class ReadOnlyFolder : IDisposable
{
    private readonly string _directory;
    private readonly string[] _paths;
    private readonly bool _immutable;

    private ReadOnlyFolder(string directory, string[] paths, bool immutable)
    {
        _directory = directory;
        _paths = paths;
        _immutable = immutable;
    }

    public static ReadOnlyFolder Make(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("A read-only folder is made with chattr or file modes, on Linux.");
        }
        var paths = Directory.GetFiles(directory).Append(directory).ToArray();
        var immutable = Chattr("+i", paths);
        if (!immutable)
        {
            foreach (var file in paths[..^1])
            {
                File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            }
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
        }
        var folder = new ReadOnlyFolder(directory, paths, immutable);
        var probe = Path.Combine(directory, "write-probe");
        try
        {
            File.WriteAllText(probe, "");
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            return folder;
        }
        File.Delete(probe);
        folder.Dispose();
        throw new InvalidOperationException(
            $"Could not make {directory} read-only for this process: chattr +i {(immutable ? "did not hold" : "failed")}, and file modes do not bind " +
            "this user. The fact needs a folder it cannot write (a file system with immutable files, or a user other than root).");
    }

    public void Dispose()
    {
        if (_immutable)
        {
            Chattr("-i", _paths);
            return;
        }
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        File.SetUnixFileMode(_directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        foreach (var file in _paths[..^1])
        {
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    private static bool Chattr(string flag, string[] paths)
    {
        var start = new ProcessStartInfo("chattr") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(flag);
        foreach (var path in paths)
        {
            start.ArgumentList.Add(path);
        }
        try
        {
            using var process = Process.Start(start)!;
            process.WaitForExit();
            return process.ExitCode == 0;
        }
        catch (Win32Exception)
        {
            return false;
        }
    }
}
