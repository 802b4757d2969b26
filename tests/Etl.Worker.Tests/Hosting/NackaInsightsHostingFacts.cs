using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using NackaInsights.Etl.Hosting;
using NackaInsights.Etl.Pipeline;
using NackaInsights.Etl.Readers;
using NackaInsights.Etl.SharePoint;
using NackaInsights.Etl.Xlsx;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Model;

namespace NackaInsights.Etl.Tests.Hosting;

/// <summary>What <see cref="NackaInsightsHostingExtensions.AddNackaInsights"/> registers, resolved from a real host.</summary>
public sealed class NackaInsightsHostingFacts : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void TheHostReadsEachKindOfUploadWithOneReaderInTheOrderOfARun()
    {
        using var host = Build();

        var readers = host.Services.GetServices<IUploadReader>().ToList();

        Assert.Equal([SourceKind.BusinessCase, SourceKind.Actuals, SourceKind.Index], readers.Select(r => r.Kind));
        Assert.Equal(readers.Select(r => r.Order).Order(), readers.Select(r => r.Order));
        // Only the actuals' results list what was read, so only theirs hold their uploads while they wait to be rendered.
        Assert.Equal([false, true, false], readers.Select(r => r.ResultsHoldTheUpload));
        // Outside a host the pipeline takes the same readers, in the same order.
        Assert.Equal(readers.Select(r => r.GetType()), UploadReaders.Default(new WorkbookLimits(), new InputLimits()).Select(r => r.GetType()));
    }

    [Fact]
    public void APipelineFromTheHostReadsASourceFolderThroughTheHostsReaders()
    {
        using var host = Build();

        var sources = RunSources.FromFolder(new SourceFolder(_dir.Path), host.Services.GetServices<IUploadReader>());

        Assert.NotNull(host.Services.GetRequiredService<RefreshPipeline>());
        Assert.Equal(
            [Path.Combine(_dir.Path, "business-cases"), Path.Combine(_dir.Path, "actuals"), Path.Combine(_dir.Path, "index")],
            sources.Uploads.Select(u => ((FolderUploadSource)u).Directory));
        Assert.Equal(_dir.Path, sources.Describe());
    }

    [Fact]
    public void TheClockIsTheSystemsUnlessAnotherIsGiven()
    {
        using var host = Build();

        Assert.Same(TimeProvider.System, host.Services.GetRequiredService<TimeProvider>());
    }

    [Fact]
    public async Task ASettingWithAWrongValueStopsTheStartNamingIt()
    {
        using var annotated = Build(("WorkbookLimits:MaxFileBytes", "0"));
        using var selfChecked = Build(("GraphOptions:Enabled", "true"), ("GraphOptions:BaseUrl", "ftp://graph"));

        var byAnnotation = await Assert.ThrowsAsync<OptionsValidationException>(() => annotated.StartAsync(TestContext.Current.CancellationToken));
        var byItself = await Assert.ThrowsAsync<OptionsValidationException>(() => selfChecked.StartAsync(TestContext.Current.CancellationToken));

        Assert.Equal(typeof(WorkbookLimits), byAnnotation.OptionsType);
        Assert.Contains(byAnnotation.Failures, f => f.Contains(nameof(WorkbookLimits.MaxFileBytes), StringComparison.Ordinal));
        Assert.Equal(typeof(GraphOptions), byItself.OptionsType);
        Assert.Contains(byItself.Failures, f => f.Contains("GraphOptions:BaseUrl", StringComparison.Ordinal));
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
