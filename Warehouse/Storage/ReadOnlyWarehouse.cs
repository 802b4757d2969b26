using Microsoft.Data.Sqlite;

namespace NackaInsights.Warehouse.Storage;

/// <summary>
/// The warehouse as a reader that must never change it opens it (<c>status</c>, <c>report</c>): an SQLite file read-only,
/// so that it is never created, migrated or written; a server database as configured (its login decides).
/// </summary>
public static class ReadOnlyWarehouse
{
    /// <summary>SQLite's SQLITE_CANTOPEN.</summary>
    private const int SqliteCantOpen = 14;

    /// <summary>
    /// The database to read <paramref name="warehouse"/> through. In WAL mode even a read-only reader needs the -shm file
    /// beside the database, and cannot create it in a directory it may not write (sqlite.org/wal.html, "Read-Only
    /// Databases"): such a file is read as immutable, without locks, as it is on disk. A reader only shows what it reads;
    /// were a writer with more rights to change the file meanwhile, the worst is a read that fails or misses the newest run.
    /// A file that cannot be opened at all fails here, with SQLite's own exception.
    /// </summary>
    public static async Task<WarehouseDatabase> OpenAsync(WarehouseDatabase warehouse, CancellationToken ct)
    {
        var readOnly = Sqlite(warehouse, immutable: false);
        if (ReferenceEquals(readOnly, warehouse))
        {
            return warehouse;
        }
        try
        {
            await using var connection = await readOnly.OpenAsync(ct);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM sqlite_master";
            await command.ExecuteScalarAsync(ct);
            return readOnly;
        }
        catch (SqliteException e) when (e.SqliteErrorCode == SqliteCantOpen && File.Exists(SqliteFile(warehouse)))
        {
            return Sqlite(warehouse, immutable: true);
        }
    }

    private static string SqliteFile(WarehouseDatabase warehouse) =>
        Path.GetFullPath(new SqliteConnectionStringBuilder(warehouse.Options.ConnectionString).DataSource);

    /// <summary>An SQLite file's read-only (or immutable) twin; the warehouse itself for any other database, or an SQLite one in memory or named by URI.</summary>
    private static WarehouseDatabase Sqlite(WarehouseDatabase warehouse, bool immutable)
    {
        if (warehouse.Options.Provider != WarehouseProvider.Sqlite)
        {
            return warehouse;
        }
        var builder = new SqliteConnectionStringBuilder(warehouse.Options.ConnectionString);
        if (builder.DataSource is "" or ":memory:" || builder.Mode == SqliteOpenMode.Memory
            || builder.DataSource.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            return warehouse;
        }
        builder.Mode = SqliteOpenMode.ReadOnly;
        if (immutable)
        {
            // A URI file name carries SQLite's immutable parameter; Microsoft.Data.Sqlite opens "file:" names as URIs.
            builder.DataSource = new Uri(SqliteFile(warehouse)).AbsoluteUri + "?immutable=1";
        }
        return new WarehouseDatabase(new WarehouseOptions
        {
            Provider = WarehouseProvider.Sqlite,
            ConnectionString = builder.ToString(),
            CommandTimeoutSeconds = warehouse.Options.CommandTimeoutSeconds,
            RefreshLockTimeoutSeconds = warehouse.Options.RefreshLockTimeoutSeconds,
        });
    }
}
