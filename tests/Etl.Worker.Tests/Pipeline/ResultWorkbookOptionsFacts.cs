using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using NackaInsights.Etl.Hosting;
using NackaInsights.Etl.Pipeline;
using NackaInsights.TestSupport;

namespace NackaInsights.Etl.Tests.Pipeline;

/// <summary>Which uploads get a result workbook: the setting <c>ResultWorkbookOptions:When</c>, bound and checked at start.</summary>
public sealed class ResultWorkbookOptionsFacts : IDisposable
{
    private readonly TempDirectory _dir = new("nacka-results-setting");

    public void Dispose() => _dir.Dispose();

    [Theory]
    // Always: every processed upload, as actuals-workbook.md promises.
    [InlineData(ResultWorkbookPolicy.Always, false, false, true)]
    [InlineData(ResultWorkbookPolicy.Always, true, false, true)]
    // WithProblems: only rejected, partly loaded or noted uploads, wherever they lie.
    [InlineData(ResultWorkbookPolicy.WithProblems, false, false, false)]
    [InlineData(ResultWorkbookPolicy.WithProblems, false, true, true)]
    [InlineData(ResultWorkbookPolicy.WithProblems, true, true, true)]
    // Auto: where the status column says Inläst, a clean upload needs no workbook; elsewhere the workbook is the only feedback.
    [InlineData(ResultWorkbookPolicy.Auto, true, false, false)]
    [InlineData(ResultWorkbookPolicy.Auto, true, true, true)]
    [InlineData(ResultWorkbookPolicy.Auto, false, false, true)]
    [InlineData(ResultWorkbookPolicy.Auto, false, true, true)]
    public void AnUploadGetsAWorkbook_AsTheSettingSays(ResultWorkbookPolicy when, bool statusColumns, bool hasProblems, bool writes) =>
        Assert.Equal(writes, new ResultWorkbookOptions { When = when }.Writes(statusColumns, hasProblems));

    [Fact]
    public void TheDefaultIsAuto_AndTheHostBindsAnother()
    {
        using var byDefault = Build();
        using var configured = Build(("ResultWorkbookOptions:When", "WithProblems"));

        Assert.Equal(ResultWorkbookPolicy.Auto, byDefault.Services.GetRequiredService<ResultWorkbookOptions>().When);
        Assert.Equal(ResultWorkbookPolicy.WithProblems, configured.Services.GetRequiredService<ResultWorkbookOptions>().When);
        Assert.NotNull(configured.Services.GetRequiredService<RefreshPipeline>());
    }

    [Fact]
    public async Task AWrongValueStopsTheStart_NamingTheSetting()
    {
        using var unknownName = Build(("ResultWorkbookOptions:When", "Ibland"));
        using var unknownNumber = Build(("ResultWorkbookOptions:When", "7"));

        var byBinding = await Assert.ThrowsAnyAsync<InvalidOperationException>(() => unknownName.StartAsync(TestContext.Current.CancellationToken));
        var byCheck = await Assert.ThrowsAsync<OptionsValidationException>(() => unknownNumber.StartAsync(TestContext.Current.CancellationToken));

        Assert.Contains("ResultWorkbookOptions:When", byBinding.Message, StringComparison.Ordinal);
        Assert.Contains(byCheck.Failures, f => f.Contains("ResultWorkbookOptions:When", StringComparison.Ordinal));
    }

    private IHost Build(params (string Key, string? Value)[] settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], ContentRootPath = _dir.Path });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["WarehouseOptions:Provider"] = "Sqlite",
            ["WarehouseOptions:ConnectionString"] = $"Data Source={Path.Combine(_dir.Path, "w.db")}",
        });
        builder.Configuration.AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)));
        builder.AddNackaInsights();
        return builder.Build();
    }
}
