using NackaInsights.Warehouse.Quality;

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

    /// <summary>
    /// Whether what it writes in a build for some initiatives are rows of those initiatives alone (its tables have an
    /// <c>initiative_id</c>), so that the marts after it are due for them only; otherwise what it writes counts as written
    /// for every initiative, as the digitaliseringsindex's rows of units do although it builds by initiative.
    /// </summary>
    bool WritesByInitiative => ByInitiative;

    /// <summary>Rebuilds its rows: all of them, or those of the initiatives of <paramref name="scope"/>.</summary>
    Task BuildAsync(MartContext context, MartScope scope, CancellationToken ct);

    /// <summary>
    /// Whether it is built only when a run asks for it (the daily snapshot), never because what it reads was written:
    /// it still has its place in the order, after what it reads.
    /// </summary>
    bool OnRequest => false;

    /// <summary>
    /// Whether it is due whole although nothing it reads was written: what it stored was made with another configuration
    /// (a discount rate, the index's weights, the unit access in configuration), or it was never built. Asked once a run,
    /// when its turn comes; a mart whose rows depend on its inputs alone keeps the default.
    /// </summary>
    Task<bool> IsDueAsync(MartContext context, CancellationToken ct) => Task.FromResult(false);
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

    /// <summary>The rows a write to a table a mart reads can change: those of the initiatives written, when the write names them.</summary>
    public static MartScope Of(TableWriteInfo write) =>
        write.KeysOf(TableWrites.InitiativeColumn) is { } keys ? Of(keys.Cast<string>()) : Whole;

    /// <summary>The scope that takes both in: whole when either is.</summary>
    public MartScope With(MartScope other) =>
        IsWhole || other.IsWhole ? Whole : Of(Initiatives!.Concat(other.Initiatives!));

    public override string ToString() => IsWhole ? "whole" : $"{Initiatives!.Count} initiative(s)";
}

/// <summary>
/// A read of only which keys a table holds, declared as <c>table(key)</c> in <see cref="IMart.Reads"/>: the evaluations need
/// to know which initiatives exist, not what the dimension says of them. The mart that writes the table records a change
/// of its keys (rows added or removed) under that name (<see cref="Runs.RunTransaction.RecordKeysChanged"/>), so that an
/// initiative's new phase does not make them due.
/// </summary>
public static class KeySet
{
    public static string Of(string table, string keyColumn = Quality.TableWrites.InitiativeColumn) => $"{table}({keyColumn})";

    /// <summary>The table a read names: itself, or the table of a key-set read.</summary>
    public static string TableOf(string read) => read.IndexOf('(', StringComparison.Ordinal) is var open and > 0 ? read[..open] : read;
}
