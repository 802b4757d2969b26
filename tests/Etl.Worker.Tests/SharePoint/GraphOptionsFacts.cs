using Azure.Identity;
using Microsoft.Extensions.Configuration;
using NackaInsights.Etl.Readers.Lists;
using NackaInsights.Etl.SharePoint;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Loading;

namespace NackaInsights.Etl.Tests.SharePoint;

public sealed class GraphOptionsFacts
{
    [Fact]
    public void WithoutATenantNothingIsRequired()
    {
        var options = new GraphOptions();

        Assert.False(options.Enabled);
        Assert.Empty(options.Validate());
        Assert.Equal("https://graph.microsoft.com/v1.0", options.BaseUrl);
        Assert.Equal(5, options.MaxRetries);
        Assert.All(ListNames.All, name => Assert.Equal(name, options.SharePointList(name)));
        Assert.All(ListNames.All, name => Assert.All(ListFields.Of(name), f => Assert.Equal(f.Name, options.ListOptions(name).ColumnOf(f.Name))));
    }

    [Fact]
    public void ACompleteClientSecretConfigurationHasNoProblems()
    {
        Assert.Empty(Valid().Validate());
    }

    [Fact]
    public void AClientSecretConfigurationNamesEachMissingSetting()
    {
        var problems = Valid(o =>
        {
            o.TenantId = null;
            o.ClientId = " ";
            o.ClientSecret = null;
        }).Validate();

        Assert.Equal(
            [
                "GraphOptions:TenantId is required when Authentication is ClientSecret",
                "GraphOptions:ClientId is required when Authentication is ClientSecret",
                "GraphOptions:ClientSecret is required when Authentication is ClientSecret",
            ],
            problems);
    }

    [Fact]
    public void ACertificateIsNamedByAFileOrAThumbprintButNotBoth()
    {
        static GraphOptions Certificate(Action<GraphOptions> change) => Valid(o =>
        {
            o.Authentication = GraphAuthentication.Certificate;
            o.ClientSecret = null;
            change(o);
        });
        using var folder = new TempDirectory();
        var pfx = folder.File("graph.pfx");
        File.WriteAllBytes(pfx, [1, 2, 3]);

        Assert.Equal(
            ["GraphOptions:CertificatePath or GraphOptions:CertificateThumbprint (one of them) is required when Authentication is Certificate"],
            Certificate(_ => { }).Validate());
        Assert.Equal(
            ["GraphOptions:CertificatePath or GraphOptions:CertificateThumbprint (one of them) is required when Authentication is Certificate"],
            Certificate(o => (o.CertificatePath, o.CertificateThumbprint) = (pfx, "AB12")).Validate());
        Assert.Equal(
            [$"GraphOptions:CertificatePath names a file that does not exist: {folder.File("missing.pfx")}"],
            Certificate(o => o.CertificatePath = folder.File("missing.pfx")).Validate());
        Assert.Empty(Certificate(o => o.CertificatePath = pfx).Validate());
        Assert.Empty(Certificate(o => o.CertificateThumbprint = "AB12CD34").Validate());
    }

    [Fact]
    public void AManagedIdentityNeedsNoTenantClientOrSecret()
    {
        var options = Valid(o =>
        {
            o.Authentication = GraphAuthentication.ManagedIdentity;
            o.TenantId = o.ClientId = o.ClientSecret = null;
        });

        Assert.Empty(options.Validate());
    }

    [Fact]
    public void TheSiteIsNamedByItsIdOrByHostnameAndPathAndOnlyOnce()
    {
        Assert.Equal(
            ["GraphOptions:SiteId, or GraphOptions:SiteHostname together with GraphOptions:SitePath, is required to name the SharePoint site"],
            Valid(o => o.SiteId = null).Validate());
        Assert.Equal(
            ["GraphOptions:SiteId, or GraphOptions:SiteHostname together with GraphOptions:SitePath, is required to name the SharePoint site"],
            Valid(o => (o.SiteId, o.SiteHostname) = (null, "nacka.sharepoint.com")).Validate());
        Assert.Equal(
            ["GraphOptions:SiteId and GraphOptions:SiteHostname/SitePath name the site twice; give one or the other"],
            Valid(o => (o.SiteHostname, o.SitePath) = ("nacka.sharepoint.com", "/sites/digitalisering")).Validate());
        Assert.Equal(
            ["GraphOptions:SiteHostname must be a host name such as nacka.sharepoint.com, not \"https://nacka.sharepoint.com/\""],
            Valid(o => (o.SiteId, o.SiteHostname, o.SitePath) = (null, "https://nacka.sharepoint.com/", "/sites/digitalisering")).Validate());
        Assert.Empty(Valid(o => (o.SiteId, o.SiteHostname, o.SitePath) = (null, "nacka.sharepoint.com", "/sites/digitalisering")).Validate());
    }

    [Theory]
    [InlineData("graph.microsoft.com/v1.0", "GraphOptions:BaseUrl must be an absolute https URL such as https://graph.microsoft.com/v1.0, not \"graph.microsoft.com/v1.0\"")]
    [InlineData("ftp://graph.microsoft.com/v1.0", "GraphOptions:BaseUrl must be an absolute https URL such as https://graph.microsoft.com/v1.0, not \"ftp://graph.microsoft.com/v1.0\"")]
    [InlineData("http://graph.microsoft.com/v1.0", "GraphOptions:BaseUrl must use https (plain http is only for a local test server), not \"http://graph.microsoft.com/v1.0\"")]
    [InlineData("http://127.0.0.2:5000/v1.0", "GraphOptions:BaseUrl must use https (plain http is only for a local test server), not \"http://127.0.0.2:5000/v1.0\"")]
    [InlineData("", "GraphOptions:BaseUrl is required")]
    public void TheBaseUrlIsHttpsExceptOnThisMachine(string baseUrl, string problem)
    {
        Assert.Equal([problem], Valid(o => o.BaseUrl = baseUrl).Validate());
    }

    [Theory]
    [InlineData("https://graph.microsoft.us/v1.0")]
    [InlineData("http://127.0.0.1:5000/v1.0")]
    [InlineData("http://localhost:5000/v1.0/")]
    [InlineData("http://[::1]:5000/v1.0")]
    public void AnotherCloudOrALocalServerIsAValidBaseUrl(string baseUrl)
    {
        Assert.Empty(Valid(o => o.BaseUrl = baseUrl).Validate());
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(11)]
    public void RetriesAreBoundedByWhatGraphsRetryHandlerAllows(int maxRetries)
    {
        Assert.Equal(["GraphOptions:MaxRetries must be between 0 and 10"], Valid(o => o.MaxRetries = maxRetries).Validate());
    }

    [Fact]
    public void EveryListMapsToASharePointListAndNoUnknownListIsConfigured()
    {
        var problems = Valid(o =>
        {
            o.Lists[ListNames.Assessments] = " ";
            o.Lists["Budget"] = "Budget 2024";
        }).Validate();

        Assert.Equal(
            [
                "GraphOptions:Lists:Budget is not one of the lists read (Forvaltningsobjekt, Initiativ, Bedomningar, Projektstatus)",
                "GraphOptions:Lists:Bedomningar:List must name the SharePoint list (its title or id), or be left out for the list named Bedomningar",
            ],
            problems);
    }

    [Fact]
    public void ConfigurationOverridesOneListAndTheOthersKeepTheirNames()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["GraphOptions:Enabled"] = "true",
            ["GraphOptions:Authentication"] = "ManagedIdentity",
            ["GraphOptions:SiteHostname"] = "nacka.sharepoint.com",
            ["GraphOptions:SitePath"] = "/sites/digitalisering",
            ["GraphOptions:Lists:Initiativ"] = "Initiativregister",
        }).Build();

        var options = configuration.GetSection(GraphOptions.Section).Get<GraphOptions>()!;

        Assert.Empty(options.Validate());
        Assert.Equal(GraphAuthentication.ManagedIdentity, options.Authentication);
        Assert.Equal("Initiativregister", options.SharePointList(ListNames.Initiatives));
        Assert.Equal(ListNames.Assessments, options.SharePointList(ListNames.Assessments));
        Assert.Equal(ListNames.Objects, options.SharePointList(ListNames.Objects));
    }

    [Fact]
    public void ListsBindFromJsonInTheShortFormAndAsAnObjectWithColumnsAndChoices()
    {
        var json = """
            {
              "GraphOptions": {
                "Lists": {
                  "Bedomningar": "Bedömningar 2024",
                  "Initiativ": {
                    "List": "Initiativregister",
                    "Columns": { "Fas": "Status0", "AgareEpost": "Owner", "Verksamhet": "field_3", "Hypotes": "" },
                    "Choices": { "Fas": { "Pågående": "Projekt", "Ny": "Idé" } }
                  }
                }
              }
            }
            """;
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json))).Build();

        var options = configuration.GetSection(GraphOptions.Section).Get<GraphOptions>()!;

        Assert.False(options.Enabled);
        Assert.Empty(options.Validate());
        Assert.Equal("Bedömningar 2024", options.SharePointList(ListNames.Assessments));
        Assert.Equal("Poang", options.ListOptions(ListNames.Assessments).ColumnOf("Poang"));
        var initiatives = options.ListOptions("initiativ");
        Assert.Equal("Initiativregister", options.SharePointList(ListNames.Initiatives));
        // Configuration keys ignore case, so the mapping does too.
        Assert.Equal("Status0", initiatives.ColumnOf("fas"));
        Assert.Equal("Owner", initiatives.ColumnOf("AgareEpost"));
        Assert.Equal("field_3", initiatives.ColumnOf("Verksamhet"));
        Assert.Null(initiatives.ColumnOf("Hypotes"));
        Assert.Equal("InitiativId", initiatives.ColumnOf("InitiativId"));
        Assert.Equal("Projekt", initiatives.ChoiceOf("fas", "pågående"));
        Assert.Equal("Idé", initiatives.ChoiceOf("Fas", "Ny"));
        Assert.Null(initiatives.ChoiceOf("Fas", "Beredning"));
        Assert.Equal(ListNames.Objects, options.SharePointList(ListNames.Objects));
    }

    [Fact]
    public void TheMappingIsCheckedWithoutATenantNamingAnUnknownFieldAChoiceTheContractLacksAndAColumnGivenTwice()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["GraphOptions:Enabled"] = "false",
            ["GraphOptions:Lists:Initiativ:Columns:Agare"] = "Owner",
            ["GraphOptions:Lists:Initiativ:Columns:Verksamhet"] = "field_3",
            ["GraphOptions:Lists:Initiativ:Columns:Title"] = "field_3",
            ["GraphOptions:Lists:Initiativ:Choices:Fas:Pågående"] = "Genomförande",
            ["GraphOptions:Lists:Initiativ:Choices:Fas:Ny"] = "Idé",
            ["GraphOptions:Lists:Projektstatus:Columns:InitiativId"] = "",
        }).Build();

        var problems = configuration.GetSection(GraphOptions.Section).Get<GraphOptions>()!.Validate();

        Assert.Equal(4, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("GraphOptions:Lists:Initiativ:Columns:Agare is not a field of the list Initiativ (", StringComparison.Ordinal) && p.Contains("AgareEpost", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("GraphOptions:Lists:Initiativ:Columns reads the column field_3 for ", StringComparison.Ordinal) && p.Contains("Title", StringComparison.Ordinal) && p.Contains("Verksamhet", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("GraphOptions:Lists:Initiativ:Choices:Fas:Pågående must be one of Idé, Beredning, Beslutad, Projekt", StringComparison.Ordinal) && p.EndsWith("not \"Genomförande\"", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("GraphOptions:Lists:Projektstatus:Columns:InitiativId is empty", StringComparison.Ordinal));
    }

    [Fact]
    public void EachKindHasADefaultLibraryWholeAndNoFolder()
    {
        var options = Valid();

        Assert.Equal("Nyttokalkyler", options.LibraryFor(SourceKind.BusinessCase).Library.Library);
        Assert.Equal("GraphOptions:BusinessCaseLibrary", options.LibraryFor(SourceKind.BusinessCase).Setting);
        Assert.Equal("Nyttouppföljning", options.LibraryFor(SourceKind.Actuals).Library.Library);
        Assert.Equal("GraphOptions:ActualsLibrary", options.LibraryFor(SourceKind.Actuals).Setting);
        Assert.All([options.BusinessCaseLibrary, options.ActualsLibrary], l =>
        {
            Assert.True(l.IsEnabled);
            Assert.Equal(string.Empty, l.NormalizedFolder);
        });
        // The survey's library is off until it is named.
        Assert.Equal("GraphOptions:SurveyLibrary", options.LibraryFor(SourceKind.Index).Setting);
        Assert.False(options.LibraryFor(SourceKind.Index).Library.IsEnabled);
        Assert.Throws<ArgumentException>(() => options.LibraryFor(SourceKind.BusinessCase + "-x"));
    }

    [Theory]
    [InlineData("../Nyttokalkyler")]
    [InlineData("Inkommande/../..")]
    [InlineData("Inkommande//2025")]
    [InlineData("Inkommande\\2025")]
    [InlineData("Inkommande/2025:gammal")]
    [InlineData("Inkommande/.")]
    public void ALibraryFolderIsAPathOfPlainFolderNames(string folder)
    {
        var problems = Valid(o => o.ActualsLibrary.Folder = folder).Validate();

        Assert.Equal(
            [$"GraphOptions:ActualsLibrary:Folder must be a folder path inside the library such as \"Inkommande/2024\", each folder a plain name without \"..\", not \"{folder}\""],
            problems);
    }

    [Theory]
    [InlineData("Inkommande", "Inkommande")]
    [InlineData(" /Inkommande/2025/ ", "Inkommande/2025")]
    [InlineData("", "")]
    [InlineData(null, "")]
    public void AGoodLibraryFolderIsNormalized(string? folder, string normalized)
    {
        var options = Valid(o => o.BusinessCaseLibrary.Folder = folder);

        Assert.Empty(options.Validate());
        Assert.Equal(normalized, options.BusinessCaseLibrary.NormalizedFolder);
    }

    [Fact]
    public void ALibraryIsNamedNotGivenAsAPath()
    {
        var problems = Valid(o => o.BusinessCaseLibrary.Library = "Delade dokument/Nyttokalkyler").Validate();

        Assert.Equal(
            ["GraphOptions:BusinessCaseLibrary:Library must be the library's name as SharePoint shows it, or its drive id, not a path: \"Delade dokument/Nyttokalkyler\""],
            problems);
    }

    [Fact]
    public void BothKindsMayShareALibraryButNotAFolder()
    {
        Assert.Empty(Valid(o =>
        {
            o.BusinessCaseLibrary = new GraphLibraryOptions { Library = "Nytta", Folder = "Kalkyler" };
            o.ActualsLibrary = new GraphLibraryOptions { Library = "nytta", Folder = "Uppföljning" };
        }).Validate());

        Assert.Equal(
            ["GraphOptions:BusinessCaseLibrary and GraphOptions:ActualsLibrary share the folder \"nytta/Kalkyler\"; each kind of file needs a folder of its own, or one would be read as the other"],
            Valid(o =>
            {
                o.BusinessCaseLibrary = new GraphLibraryOptions { Library = "Nytta", Folder = "Kalkyler/2025" };
                o.ActualsLibrary = new GraphLibraryOptions { Library = "nytta", Folder = "Kalkyler" };
            }).Validate());
        Assert.Single(Valid(o => o.ActualsLibrary.Library = o.BusinessCaseLibrary.Library).Validate());
    }

    [Fact]
    public void ConfigurationTurnsOffALibraryWithAnEmptyNameAndSetsAFolder()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["GraphOptions:Enabled"] = "true",
            ["GraphOptions:Authentication"] = "ManagedIdentity",
            ["GraphOptions:SiteId"] = "nacka.sharepoint.com,1,2",
            ["GraphOptions:BusinessCaseLibrary:Library"] = "",
            ["GraphOptions:ActualsLibrary:Folder"] = "Inkommande/2025",
        }).Build();

        var options = configuration.GetSection(GraphOptions.Section).Get<GraphOptions>()!;

        Assert.Empty(options.Validate());
        Assert.False(options.BusinessCaseLibrary.IsEnabled);
        Assert.True(options.ActualsLibrary.IsEnabled);
        Assert.Equal("Nyttouppföljning", options.ActualsLibrary.Library);
        Assert.Equal("Inkommande/2025", options.ActualsLibrary.NormalizedFolder);
    }

    [Fact]
    public void CredentialsAreMadeAsTheAuthenticationSettingSays()
    {
        Assert.IsType<ClientSecretCredential>(GraphCredentials.Create(Valid()));
        Assert.IsType<ManagedIdentityCredential>(GraphCredentials.Create(Valid(o => o.Authentication = GraphAuthentication.ManagedIdentity)));
        var e = Assert.Throws<InvalidOperationException>(() => GraphCredentials.Create(Valid(o => o.ClientSecret = null)));
        Assert.Equal("GraphOptions:ClientSecret is required when Authentication is ClientSecret", e.Message);
    }

    private static GraphOptions Valid(Action<GraphOptions>? change = null)
    {
        var options = new GraphOptions
        {
            Enabled = true,
            TenantId = "00000000-0000-0000-0000-000000000001",
            ClientId = "00000000-0000-0000-0000-000000000002",
            ClientSecret = "hemligt",
            SiteId = "nacka.sharepoint.com,6a1f0c2e-7d4b-4f57-9a52-0f3c2d1e8b71,b7d2e5a9-3c14-4e8f-a6d0-5e9f1b2c3d4e",
        };
        change?.Invoke(options);
        return options;
    }
}
