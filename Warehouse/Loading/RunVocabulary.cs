namespace NackaInsights.Warehouse.Loading;

/// <summary>The statuses of <c>pbi_etl_run</c>, as leadership and controllers read them.</summary>
public static class RunStatus
{
    public const string Running = "Pågår";
    public const string Succeeded = "Lyckad";
    public const string Failed = "Misslyckad";

    public static readonly IReadOnlyList<string> All = [Running, Succeeded, Failed];
}

/// <summary>The statuses of <c>pbi_etl_file</c>.</summary>
public static class FileStatus
{
    public const string Loaded = "Inläst";
    public const string PartlyLoaded = "Delvis inläst";
    public const string Rejected = "Avvisad";
    public const string Unchanged = "Oförändrad";

    public static readonly IReadOnlyList<string> All = [Loaded, PartlyLoaded, Rejected, Unchanged];
}

/// <summary>The kinds of source file of <c>pbi_etl_file</c>.</summary>
public static class SourceKind
{
    public const string BusinessCase = "business-case";
    public const string Actuals = "actuals";
    public const string Index = "index";

    public static readonly IReadOnlyList<string> All = [BusinessCase, Actuals, Index];
}

/// <summary>A source file as found, before it is read.</summary>
/// <param name="Name">The name that identifies it across runs: its path below the source folder, with '/'.</param>
public sealed record SourceFile(string Kind, string Name, string Sha256, long SizeBytes, DateTime? ModifiedUtc)
{
    /// <summary>Who uploaded or last changed it, when the source knows (a document library does).</summary>
    public string? AuthorEmail { get; init; }

    /// <summary>Where a person can open it, when the source has such an address.</summary>
    public string? SourceUrl { get; init; }
}
