using NackaInsights.Etl.PowerBi;

namespace NackaInsights.Etl.Tests.PowerBi;

/// <summary>The Power BI settings check themselves only when the refresh is on, naming each wrong setting.</summary>
public sealed class PowerBiOptionsFacts
{
    private static PowerBiOptions Usable() => new()
    {
        Enabled = true,
        TenantId = "tenant",
        ClientId = "client",
        ClientSecret = "secret",
        SemanticModels = [new PowerBiSemanticModel { WorkspaceId = Guid.NewGuid().ToString(), SemanticModelId = Guid.NewGuid().ToString() }],
    };

    [Fact]
    public void TheDefaults_AreOff_AndNeedNothing() => Assert.Empty(new PowerBiOptions().Validate());

    [Fact]
    public void UsableSettings_HaveNoProblems_AndDefaultToThePublicCloud()
    {
        var options = Usable();

        Assert.Empty(options.Validate());
        Assert.Equal("https://api.powerbi.com/v1.0/myorg", options.ApiBaseUrl);
        Assert.Equal("https://login.microsoftonline.com/", options.AuthorityHost);
        Assert.Equal("https://api.fabric.microsoft.com/v1", options.FabricBaseUrl);
    }

    [Fact]
    public void EachWrongSetting_IsNamed()
    {
        var options = Usable();
        options.TenantId = "";
        options.CertificateThumbprint = "AB12";
        options.AuthorityHost = "http://login.example";
        options.SemanticModels[0].SemanticModelId = "Uppföljning";
        options.PollInterval = TimeSpan.Zero;

        var problems = options.Validate();

        Assert.Contains("PowerBiOptions:TenantId is required when Enabled is true", problems);
        Assert.Contains(problems, p => p.Contains("exactly one of ClientSecret, CertificatePath and CertificateThumbprint", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("PowerBiOptions:AuthorityHost must be an absolute https URL", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("PowerBiOptions:SemanticModels:0:SemanticModelId", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("PowerBiOptions:PollInterval", StringComparison.Ordinal));
        Assert.Equal(5, problems.Count);
    }

    [Fact]
    public void NoSemanticModel_IsAProblem_WhenOn()
    {
        var options = Usable();
        options.SemanticModels.Clear();

        Assert.Contains(options.Validate(), p => p.StartsWith("PowerBiOptions:SemanticModels must name at least one", StringComparison.Ordinal));
    }
}
