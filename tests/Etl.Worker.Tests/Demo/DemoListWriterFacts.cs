using System.Text.Json;
using NackaInsights.Etl.Demo;
using NackaInsights.Etl.Pipeline;
using NackaInsights.Etl.Readers.Lists;
using NackaInsights.Etl.SharePoint;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Model;

namespace NackaInsights.Etl.Tests.Demo;

/// <summary>The demo's list Initiativ in its two exports, read back as the offline reader reads them.</summary>
public sealed class DemoListWriterFacts : IDisposable
{
    private readonly TempDirectory _dir = new("nacka-demo-lists");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void EveryInitiativeItem_CarriesItsCreatedDateTime_TheSameInBothExports_AndNoLaterThanItsModification()
    {
        var february = Read(DemoListWriter.Snapshot.February);
        var june = Read(DemoListWriter.Snapshot.June);

        foreach (var item in february.Concat(june))
        {
            Assert.True(item.Created is not null && item.Created <= item.LastModified, $"item {item.Id}: created {item.Created}, modified {item.LastModified}");
        }
        foreach (var item in june)
        {
            Assert.Equal(february.Single(f => f.Id == item.Id).Created, item.Created);
        }
    }

    [Fact]
    public void TheFlowInitiatives_SkipPhases_GoBack_AndStandStill()
    {
        var february = Read(DemoListWriter.Snapshot.February).ToDictionary(PhaseKey);
        var june = Read(DemoListWriter.Snapshot.June).ToDictionary(PhaseKey);
        var paths = DemoListWriter.Flow.Select(f => (f.Id, From: Phase(february[f.Id]), To: Phase(june[f.Id]), Moved: february[f.Id].LastModified != june[f.Id].LastModified)).ToList();

        Assert.Contains(paths, p => p is { From: Phases.Idea, To: Phases.Project, Moved: true });
        Assert.Contains(paths, p => p is { From: Phases.Project, To: Phases.Preparation, Moved: true });
        var still = paths.Where(p => !p.Moved).ToList();
        Assert.Equal([Phases.Preparation, Phases.Decided], still.Select(p => p.To).Order(StringComparer.Ordinal));
        // Standing still for months: unchanged since well before the February export.
        Assert.All(still, p => Assert.True(february[p.Id].LastModified < new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(-1), p.Id));
    }

    [Fact]
    public async Task TheOwners_ReadThroughTheDemosPersonColumnMapping_AreTheBusinessCasesOwners()
    {
        DemoListWriter.Write(_dir.Path, DemoListWriter.Snapshot.June);
        var source = new OfflineListSource(Path.Combine(_dir.Path, SourceFolder.Lists));
        var options = new GraphListOptions();
        options.Columns["AgareEpost"] = DemoListWriter.OwnerColumn;
        var mapping = ListMapping.Create(ListNames.Initiatives, options, await source.ColumnsAsync(ListNames.Initiatives, TestContext.Current.CancellationToken));
        var context = new ListItemContext { Mapping = mapping, Users = await source.UsersAsync(TestContext.Current.CancellationToken) };
        var file = await source.OpenAsync(ListNames.Initiatives, TestContext.Current.CancellationToken);

        var owners = file.Items.Select(i => Assert.IsType<InitiativeItem>(ListItemParser.Parse(ListNames.Initiatives, i, DateTime.UtcNow, new InputLimits(), context).Item))
            .ToDictionary(i => i.InitiativeId, i => i.OwnerEmail);

        Assert.Empty(mapping.Problems);
        Assert.True(mapping["AgareEpost"].IsPerson);
        Assert.All(file.Items, i => Assert.False(i.Fields.TryGetProperty("AgareEpost", out _)));
        foreach (var initiative in DemoSourceWriter.Catalogue())
        {
            Assert.Equal(initiative.Draft.OwnerEmail, owners[initiative.Id]);
        }
        Assert.All(DemoListWriter.Flow, f => Assert.Equal("registrator.digitalisering@nacka.se", owners[f.Id]));
        Assert.Equal("idea.inbox@nacka.se", owners["DIG-2024-201"]);
    }

    private static string PhaseKey(ListItemData item) => item.Fields.GetProperty("InitiativId").GetString()!;

    private static string Phase(ListItemData item) => item.Fields.GetProperty("Fas").GetString()!;

    private List<ListItemData> Read(DemoListWriter.Snapshot snapshot)
    {
        DemoListWriter.Write(_dir.Path, snapshot);
        var json = File.ReadAllBytes(Path.Combine(_dir.Path, SourceFolder.Lists, ListNames.Initiatives + ".json"));
        return [.. ListJson.ParsePage(json).Items];
    }
}
