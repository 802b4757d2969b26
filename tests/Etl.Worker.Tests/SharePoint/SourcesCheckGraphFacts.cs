using Microsoft.Extensions.Logging.Abstractions;
using NackaInsights.Etl.Commands;
using NackaInsights.Etl.Pipeline;
using NackaInsights.Etl.SharePoint;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Model;

namespace NackaInsights.Etl.Tests.SharePoint;

/// <summary>
/// <c>sources check</c> against a fake Graph site that looks like a municipality's: its own list title and columns, a
/// person and a lookup column, its own choice values, and two document libraries, one with the status columns.
/// </summary>
public sealed class SourcesCheckGraphFacts : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private FakeGraphServer _graph = null!;

    public async ValueTask InitializeAsync()
    {
        _graph = await FakeGraphServer.StartAsync(Ct);
        _graph.PutUser(7, "anna.berg@nacka.se", "Anna Berg");
        var objects = _graph.List("Forvaltningsobjekt").TextColumn("Title").TextColumn("ObjektId").TextColumn("ForvaltareEpost").TextColumn("Verksamhet")
            .Put("3", new { Title = "Ekonomisystem", ObjektId = "FO-1", ForvaltareEpost = "anna.berg@nacka.se", Verksamhet = "Ekonomi" });
        _graph.List("Initiativregister").TextColumn("Title").TextColumn("InitiativId").TextColumn("field_3", "Verksamhet")
            .ChoiceColumn("Status0", "Idé", "Pågår", "Pausad").PersonColumn("Owner").LookupColumn("Objekt", objects)
            .Put("1", new { Title = "Digital signering", InitiativId = "DIG-1", field_3 = "Ekonomi", Status0 = "Pågår", OwnerLookupId = "7", ObjektLookupId = "3" })
            .Put("2", new { Title = "Chattbot", InitiativId = "DIG-2", field_3 = "Ekonomi", Status0 = "Pausad", OwnerLookupId = "7" })
            .Put("3", new { Title = "E-arkiv", InitiativId = "DIG-3", field_3 = "Ekonomi", Status0 = "Idé", OwnerLookupId = "44" });
        _graph.List(ListNames.Assessments);
        _graph.List(ListNames.ProjectStatus);
        _graph.Drive(GraphOptions.DefaultBusinessCaseLibrary).WithStatusColumns();
        _graph.Drive(GraphOptions.DefaultActualsLibrary);
    }

    public async ValueTask DisposeAsync() => await _graph.DisposeAsync();

    private GraphOptions Options()
    {
        var options = FakeGraphOptions.For(_graph);
        options.Lists[ListNames.Initiatives] = new GraphListOptions
        {
            List = "Initiativregister",
            Columns = { ["Verksamhet"] = "field_3", ["Fas"] = "Status0", ["AgareEpost"] = "Owner", ["ForvaltningsobjektId"] = "Objekt" },
            Choices = { ["Fas"] = new() { ["Pågår"] = "Projekt" } },
        };
        return options;
    }

    private async Task<SourcesCheckReport> CheckAsync(GraphOptions options)
    {
        var credential = new FixedTokenCredential();
        using var lists = new GraphListSource(options, credential, NullLogger<GraphListSource>.Instance);
        using var businessCases = new GraphLibrarySource(options, SourceKind.BusinessCase, SourceFolder.WorkbookExtensions, credential, NullLogger<GraphLibrarySource>.Instance);
        using var actuals = new GraphLibrarySource(options, SourceKind.Actuals, SourceFolder.WorkbookExtensions, credential, NullLogger<GraphLibrarySource>.Instance);
        return await new SourcesCheck(options, new InputLimits(), TimeProvider.System)
            .CheckAsync(lists.ToString(), new RunSources([businessCases, actuals], lists), Ct);
    }

    [Fact]
    public async Task Check_ReadsTheSiteThroughTheMapping_AndNamesEachColumnsKind_TheUnknownValue_AndTheRejectedItems()
    {
        var report = await CheckAsync(Options());

        var initiatives = report.Lists.Single(l => l.ListName == ListNames.Initiatives);
        Assert.Equal("Initiativregister", initiatives.SharePointList);
        var kinds = initiatives.Fields.Where(f => f.Column is not null).ToDictionary(f => f.Field.Name, f => $"{f.Column} {f.Kind}");
        Assert.Equal("Owner person", kinds["AgareEpost"]);
        Assert.Equal("Objekt lookup", kinds["ForvaltningsobjektId"]);
        Assert.Equal("Status0 choice", kinds["Fas"]);
        Assert.Equal("field_3 text", kinds["Verksamhet"]);
        Assert.Equal([new UnknownChoiceValue("Fas", "Status0", "Pausad", 1)], initiatives.UnknownChoices);
        Assert.Equal(["2", "3"], initiatives.Examples.Select(e => e.ItemId));
        Assert.Contains(initiatives.Examples[1].Reasons, r => r.Contains("(kolumnen Owner)", StringComparison.Ordinal) && r.Contains("44", StringComparison.Ordinal));
        // The user information list was read, as a person column is mapped (the fake site has a few people of its own).
        Assert.True(initiatives.SiteUsers >= 1);
        Assert.Equal(ExitCodes.Rejections, SourcesCheckWriter.ExitCode(report));
    }

    [Fact]
    public async Task Check_SaysWhichLibraryGetsStatusesOnItsFiles()
    {
        var report = await CheckAsync(Options());

        Assert.Equal(
            [(SourceKind.BusinessCase, (bool?)true, (int?)0), (SourceKind.Actuals, false, 0)],
            report.Uploads.Select(u => (u.Kind, u.HasStatusColumns, u.Uploads)));
    }

    [Fact]
    public async Task Check_WritesNothingToTheSite()
    {
        await CheckAsync(Options());

        Assert.All(_graph.Requests, r => Assert.Equal("GET", r.Method));
    }

    [Fact]
    public async Task Check_ExitsThree_NamingTheList_WhenTheConfiguredTitleIsNotOnTheSite()
    {
        var options = Options();
        options.Lists[ListNames.Assessments] = "Bedömningar 2024";

        var report = await CheckAsync(options);

        var assessments = report.Lists.Single(l => l.ListName == ListNames.Assessments);
        Assert.Contains("Bedömningar 2024", assessments.Unreadable, StringComparison.Ordinal);
        Assert.Equal(0, report.Lists.Single(l => l.ListName == ListNames.Objects).ItemsRejected);
        Assert.Equal(ExitCodes.Failed, SourcesCheckWriter.ExitCode(report));
    }
}
