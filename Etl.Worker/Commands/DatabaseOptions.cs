using System.CommandLine;
using NackaInsights.Warehouse.Storage;

namespace NackaInsights.Etl.Commands;

/// <summary>The options that choose the warehouse: <c>--db PATH</c>, or <c>--provider</c> with <c>--connection</c>.</summary>
internal sealed class DatabaseOptions
{
    public Option<string?> Db { get; } = new("--db") { Description = "The SQLite warehouse file (the embedded default)." };

    public Option<string?> Provider { get; } = new("--provider") { Description = "The warehouse database: sqlite, postgres or sqlserver." };

    public Option<string?> Connection { get; } = new("--connection") { Description = "The ADO.NET connection string of the warehouse database." };

    public void AddTo(Command command)
    {
        command.Options.Add(Db);
        command.Options.Add(Provider);
        command.Options.Add(Connection);
    }

    /// <summary>Configuration overrides from the options; empty when the configuration decides.</summary>
    public Dictionary<string, string?> Overrides(ParseResult parse)
    {
        var db = parse.GetValue(Db);
        var providerText = parse.GetValue(Provider);
        var connection = parse.GetValue(Connection);
        var overrides = new Dictionary<string, string?>();
        const string section = nameof(WarehouseOptions);
        if (db is not null)
        {
            if (connection is not null || (providerText is not null && !providerText.Equals("sqlite", StringComparison.OrdinalIgnoreCase)))
            {
                throw new UsageException("Give either --db PATH (an SQLite file) or --provider with --connection, not both.");
            }
            overrides[$"{section}:{nameof(WarehouseOptions.Provider)}"] = nameof(WarehouseProvider.Sqlite);
            overrides[$"{section}:{nameof(WarehouseOptions.ConnectionString)}"] = $"Data Source={db}";
            return overrides;
        }
        if (providerText is not null)
        {
            if (!WarehouseOptions.TryParseProvider(providerText, out var provider))
            {
                throw new UsageException($"Unknown --provider '{providerText}': use sqlite, postgres or sqlserver.");
            }
            if (connection is null && provider != WarehouseProvider.Sqlite)
            {
                throw new UsageException($"--provider {providerText} needs --connection with the database's connection string.");
            }
            overrides[$"{section}:{nameof(WarehouseOptions.Provider)}"] = provider.ToString();
        }
        if (connection is not null)
        {
            overrides[$"{section}:{nameof(WarehouseOptions.ConnectionString)}"] = connection;
        }
        return overrides;
    }
}
