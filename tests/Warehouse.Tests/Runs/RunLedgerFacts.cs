using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Model;
using NackaInsights.Warehouse.Runs;

namespace NackaInsights.Warehouse.Tests.Runs;

/// <summary>The ids a run gives, and how a file's undone staging gives them back.</summary>
public sealed class RunLedgerFacts
{
    private static FileResult File(string name, int loaded) => new(SourceKind.BusinessCase, name, FileStatus.Loaded, loaded, 0, "", []);

    [Fact]
    public void Ids_FollowTheLargestPublished()
    {
        var ledger = new RunLedger(lastFileId: 41, lastProblemId: 7, lastVersionId: 0);

        Assert.Equal(42, ledger.TakeFileId());
        Assert.Equal(43, ledger.NextFileId);
        Assert.Equal(8, ledger.TakeProblemId());
        Assert.Equal(1, ledger.TakeVersionId());
    }

    [Fact]
    public void ForgettingAMark_GivesBackTheFilesAndIdsTakenSince_AndKeepsTheRest()
    {
        var ledger = new RunLedger(0, 0, 0);
        ledger.Add(File("a.xlsx", 3));
        ledger.TakeFileId();
        var mark = ledger.Marked();

        ledger.Add(File("b.xlsx", 5));
        ledger.TakeFileId();
        ledger.TakeProblemId();
        ledger.TakeVersionId();
        ledger.Forget(mark);

        Assert.Equal(["a.xlsx"], ledger.Files.Select(f => f.Name));
        Assert.Equal(3, ledger.RowsLoaded);
        Assert.Equal(2, ledger.TakeFileId());
        Assert.Equal(1, ledger.TakeProblemId());
        Assert.Equal(1, ledger.TakeVersionId());
    }
}
