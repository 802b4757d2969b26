using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Quality;

namespace NackaInsights.Warehouse.Runs;

/// <summary>
/// What a run did, in a sentence or two of Swedish, for <c>pbi_etl_run.message</c> (the Datakvalitet page): its files
/// and lists by outcome, its snapshot, whether it recomputed everything, and how many data checks it ran and why.
/// </summary>
public sealed class RunSummary
{
    public IReadOnlyList<FileResult> Files { get; init; } = [];

    public IReadOnlyList<ListResult> Lists { get; init; } = [];

    public DateOnly? SnapshotDate { get; init; }

    public int SnapshotRows { get; init; }

    public bool RecomputesAll { get; init; }

    /// <summary>Whether the run ran every data check (a recompute, the checks job).</summary>
    public bool ChecksAll { get; init; }

    public int ChecksRun { get; init; }

    /// <summary>The checks it ran over the rows it wrote only.</summary>
    public IReadOnlyList<PlannedCheck> ChecksScoped { get; init; } = [];

    /// <summary>The run's outcome in a sentence or two, in Swedish.</summary>
    public override string ToString()
    {
        var sentences = new List<string>();
        if (Files.Count > 0)
        {
            var parts = new (string Status, string Singular, string Plural)[]
                {
                    (FileStatus.Loaded, "inläst", "inlästa"),
                    (FileStatus.PartlyLoaded, "delvis inläst", "delvis inlästa"),
                    (FileStatus.Rejected, "avvisad", "avvisade"),
                    (FileStatus.Unchanged, "oförändrad", "oförändrade"),
                }
                .Select(p => (Count: Files.Count(f => f.Status == p.Status), p.Singular, p.Plural))
                .Where(p => p.Count > 0)
                .Select(p => $"{p.Count} {(p.Count == 1 ? p.Singular : p.Plural)}");
            var files = Files.Count == 1 ? "1 fil" : $"{Files.Count} filer";
            sentences.Add($"{files}: {string.Join(", ", parts)}. {Files.Sum(f => f.RowsLoaded)} rader inlästa, {Files.Sum(f => f.RowsRejected)} avvisade.");
        }
        if (Lists.Count > 0)
        {
            var lists = Lists.Count == 1 ? "1 lista" : $"{Lists.Count} listor";
            sentences.Add($"{lists}: {Lists.Sum(l => l.ItemsChanged)} objekt nya eller ändrade, {Lists.Sum(l => l.ItemsRemoved)} borttagna, {Lists.Sum(l => l.ItemsRejected)} avvisade.");
        }
        if (SnapshotDate is { } date)
        {
            sentences.Add($"Ögonblicksbild av projektstatus {date:yyyy-MM-dd}: {(SnapshotRows == 1 ? "1 initiativ" : $"{SnapshotRows} initiativ")}.");
        }
        if (RecomputesAll)
        {
            sentences.Add("Alla beräknade fakta beräknades om från det inlästa.");
        }
        if (!ChecksAll)
        {
            var initiatives = ChecksScoped.Where(c => c.Check.ScopeColumn == TableWrites.InitiativeColumn).SelectMany(c => c.Keys!).Distinct().Count();
            sentences.Add(ChecksRun == 0
                ? $"Ingen av de {DataChecks.All.Count} datakontrollerna läser något som körningen skrev; ingen kördes."
                : $"{ChecksRun} av {DataChecks.All.Count} datakontroller kördes: de som läser något som körningen skrev" +
                    (ChecksScoped.Count == 0 ? "." : $", {ChecksScoped.Count} av dem bara över de rader som körningen skrev" +
                        (initiatives == 0 ? "." : $" ({(initiatives == 1 ? "1 initiativ" : $"{initiatives} initiativ")}).")));
        }
        return sentences.Count == 0 ? "Inga källor hittades." : string.Join(" ", sentences);
    }
}
