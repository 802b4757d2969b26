namespace NackaInsights.Warehouse.Storage;

/// <summary>How a value is written; each database maps these onto its own types.</summary>
public enum ColumnType
{
    Int32,
    Int64,
    Text,

    /// <summary>An exact decimal: SEK, rates. <see cref="decimal"/>.</summary>
    Decimal,

    /// <summary>An unrounded ratio or score, stored as a double.</summary>
    Ratio,

    /// <summary>A calendar date, <see cref="DateOnly"/>.</summary>
    Date,

    /// <summary>A UTC timestamp, <see cref="DateTime"/>.</summary>
    TimestampUtc,

    /// <summary>A boolean stored as 0/1.</summary>
    Flag,
}

public sealed record BulkColumn(string Name, ColumnType Type);

/// <summary>A table that rows are bulk-loaded into, with the columns written, in order.</summary>
public sealed class BulkTable(string name, params BulkColumn[] columns)
{
    public string Name { get; } = name;

    public IReadOnlyList<BulkColumn> Columns { get; } = columns;

    public override string ToString() => Name;
}
