using NackaInsights.Etl.Pipeline;
using NackaInsights.Etl.Readers.Actuals;
using NackaInsights.Etl.Readers.BusinessCases;
using NackaInsights.Etl.Readers.Survey;
using NackaInsights.Etl.Xlsx;
using NackaInsights.Warehouse.Model;

namespace NackaInsights.Etl.Readers;

/// <summary>The readers of the contract's uploads, for a pipeline built outside a host (tests, the benchmark).</summary>
public static class UploadReaders
{
    /// <summary>The same readers, in the same order, as <see cref="Hosting.NackaInsightsHostingExtensions.AddUploadReaders"/> registers.</summary>
    public static IReadOnlyList<IUploadReader> Default(WorkbookLimits limits, InputLimits inputs) =>
    [
        new BusinessCaseUploadReader(limits, inputs),
        new ActualsUploadReader(limits, inputs),
        new SurveyUploadReader(limits, inputs),
    ];
}
