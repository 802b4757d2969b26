using Microsoft.Extensions.DependencyInjection.Extensions;
using NackaInsights.Etl.Pipeline;
using NackaInsights.Etl.PowerBi;
using NackaInsights.Etl.Readers.Actuals;
using NackaInsights.Etl.Readers.BusinessCases;
using NackaInsights.Etl.Readers.Survey;
using NackaInsights.Etl.Report.Pdf;
using NackaInsights.Etl.SharePoint;
using NackaInsights.Etl.Xlsx;
using NackaInsights.Warehouse.Calculations;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Model;
using NackaInsights.Warehouse.Storage;

namespace NackaInsights.Etl.Hosting;

public static class NackaInsightsHostingExtensions
{
    /// <summary>
    /// Everything NackaInsights needs, for the commands and the service alike: options bound from
    /// configuration and validated, the clock, the warehouse, the upload readers, the sources and the pipeline.
    /// </summary>
    public static IHostApplicationBuilder AddNackaInsights(this IHostApplicationBuilder builder)
    {
        // First, so that what the rest compiles is compiled ahead (the program's own process only).
        JitProfiles.Start(builder.Configuration);
        builder.AddValidatedOptions<WarehouseOptions>(nameof(WarehouseOptions));
        builder.AddValidatedOptions<CalculationOptions>(nameof(CalculationOptions));
        builder.AddValidatedOptions<EvaluationOptions>(nameof(EvaluationOptions));
        builder.AddValidatedOptions<ActualsOptions>(nameof(ActualsOptions));
        builder.AddValidatedOptions<IndexOptions>(nameof(IndexOptions));
        builder.AddValidatedOptions<AccessOptions>(nameof(AccessOptions));
        builder.AddValidatedOptions<WorkbookLimits>(nameof(WorkbookLimits));
        builder.AddValidatedOptions<InputLimits>(nameof(InputLimits));
        builder.AddValidatedOptions<ResultWorkbookOptions>(ResultWorkbookOptions.Section, o => o.Validate());
        // Graph's settings are checked only when a tenant is enabled: they check themselves.
        builder.AddValidatedOptions<GraphOptions>(GraphOptions.Section, o => o.Validate())
            // A list named in the short form (as appsettings.json names them) may still be mapped by a later source.
            .PostConfigure<IConfiguration>((o, configuration) => GraphListOptions.BindOverShortForms(configuration.GetSection($"{GraphOptions.Section}:Lists"), o.Lists));
        builder.AddValidatedOptions<ReportOptions>(ReportOptions.Section, o => o.Validate());
        // Likewise the Power BI service principal, only when the refresh is on.
        builder.AddValidatedOptions<PowerBiOptions>(PowerBiOptions.Section, o => o.Validate());

        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<WarehouseDatabase>();
        services.AddSingleton<SchemaMigrator>();
        services.AddSingleton<WarehouseLoader>();
        services.AddSingleton<WarehouseQueries>();
        // validate FILE reads a workbook with these directly.
        services.AddSingleton<BusinessCaseWorkbookReader>();
        services.AddSingleton<ActualsWorkbookReader>();
        services.AddUploadReaders();
        services.AddSingleton<GraphSources>();
        services.AddSingleton<RefreshPipeline>();
        // The refresh of the Power BI service after a run that published: inline in the refresh command, a continuation in the service.
        services.TryAddSingleton(new PowerBiTransport());
        services.AddSingleton<PowerBiRefreshStore>();
        services.AddSingleton<PowerBiRefresher>();
        return builder;
    }

    /// <summary>
    /// The readers of uploads, one per kind, in the order a run takes them (<see cref="IUploadReader.Order"/>): a new
    /// kind of upload is one more line here. <see cref="Readers.UploadReaders.Default"/> is the same list outside a host.
    /// </summary>
    public static IServiceCollection AddUploadReaders(this IServiceCollection services) => services
        .AddSingleton<IUploadReader, BusinessCaseUploadReader>()
        .AddSingleton<IUploadReader, ActualsUploadReader>()
        .AddSingleton<IUploadReader, SurveyUploadReader>();
}
