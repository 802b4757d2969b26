using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using Xunit;

namespace NackaInsights.TestSupport;

/// <summary>
/// A throwaway PostgreSQL 15 cluster for one test run: <c>initdb</c> and <c>pg_ctl</c> from the
/// installed binaries, run as the <c>postgres</c> user (through <c>runuser</c> when the tests run as
/// root), listening on 127.0.0.1 at a free port. Each test gets a database of its own.
/// Where the binaries are absent the PostgreSQL tests are skipped, visibly.
/// </summary>
public sealed class PostgresCluster : IAsyncLifetime
{
    public static readonly string BinDirectory =
        Environment.GetEnvironmentVariable("NACKA_PG_BIN") is { Length: > 0 } bin ? bin : "/usr/lib/postgresql/15/bin";

    private string? _root;
    private int _databases;

    public static bool BinariesPresent => File.Exists(Path.Combine(BinDirectory, "initdb")) && File.Exists(Path.Combine(BinDirectory, "pg_ctl"));

    public static string SkipReason => $"PostgreSQL binaries not found in {BinDirectory} (install postgresql-15, or set NACKA_PG_BIN).";

    public int Port { get; private set; }

    public bool Running { get; private set; }

    public string AdminConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Pooling=false;Timeout=30";

    public async ValueTask InitializeAsync()
    {
        if (!BinariesPresent)
        {
            return;
        }
        _root = Path.Combine(Path.GetTempPath(), $"nacka-pg-{Guid.NewGuid():N}");
        var data = Path.Combine(_root, "data");
        Directory.CreateDirectory(data);
        var asRoot = Environment.UserName == "root";
        if (asRoot)
        {
            await RunAsync("chown", ["-R", "postgres:postgres", _root]);
        }
        Port = FreePort();
        await RunPgAsync(asRoot, "initdb", ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"]);
        var options = $"-p {Port} -c listen_addresses=127.0.0.1 -k {_root} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200";
        await RunPgAsync(asRoot, "pg_ctl", ["-D", data, "-l", Path.Combine(_root, "server.log"), "-o", options, "-w", "-t", "60", "start"]);
        Running = true;
    }

    public async ValueTask DisposeAsync()
    {
        if (_root is null)
        {
            return;
        }
        if (Running)
        {
            try
            {
                await RunPgAsync(Environment.UserName == "root", "pg_ctl", ["-D", Path.Combine(_root, "data"), "-m", "immediate", "-w", "stop"]);
            }
            catch (InvalidOperationException)
            {
            }
        }
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Skips the calling test where PostgreSQL cannot run here.</summary>
    public void SkipIfUnavailable() => Assert.SkipUnless(Running, SkipReason);

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        SkipIfUnavailable();
        var name = $"nacka_{Interlocked.Increment(ref _databases)}_{Guid.NewGuid():N}"[..40];
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await command.ExecuteNonQueryAsync();
        return $"Host=127.0.0.1;Port={Port};Username=postgres;Database={name};Timeout=30;Include Error Detail=true";
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static Task RunPgAsync(bool asRoot, string tool, string[] arguments)
    {
        var executable = Path.Combine(BinDirectory, tool);
        return asRoot
            ? RunAsync("runuser", ["-u", "postgres", "--", executable, .. arguments])
            : RunAsync(executable, arguments);
    }

    private static async Task RunAsync(string fileName, string[] arguments)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await stderr}{await stdout}");
        }
    }
}
