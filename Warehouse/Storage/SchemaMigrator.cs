using System.Data.Common;
using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Microsoft.Extensions.Logging;

namespace NackaInsights.Warehouse.Storage;

/// <summary>A versioned schema script from <c>sql/&lt;database&gt;/NNN_name.sql</c>.</summary>
public sealed record SchemaScript(int Version, string Name, string Sql)
{
    public string Checksum { get; } = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Sql.ReplaceLineEndings("\n"))));
}

public sealed record MigrationResult(IReadOnlyList<SchemaScript> Applied, int CurrentVersion);

/// <summary>
/// Applies the scripts of <c>sql/&lt;database&gt;/</c> in order, each in its own transaction,
/// and records them in <c>schema_version</c>, so that a second run changes nothing. The scripts
/// are embedded in the assembly: what runs is exactly what is in the repository.
/// </summary>
public sealed class SchemaMigrator(WarehouseDatabase database, ILogger<SchemaMigrator> logger)
{
    private const string BootstrapVersion = "000";

    public static IReadOnlyList<SchemaScript> ScriptsFor(WarehouseDialect dialect)
    {
        var prefix = $"sql/{dialect.ScriptFolder}/";
        var assembly = typeof(SchemaMigrator).Assembly;
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n =>
            {
                var name = n[prefix.Length..];
                var version = int.Parse(name[..name.IndexOf('_', StringComparison.Ordinal)], CultureInfo.InvariantCulture);
                return new SchemaScript(version, name, Read(assembly, n));
            })
            .OrderBy(s => s.Version)
            .ToList();
    }

    public async Task<MigrationResult> MigrateAsync(CancellationToken ct = default)
    {
        var dialect = database.Dialect;
        var scripts = ScriptsFor(dialect);
        var bootstrap = scripts.Single(s => s.Name.StartsWith(BootstrapVersion, StringComparison.Ordinal));
        var versioned = scripts.Where(s => s != bootstrap).ToList();

        await using var connection = await database.OpenAsync(ct);
        await ExecuteScriptAsync(connection, null, bootstrap, ct);

        var applied = new List<SchemaScript>();
        foreach (var script in versioned)
        {
            await using var transaction = await connection.BeginTransactionAsync(ct);
            await dialect.LockForMigrationAsync(connection, transaction, ct);
            var recorded = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
                "SELECT checksum_sha256 FROM schema_version WHERE version = @Version", new { script.Version }, transaction, cancellationToken: ct));
            if (recorded is not null)
            {
                if (!string.Equals(recorded, script.Checksum, StringComparison.OrdinalIgnoreCase))
                {
                    throw new SchemaMismatchException(
                        $"Schema script {dialect.ScriptFolder}/{script.Name} has changed since it was applied to {database.Describe()}. " +
                        "Applied scripts must never change: add a new script instead.");
                }
                await transaction.RollbackAsync(ct);
                continue;
            }
            logger.LogInformation("Applying schema script {Script} to {Database}", $"{dialect.ScriptFolder}/{script.Name}", database.Describe());
            await ExecuteScriptAsync(connection, transaction, script, ct);
            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO schema_version (version, script_name, checksum_sha256, applied_at_utc) VALUES (@Version, @Name, @Checksum, @AppliedAtUtc)",
                new { script.Version, script.Name, script.Checksum, AppliedAtUtc = dialect.Timestamp(Loading.Clock.UtcNow()) },
                transaction, cancellationToken: ct));
            await transaction.CommitAsync(ct);
            applied.Add(script);
        }

        var newest = await connection.ExecuteScalarAsync<int?>(new CommandDefinition("SELECT MAX(version) FROM schema_version", cancellationToken: ct)) ?? 0;
        var known = versioned.Count == 0 ? 0 : versioned[^1].Version;
        if (newest > known)
        {
            throw new SchemaMismatchException(
                $"{database.Describe()} has schema version {newest}, newer than this program knows ({known}). Upgrade nacka-insights.");
        }
        return new MigrationResult(applied, newest);
    }

    /// <summary>The schema version recorded in the database, or null when it has never been migrated.</summary>
    public async Task<int?> CurrentVersionAsync(CancellationToken ct = default)
    {
        await using var connection = await database.OpenAsync(ct);
        try
        {
            return await connection.ExecuteScalarAsync<int?>(new CommandDefinition("SELECT MAX(version) FROM schema_version", cancellationToken: ct));
        }
        catch (DbException)
        {
            return null;
        }
    }

    private async Task ExecuteScriptAsync(DbConnection connection, DbTransaction? transaction, SchemaScript script, CancellationToken ct)
    {
        foreach (var batch in database.Dialect.SplitBatches(script.Sql))
        {
            await connection.ExecuteAsync(new CommandDefinition(batch, transaction: transaction, commandTimeout: database.CommandTimeoutSeconds, cancellationToken: ct));
        }
    }

    private static string Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}

/// <summary>The database's schema does not match the scripts of this program.</summary>
public sealed class SchemaMismatchException(string message) : Exception(message);
