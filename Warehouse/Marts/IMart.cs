namespace NackaInsights.Warehouse.Marts;

/// <summary>
/// One build of the dimensional model, in the manner of a dbt model: it declares the tables it reads and the tables it
/// writes, states its grain, and rebuilds its rows whole or for some initiatives. <see cref="MartGraph"/> orders the
/// marts from those declarations. A new mart is one class, its SQL (its tables in the migrations, its view in
/// <c>sql/views</c>) and its tests.
/// </summary>
public interface IMart
{
    /// <summary>A short name, for logs and the architecture page.</summary>
    string Name { get; }

    /// <summary>One line: what one row of what it writes is.</summary>
    string Grain { get; }

    /// <summary>The tables its rows are made from, its own included where it compares with what is stored.</summary>
    IReadOnlyList<string> Reads { get; }

    /// <summary>The tables it writes. No two marts write one table.</summary>
    IReadOnlyList<string> Writes { get; }

    /// <summary>
    /// Whether it can rebuild the rows of some initiatives alone (<see cref="MartScope.Initiatives"/>); a mart that cannot is
    /// always rebuilt whole, and what it writes counts as written for every initiative.
    /// </summary>
    bool ByInitiative { get; }

    /// <summary>Rebuilds its rows: all of them, or those of the initiatives of <paramref name="scope"/>.</summary>
    Task BuildAsync(MartContext context, MartScope scope, CancellationToken ct);
}

/// <summary>What a mart rebuilds: every row, or the rows of some initiatives.</summary>
public sealed record MartScope
{
    private MartScope(IReadOnlyCollection<string>? initiatives) => Initiatives = initiatives;

    public static MartScope Whole { get; } = new((IReadOnlyCollection<string>?)null);

    /// <summary>The initiatives whose rows are rebuilt; null for every row.</summary>
    public IReadOnlyCollection<string>? Initiatives { get; }

    public bool IsWhole => Initiatives is null;

    public static MartScope Of(IEnumerable<string> initiatives) => new(initiatives.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList());

    /// <summary>The scope that takes both in: whole when either is.</summary>
    public MartScope With(MartScope other) =>
        IsWhole || other.IsWhole ? Whole : Of(Initiatives!.Concat(other.Initiatives!));

    public override string ToString() => IsWhole ? "whole" : $"{Initiatives!.Count} initiative(s)";
}
