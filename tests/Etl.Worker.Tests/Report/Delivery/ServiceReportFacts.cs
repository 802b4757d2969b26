using Hangfire;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NackaInsights.Etl.Hosting;
using NackaInsights.Etl.Report;
using NackaInsights.Etl.Service;
using NackaInsights.Etl.Service.Report;
using NackaInsights.TestSupport;

namespace NackaInsights.Etl.Tests.Report.Delivery;

/// <summary>
/// The service's report (<see cref="ServiceReport"/>), on each database: a source job whose run published makes
/// <c>rapport.html</c> afresh in the configured folder; a run that failed its checks published nothing and leaves it as it was.
/// </summary>
public abstract class ServiceReportFacts : WarehouseFacts
{
    private readonly TempDirectory _source = new("nacka-service-report-source");
    private readonly TempDirectory _reports = new("nacka-service-report");

    public override ValueTask DisposeAsync()
    {
        _source.Dispose();
        _reports.Dispose();
        return base.DisposeAsync();
    }

    [Fact]
    public async Task ARunThatPublished_MakesTheReportAfresh_AndARunThatFailed_LeavesItAsItWas()
    {
        ContractWorkbooks.Reference().Save(_source.File("business-cases/DIG-2023-014.xlsx"));
        using var host = Build();
        var report = host.Services.GetRequiredService<ServiceReport>();
        Assert.Equal(Path.Combine(_reports.Path, ServiceReport.FileName), report.FilePath);
        Assert.False(File.Exists(report.FilePath));

        await RunSourceJobAsync(host);

        var page = await File.ReadAllTextAsync(report.FilePath, Ct);
        Assert.StartsWith("<!DOCTYPE html>", page, StringComparison.OrdinalIgnoreCase);
        Assert.All(ReportSections.All, id => Assert.Contains($"<section id=\"{id}\"", page));
        Assert.Equal([ServiceReport.FileName], Directory.GetFiles(_reports.Path).Select(Path.GetFileName));

        // Marked, to tell the report the failed run would make from the one that is there.
        await File.WriteAllTextAsync(report.FilePath, page + "<!-- före den misslyckade körningen -->", Ct);
        var before = await File.ReadAllBytesAsync(report.FilePath, Ct);
        // A file status the contract does not know: the accepted-values check fails the next run, which publishes nothing.
        await using (var connection = await Warehouse.Database.OpenAsync(Ct))
        await using (var command = connection.CreateCommand())
        {
            command.CommandText =
                """
                INSERT INTO etl_file (file_id, run_id, source_kind, file_name, content_sha256, size_bytes, status, rows_loaded, rows_rejected, processed_at_utc)
                SELECT 999, run_id, 'business-case', 'manual.xlsx', 'x', 0, 'Okänd', 0, 0, started_at_utc FROM etl_run
                """;
            await command.ExecuteNonQueryAsync(Ct);
        }
        ContractWorkbooks.Reference(id: "DIG-2024-001").Save(_source.File("business-cases/DIG-2024-001.xlsx"));

        await Assert.ThrowsAsync<DataChecksFailedException>(() => RunSourceJobAsync(host));

        Assert.Equal(before, await File.ReadAllBytesAsync(report.FilePath, Ct));
    }

    /// <summary>The source folder job, run as Hangfire runs it but in the foreground (no lock, no continuations).</summary>
    private async Task RunSourceJobAsync(IHost host)
    {
        await using var scope = host.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<RefreshJobs>().RunAsync(WorkerJobs.SourceFolder, null, Ct);
    }

    /// <summary>The worker's services as the service builds them, on this warehouse, with the report kept in a folder of the test's own.</summary>
    private IHost Build()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["WarehouseOptions:Provider"] = Warehouse.Options.Provider.ToString(),
            ["WarehouseOptions:ConnectionString"] = Warehouse.Options.ConnectionString,
            ["WorkerOptions:SourceDir"] = _source.Path,
            [$"WorkerOptions:Schedules:{WorkerJobs.SourceFolder}"] = Cron.Never(),
            ["Report:Directory"] = _reports.Path,
            ["Logging:Console:FormatterName"] = "simple",
        });
        builder.AddNackaInsights();
        builder.AddNackaInsightsWorker();
        return builder.Build();
    }
}

public sealed class SqliteServiceReportFacts : ServiceReportFacts
{
    protected override Task<TestWarehouse> CreateWarehouseAsync() => Task.FromResult<TestWarehouse>(new SqliteTestWarehouse());

    public override ValueTask DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        return base.DisposeAsync();
    }
}

public sealed class PostgresServiceReportFacts(PostgresCluster cluster) : ServiceReportFacts
{
    protected override async Task<TestWarehouse> CreateWarehouseAsync() => await PostgresTestWarehouse.CreateAsync(cluster);
}
