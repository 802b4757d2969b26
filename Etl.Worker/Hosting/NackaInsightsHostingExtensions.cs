using Microsoft.Extensions.Options;
using NackaInsights.Etl.Pipeline;
using NackaInsights.Etl.Readers.Actuals;
using NackaInsights.Etl.Readers.BusinessCases;
using NackaInsights.Etl.Readers.Lists;
using NackaInsights.Etl.SharePoint;
using NackaInsights.Etl.Writers;
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
    /// configuration and validated, the warehouse, the readers and the pipeline.
    /// </summary>
    public static IHostApplicationBuilder AddNackaInsights(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<WarehouseOptions>().BindConfiguration(nameof(WarehouseOptions)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<CalculationOptions>().BindConfiguration(nameof(CalculationOptions)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<EvaluationOptions>().BindConfiguration(nameof(EvaluationOptions)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ActualsOptions>().BindConfiguration(nameof(ActualsOptions)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<IndexOptions>().BindConfiguration(nameof(IndexOptions)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<AccessOptions>().BindConfiguration(nameof(AccessOptions)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<WorkbookLimits>().BindConfiguration(nameof(WorkbookLimits)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<InputLimits>().BindConfiguration(nameof(InputLimits)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<GraphOptions>().BindConfiguration(nameof(GraphOptions)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<GraphOptions>, GraphOptionsValidation>();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<WarehouseOptions>>().Value);
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<GraphOptions>>().Value);
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<CalculationOptions>>().Value);
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<EvaluationOptions>>().Value);
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<ActualsOptions>>().Value);
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<IndexOptions>>().Value);
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<AccessOptions>>().Value);
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<WorkbookLimits>>().Value);
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<InputLimits>>().Value);

        services.AddSingleton<WarehouseDatabase>();
        services.AddSingleton<SchemaMigrator>();
        services.AddSingleton<WarehouseLoader>();
        services.AddSingleton<WarehouseQueries>();
        services.AddSingleton<BusinessCaseWorkbookReader>();
        services.AddSingleton<ActualsWorkbookReader>();
        services.AddSingleton<RefreshPipeline>();
        return builder;
    }

    /// <summary>Checks the Graph settings at start, naming each wrong one.</summary>
    private sealed class GraphOptionsValidation : IValidateOptions<GraphOptions>
    {
        public ValidateOptionsResult Validate(string? name, GraphOptions options)
        {
            var problems = options.Validate().ToList();
            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
    }
}
