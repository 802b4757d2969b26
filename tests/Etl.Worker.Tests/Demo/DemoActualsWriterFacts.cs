using NackaInsights.Etl.Demo;
using NackaInsights.Etl.Pipeline;
using NackaInsights.Etl.Readers.Actuals;
using NackaInsights.Etl.Readers.BusinessCases;
using NackaInsights.Etl.Writers;
using NackaInsights.Etl.Xlsx;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Model;

namespace NackaInsights.Etl.Tests.Demo;

/// <summary>The demo's actuals workbooks, read back with the reader and checked against the demo's own business cases.</summary>
public sealed class DemoActualsWriterFacts : IDisposable
{
    private readonly TempDirectory _dir = new("nacka-demo-actuals");
    private readonly IReadOnlyList<DemoSourceWriter.DemoFile> _files;
    private readonly Dictionary<string, ActualsUpload> _uploads = [];

    public DemoActualsWriterFacts()
    {
        _files = DemoActualsWriter.Write(_dir.Path);
        var reader = new ActualsWorkbookReader(new WorkbookLimits());
        foreach (var file in _files)
        {
            var result = reader.Read(Path.Combine(_dir.Path, file.RelativePath), file.RelativePath);
            Assert.Empty(result.FileProblems);
            _uploads[Path.GetFileName(file.RelativePath)] = result.Upload!;
        }
    }

    public void Dispose() => _dir.Dispose();

    /// <summary>The current business case's line and years, as the validator will look them up.</summary>
    private static readonly Dictionary<string, CurrentCase> Current = DemoSourceWriter.Catalogue()
        .ToDictionary(i => i.Id, i => new CurrentCase(i.ObjectId, DemoSourceWriter.CurrentDraft(i)));

    private sealed record CurrentCase(string ObjectId, BusinessCaseDraft Draft);

    [Fact]
    public void Write_GivesMostObjectsAFile_InTheActualsFolder_ThatReadsCleanly()
    {
        var objects = DemoSourceWriter.Objects().Select(o => o.Id).ToList();

        Assert.All(_files, f => Assert.StartsWith($"{SourceFolder.Actuals}/", f.RelativePath));
        Assert.All(_files, f => Assert.True(File.Exists(Path.Combine(_dir.Path, f.RelativePath))));
        Assert.InRange(_files.Count, objects.Count / 2 + 1, objects.Count - 1);
        Assert.DoesNotContain(_uploads.Values, u => u.ObjectId == DemoActualsWriter.SilentObject);
        Assert.Equal(_uploads.Count, _uploads.Values.Select(u => u.ObjectId).Distinct().Count());
        Assert.Contains(DemoActualsWriter.RejectedRowsFileName, _uploads.Keys);
        Assert.Contains(DemoActualsWriter.UnauthorisedFileName, _uploads.Keys);
    }

    [Fact]
    public void Write_IsTheSameBytes_EveryTime()
    {
        using var other = new TempDirectory("nacka-demo-actuals-2");
        var again = DemoActualsWriter.Write(other.Path);

        Assert.Equal(_files, again);
        foreach (var file in _files)
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(_dir.Path, file.RelativePath)), File.ReadAllBytes(Path.Combine(other.Path, file.RelativePath)));
            Assert.Equal(File.GetLastWriteTimeUtc(Path.Combine(_dir.Path, file.RelativePath)), File.GetLastWriteTimeUtc(Path.Combine(other.Path, file.RelativePath)));
        }
    }

    [Fact]
    public void OrdinaryFiles_ReportOnlyCurrentLinesInTheirYears_ByTheObjectsManager()
    {
        foreach (var (name, upload) in _uploads.Where(u => u.Key is not DemoActualsWriter.RejectedRowsFileName))
        {
            foreach (var row in upload.Rows.Where(r => r.IsReported))
            {
                var current = Current[row.InitiativeId!];
                var line = current.Draft.Benefits.SingleOrDefault(b => b.Name == row.BenefitLine);
                Assert.True(line is not null, $"{name} row {row.Row}: {row.BenefitLine} is a line of the current business case of {row.InitiativeId}");
                Assert.Equal(Labels.Of(line.Type), row.TypeText);
                Assert.InRange(row.Year!.Value, current.Draft.FirstYear, Math.Min(current.Draft.LastYear, DemoActualsWriter.ThroughYear));
                Assert.Equal(upload.ObjectId, current.ObjectId);
                Assert.True(row.Value >= 0 && (line.Type != BenefitType.Movement || row.Value <= 10), $"{name} row {row.Row}: {row.ValueText}");
            }
            Assert.Equal(upload.Rows.Count, upload.Rows.Select(r => (r.InitiativeId, r.BenefitLine, r.Year)).Distinct().Count());
            var expected = name == DemoActualsWriter.UnauthorisedFileName ? DemoActualsWriter.UnauthorisedReporter : DemoListWriter.ManagerEmail(upload.ObjectId!);
            Assert.Equal(expected, upload.ReportedBy);
        }
        Assert.NotEqual(DemoActualsWriter.UnauthorisedReporter, DemoListWriter.ManagerEmail(DemoActualsWriter.UnauthorisedObject));
        Assert.Contains(_uploads[DemoActualsWriter.UnauthorisedFileName].Rows, r => r.IsReported);
    }

    [Fact]
    public void SomeFilesAreComplete_AndSomePartial()
    {
        var monetary = _uploads.Where(u => u.Key != DemoActualsWriter.RejectedRowsFileName)
            .ToDictionary(u => u.Value.ObjectId!, u => u.Value.Rows.Where(r => r.TypeText != Labels.Movement).ToList());

        var complete = monetary.Where(m => m.Value.All(r => r.IsReported)).Select(m => m.Key).ToList();
        var partial = monetary.Where(m => m.Value.Any(r => r.IsReported) && m.Value.Any(r => !r.IsReported)).Select(m => m.Key).ToList();

        Assert.True(complete.Count >= 2, $"complete: {string.Join(", ", complete)}");
        Assert.Equal(DemoActualsWriter.PartialObjects.Where(monetary.ContainsKey).Order(), partial.Order());
        Assert.NotEmpty(partial);
    }

    [Fact]
    public void Realisation_SpansUnderAndOverAchievement()
    {
        var rates = _uploads.Where(u => u.Key is not DemoActualsWriter.RejectedRowsFileName and not DemoActualsWriter.UnauthorisedFileName)
            .SelectMany(u => u.Value.Rows)
            .Where(r => r.Value is not null && r.TypeText != Labels.Movement)
            .Select(r => (r.Value!.Value, Planned: Current[r.InitiativeId!].Draft.Benefits.Single(b => b.Name == r.BenefitLine).Amounts.GetValueOrDefault(r.Year!.Value)))
            .Where(r => r.Planned > 0)
            .Select(r => r.Value / r.Planned)
            .ToList();

        Assert.Contains(rates, rate => rate < 0.8m);
        Assert.Contains(rates, rate => rate > 1.1m);
        Assert.Contains(rates, rate => rate is >= 0.95m and <= 1.05m);
    }

    [Fact]
    public void TheFileWithMistakes_HasAnUnknownInitiativeAWrongYearANegativeAndATextValueAndADuplicate()
    {
        var upload = _uploads[DemoActualsWriter.RejectedRowsFileName];
        var rows = upload.Rows;

        Assert.Equal(DemoListWriter.ManagerEmail(DemoActualsWriter.RejectedRowsObject), upload.ReportedBy);
        Assert.Contains(rows, r => r.InitiativeId == DemoActualsWriter.UnknownInitiativeId && !Current.ContainsKey(r.InitiativeId));
        Assert.Contains(rows, r => Current.TryGetValue(r.InitiativeId!, out var c) && r.Year is { } y && (y < c.Draft.FirstYear || y > c.Draft.LastYear));
        Assert.Contains(rows, r => r.Value < 0);
        Assert.Contains(rows, r => r.IsReported && r.Value is null);
        Assert.Contains(rows.GroupBy(r => (r.InitiativeId, r.BenefitLine, r.Year)), g => g.Count() == 2 && g.All(r => r.IsReported));
        // And good rows besides, which load although the others are rejected.
        Assert.True(rows.Count(r => r.Value > 0 && Current.ContainsKey(r.InitiativeId!)) >= 3);
    }

    [Fact]
    public void ASecondVersionsAddedLine_IsReported()
    {
        var revisedLines = _uploads.Values.SelectMany(u => u.Rows).Where(r => r.BenefitLine == "Minskade pappersutskick").ToList();

        Assert.NotEmpty(revisedLines);
        Assert.All(revisedLines, r => Assert.True(DemoSourceWriter.Catalogue().Single(i => i.Id == r.InitiativeId).HasSecondVersion));
    }
}
