using System.Collections.Concurrent;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Loading;

namespace NackaInsights.Warehouse.Tests.Runs;

/// <summary>
/// What uploads are owed after their run (<c>etl_result_owed</c>, version 14): a workbook to write, remove or leave, and
/// a status, published or rolled back with the run; and the content tags of the uploads a run took in
/// (<c>etl_upload_content</c>). Against the schema the production scripts install, on each database.
/// </summary>
public abstract class OwedResultsFacts : WarehouseFacts
{
    private const string Source = "graph-library:actuals:Nyttouppföljning/";

    private static OwedResult Owed(string uploadId, string action, string? status, byte[]? workbook = null) =>
        new(Source, $"Nyttouppföljning/{uploadId}.xlsx", $"{uploadId}.xlsx", uploadId, workbook) { Action = action, Status = status, Message = status is null ? null : $"{status}." };

    /// <summary>One run that owes <paramref name="owed"/> and then completes, or fails; nothing is written by it.</summary>
    private async Task OweAsync(bool fail, params OwedResult[] owed)
    {
        await using var run = await Warehouse.Loader().StartRunAsync("test", null, ct: Ct);
        foreach (var o in owed)
        {
            await run.OweResultAsync(o, Ct);
        }
        await run.KeepUploadContentTagAsync(Source, owed[0].UploadId, "\"c:{1},1\"", Ct);
        if (fail)
        {
            await run.FailAsync(new InvalidOperationException("a failing check"));
        }
        else
        {
            Assert.True((await run.CompleteAsync(Ct)).Succeeded);
        }
    }

    /// <summary>A later run's writing of what is owed, each upload answered by <paramref name="outcome"/>; what it was handed.</summary>
    private async Task<List<OwedResult>> WriteAsync(Func<OwedResult, OwedOutcome> outcome)
    {
        var handed = new ConcurrentBag<OwedResult>();
        await using var run = await Warehouse.Loader().StartRunAsync("test", null, ct: Ct);
        run.KeepLockUntilDisposed();
        await run.CompleteAsync(Ct);
        await run.WriteOwedResultsAsync([Source], (o, _) =>
        {
            handed.Add(o);
            return Task.FromResult(outcome(o));
        }, 2, Ct);
        return [.. handed.OrderBy(o => o.UploadId, StringComparer.Ordinal)];
    }

    [Fact]
    public async Task WhatAFailedRunOwed_IsRolledBackWithIt_AndSoIsItsContentTag()
    {
        await OweAsync(fail: true, Owed("a", ResultAction.Leave, "Oförändrad"));

        Assert.Equal(0L, await ScalarAsync<long>("SELECT COUNT(*) FROM etl_result_owed"));
        Assert.Equal(0L, await ScalarAsync<long>("SELECT COUNT(*) FROM etl_upload_content"));
        Assert.Empty(await WriteAsync(_ => OwedOutcome.Done));
    }

    [Fact]
    public async Task EachActionAndStatus_IsHandedBackAsOwed_AndAWorkbookOnlyWhereOneIsWritten()
    {
        await OweAsync(false,
            Owed("a", ResultAction.Write, "Delvis inläst", [1, 2, 3]),
            Owed("b", ResultAction.Remove, "Inläst"),
            Owed("c", ResultAction.Leave, "Avvisad"),
            Owed("d", ResultAction.Write, null, [4]));

        Assert.Equal("\"c:{1},1\"", await ScalarAsync<string>("SELECT content_tag FROM etl_upload_content WHERE upload_id = 'a'"));
        var handed = await WriteAsync(_ => OwedOutcome.Done);

        Assert.Equal(
            [("a", ResultAction.Write, "Delvis inläst", 3), ("b", ResultAction.Remove, "Inläst", -1), ("c", ResultAction.Leave, "Avvisad", -1), ("d", ResultAction.Write, null, 1)],
            handed.Select(o => (o.UploadId, o.Action, o.Status, o.Workbook?.Length ?? -1)));
        Assert.Equal("Delvis inläst.", handed[0].Message);
        Assert.Equal(0L, await ScalarAsync<long>("SELECT COUNT(*) FROM etl_result_owed"));
    }

    [Fact]
    public async Task AnUnchangedUploadsLaterStatus_KeepsTheWorkbookAnEarlierRunStillOwesIt()
    {
        // The first run published and died before writing; the next found the upload unchanged.
        await OweAsync(false, Owed("a", ResultAction.Write, "Delvis inläst", [7, 7]));
        await OweAsync(false, Owed("a", ResultAction.Leave, "Oförändrad"));

        var handed = Assert.Single(await WriteAsync(_ => OwedOutcome.Done));

        Assert.Equal((ResultAction.Write, "Oförändrad"), (handed.Action, handed.Status));
        Assert.Equal([7, 7], handed.Workbook);
        Assert.Equal(0L, await ScalarAsync<long>("SELECT COUNT(*) FROM etl_result_owed"));
    }

    [Fact]
    public async Task AStatusThatCouldNotBeSet_StaysOwedAlone_AndTheWorkbookIsNotHandedBackAgain()
    {
        await OweAsync(false, Owed("a", ResultAction.Write, "Avvisad", [1]));

        await WriteAsync(_ => OwedOutcome.StatusFailed);

        Assert.Equal((ResultAction.Leave, "Avvisad", 1L), await QuerySingleAsync<(string, string, long)>("SELECT result_action, file_status, attempts FROM etl_result_owed"));
        var again = Assert.Single(await WriteAsync(_ => OwedOutcome.Done));
        Assert.Equal((ResultAction.Leave, "Avvisad"), (again.Action, again.Status));
        Assert.Null(again.Workbook);
        Assert.Equal(0L, await ScalarAsync<long>("SELECT COUNT(*) FROM etl_result_owed"));
    }

    [Fact]
    public async Task AWorkbookThatCouldNotBeWritten_StaysOwedWhole_UntilItsAttemptsAreUsedUp()
    {
        await OweAsync(false, Owed("a", ResultAction.Remove, "Inläst"));

        for (var attempt = 1; attempt < RefreshRun.OwedResultAttempts; attempt++)
        {
            var handed = Assert.Single(await WriteAsync(_ => OwedOutcome.Failed));
            Assert.Equal((ResultAction.Remove, "Inläst"), (handed.Action, handed.Status));
            Assert.Equal((ResultAction.Remove, (long)attempt), await QuerySingleAsync<(string, long)>("SELECT result_action, attempts FROM etl_result_owed"));
        }
        await WriteAsync(_ => OwedOutcome.Failed);

        Assert.Equal(0L, await ScalarAsync<long>("SELECT COUNT(*) FROM etl_result_owed"));
    }

    [Fact]
    public async Task ManyUploads_AreHandedTheirOwnWorkbooks_PageByPage_AndEachIsSettledByItsOwnOutcome()
    {
        // More than a page (16) of each outcome's uploads: the workbooks are read and the rows settled a page at a time.
        var ids = Enumerable.Range(1, 50).Select(i => $"u{i:00}").ToList();
        await OweAsync(false, [.. ids.Select((id, i) => Owed(id, ResultAction.Write, "Inläst", [(byte)i, (byte)(i * 3)]))]);

        var handed = await WriteAsync(o => (int.Parse(o.UploadId[1..], System.Globalization.CultureInfo.InvariantCulture) % 3) switch
        {
            0 => OwedOutcome.Failed,
            1 => OwedOutcome.StatusFailed,
            _ => OwedOutcome.Done,
        });

        Assert.Equal(ids, handed.Select(o => o.UploadId));
        Assert.All(handed, o => Assert.Equal(new byte[] { (byte)(ids.IndexOf(o.UploadId)), (byte)(ids.IndexOf(o.UploadId) * 3) }, o.Workbook));
        var left = await QueryAsync<(string, string, long)>("SELECT upload_id, result_action, attempts FROM etl_result_owed ORDER BY upload_id");
        Assert.Equal(
            ids.Where((_, i) => (i + 1) % 3 != 2).Select(id => (id, int.Parse(id[1..], System.Globalization.CultureInfo.InvariantCulture) % 3 == 0 ? ResultAction.Write : ResultAction.Leave, 1L)),
            left);
    }

    [Fact]
    public async Task ManyOwedAtOnce_AreRecordedInTheOrderGiven_OverSeveralStatements_EachWithItsOwnActionStatusAndWorkbook()
    {
        // More than one statement's rows (64), the same upload twice: its later row is the one whose status it gets.
        var owed = Enumerable.Range(1, 150).Select(i => i % 3 == 0
            ? Owed($"u{i:000}", ResultAction.Leave, null)
            : Owed($"u{i:000}", ResultAction.Write, $"s{i}", [(byte)i, (byte)(i / 2)])).ToList();
        owed.Add(Owed("u001", ResultAction.Leave, "Oförändrad"));
        await using (var run = await Warehouse.Loader().StartRunAsync("test", null, ct: Ct))
        {
            await run.OweResultsAsync(owed, Ct);
            await run.OweResultsAsync([], Ct);
            Assert.True((await run.CompleteAsync(Ct)).Succeeded);
        }

        var rows = await QueryAsync<(string, string, string?, long)>(
            "SELECT upload_id, result_action, file_status, attempts FROM etl_result_owed ORDER BY owed_id");
        Assert.Equal(owed.Select(o => (o.UploadId, o.Action, o.Status, 0L)), rows);
        var handed = await WriteAsync(_ => OwedOutcome.Done);
        Assert.Equal(150, handed.Count);
        Assert.Equal((ResultAction.Write, "Oförändrad"), (handed[0].Action, handed[0].Status));
        Assert.Equal([1, 0], handed[0].Workbook);
        Assert.All(handed.Skip(1), o => Assert.Equal(owed.First(w => w.UploadId == o.UploadId).Workbook, o.Workbook));
        Assert.Equal(0L, await ScalarAsync<long>("SELECT COUNT(*) FROM etl_result_owed"));
    }

    [Fact]
    public async Task AContentTag_IsKeptPerSourceAndUpload_TheLatestReplacingTheEarlier()
    {
        await using (var run = await Warehouse.Loader().StartRunAsync("test", null, ct: Ct))
        {
            await run.KeepUploadContentTagAsync(Source, "a", "\"c:{A},1\"", Ct);
            await run.KeepUploadContentTagAsync("graph-library:business-case:Nyttokalkyler/", "a", "\"c:{A},9\"", Ct);
            await run.KeepUploadContentTagAsync(Source, "a", "\"c:{A},2\"", Ct);
            Assert.True((await run.CompleteAsync(Ct)).Succeeded);
        }

        await using var next = await Warehouse.Loader().StartRunAsync("test", null, ct: Ct);
        var kept = await next.GetUploadContentTagsAsync(Source, Ct);

        Assert.Equal(new Dictionary<string, string> { ["a"] = "\"c:{A},2\"" }, kept);
        await next.CompleteAsync(Ct);
    }
}

public sealed class SqliteOwedResultsFacts : OwedResultsFacts
{
    protected override Task<TestWarehouse> CreateWarehouseAsync() => Task.FromResult<TestWarehouse>(new SqliteTestWarehouse());
}

public sealed class PostgresOwedResultsFacts(PostgresCluster cluster) : OwedResultsFacts
{
    protected override async Task<TestWarehouse> CreateWarehouseAsync() => await PostgresTestWarehouse.CreateAsync(cluster);
}
