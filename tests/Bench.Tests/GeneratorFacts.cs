using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using NackaInsights.Etl.Pipeline;
using NackaInsights.Etl.Xlsx;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Loading;

namespace NackaInsights.Bench.Tests;

/// <summary>The benchmark's synthetic municipality at a tiny size: the same bytes from the same seed, and a clean load.</summary>
public sealed class GeneratorFacts : IDisposable
{
    private const int Initiatives = 24;
    private const int Objects = 4;
    private readonly TempDirectory _first = new("nacka-bench-gen");
    private readonly TempDirectory _second = new("nacka-bench-gen");
    private readonly SqliteTestWarehouse _warehouse = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void The_same_seed_writes_the_same_files_and_another_seed_other_ones()
    {
        var summary = MunicipalityGenerator.Write(_first.Path, 7, Initiatives, Objects);
        MunicipalityGenerator.Write(_second.Path, 7, Initiatives, Objects);

        Assert.Equal(Initiatives, summary.BusinessCases);
        Assert.Equal(Objects, summary.ActualsFiles);
        var first = Fingerprints(_first.Path);
        var second = Fingerprints(_second.Path);
        Assert.Equal(first.Keys.Order(), second.Keys.Order());
        Assert.Empty(first.Where(f => second[f.Key] != f.Value).Select(f => f.Key));
        Assert.All(MunicipalityGenerator.Catalogue(7, Initiatives, Objects), i =>
        {
            Assert.InRange(i.Draft.LastYear - i.Draft.FirstYear + 1, 4, 10);
            Assert.InRange(i.Draft.Costs.Count, 2, 6);
            Assert.InRange(i.Draft.Benefits.Count, 2, 8);
        });
        Assert.NotEqual(
            MunicipalityGenerator.Catalogue(7, Initiatives, Objects).Select(i => i.Id),
            MunicipalityGenerator.Catalogue(8, Initiatives, Objects).Select(i => i.Id));
    }

    [Fact]
    public async Task Its_output_loads_cleanly_and_a_second_run_finds_everything_unchanged()
    {
        var summary = MunicipalityGenerator.Write(_first.Path, 7, Initiatives, Objects);
        await _warehouse.MigratedAsync();
        var pipeline = new RefreshPipeline(_warehouse.Loader(), new WorkbookLimits(), NullLogger<RefreshPipeline>.Instance);

        var first = await pipeline.RunAsync(_first.Path, "test", null, Ct);

        Assert.True(first.Succeeded, first.Message);
        Assert.False(first.HasRejections, string.Join("\n", first.Files.SelectMany(f => f.Problems.Select(p => $"{f.Name} {p.Location}: {p.Message}"))
            .Concat(first.Lists.SelectMany(l => l.Problems.Select(p => $"{l.ListName} {p.Location}: {p.Message}")))));
        Assert.Equal(summary.BusinessCases + summary.ActualsFiles + 1, first.Files.Count(f => f.Status == FileStatus.Loaded));
        Assert.All(first.Lists, l => Assert.Equal(0, l.ItemsRejected));

        var second = await pipeline.RunAsync(_first.Path, "test", null, Ct);

        Assert.True(second.Succeeded, second.Message);
        Assert.All(second.Files, f => Assert.Equal(FileStatus.Unchanged, f.Status));
        Assert.Equal(0, second.RowsLoaded);
    }

    private static Dictionary<string, string> Fingerprints(string root) => Directory
        .EnumerateFiles(root, "*", SearchOption.AllDirectories)
        .ToDictionary(f => Path.GetRelativePath(root, f), f => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f))) + File.GetLastWriteTimeUtc(f).Ticks);

    public void Dispose()
    {
        _first.Dispose();
        _second.Dispose();
        _warehouse.Dispose();
    }
}
