using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Model;
using NackaInsights.Warehouse.Quality;
using NackaInsights.Warehouse.Runs;

namespace NackaInsights.Warehouse.Tests.Runs;

/// <summary>The run's outcome as the Datakvalitet page shows it, in Swedish.</summary>
public sealed class RunSummaryFacts
{
    private static FileResult File(string status, int loaded, int rejected) => new(SourceKind.BusinessCase, $"{status}.xlsx", status, loaded, rejected, "", []);

    [Fact]
    public void ARunGivenNothing_SaysNoSourcesWereFound()
    {
        Assert.Equal("Inga källor hittades.", new RunSummary { ChecksAll = true }.ToString());
    }

    [Fact]
    public void FilesAndLists_AreCountedByOutcome_AndTheChecksRunAreSaidWhy()
    {
        var summary = new RunSummary
        {
            Files = [File(FileStatus.Loaded, 10, 0), File(FileStatus.Loaded, 5, 0), File(FileStatus.Rejected, 0, 3)],
            Lists = [new ListResult(RefreshRun.Lists.Initiatives, ListReadModes.Delta, 4, 2, 1, 1, "", [])],
            ChecksRun = 12,
            ChecksScoped = [new PlannedCheck(DataChecks.All.First(c => c.ScopeColumn == TableWrites.InitiativeColumn), new HashSet<object> { "DIG-1", "DIG-2" })],
        };

        Assert.Equal(
            "3 filer: 2 inlästa, 1 avvisad. 15 rader inlästa, 3 avvisade. 1 lista: 2 objekt nya eller ändrade, 1 borttagna, 1 avvisade. "
            + $"12 av {DataChecks.All.Count} datakontroller kördes: de som läser något som körningen skrev, 1 av dem bara över de rader som körningen skrev (2 initiativ).",
            summary.ToString());
    }

    [Fact]
    public void ASnapshotAndARecompute_AreSaid_AndARecomputeSaysNothingOfWhichChecksRan()
    {
        var summary = new RunSummary { SnapshotDate = new DateOnly(2024, 3, 1), SnapshotRows = 1, RecomputesAll = true, ChecksAll = true };

        Assert.Equal("Ögonblicksbild av projektstatus 2024-03-01: 1 initiativ. Alla beräknade fakta beräknades om från det inlästa.", summary.ToString());
    }
}
