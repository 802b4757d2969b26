using System.ComponentModel.DataAnnotations;

namespace NackaInsights.Warehouse.Storage;

public enum WarehouseProvider
{
    Sqlite,
    Postgres,
    SqlServer,
}

/// <summary>Where the warehouse lives. Bound from the configuration section <c>WarehouseOptions</c>.</summary>
public sealed class WarehouseOptions
{
    public const string DefaultSqliteFile = "nacka-insights.db";

    public WarehouseProvider Provider { get; set; } = WarehouseProvider.Sqlite;

    /// <summary>An ADO.NET connection string for the provider. For SQLite, <c>Data Source=FILE</c>.</summary>
    [Required]
    public string ConnectionString { get; set; } = $"Data Source={DefaultSqliteFile}";

    /// <summary>How long one statement may take; bulk loads of a large municipality take a while.</summary>
    [Range(1, 86_400)]
    public int CommandTimeoutSeconds { get; set; } = 600;

    /// <summary>How long a refresh waits for another one to finish before it gives up.</summary>
    [Range(0, 86_400)]
    public int RefreshLockTimeoutSeconds { get; set; } = 600;

    public static WarehouseOptions ForSqliteFile(string path) => new()
    {
        Provider = WarehouseProvider.Sqlite,
        ConnectionString = $"Data Source={path}",
    };

    /// <summary>Reads a provider name as the command line and configuration write it.</summary>
    public static bool TryParseProvider(string? text, out WarehouseProvider provider)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "sqlite":
                provider = WarehouseProvider.Sqlite;
                return true;
            case "postgres" or "postgresql" or "npgsql":
                provider = WarehouseProvider.Postgres;
                return true;
            case "sqlserver" or "mssql":
                provider = WarehouseProvider.SqlServer;
                return true;
            default:
                provider = default;
                return false;
        }
    }
}
