using Microsoft.Extensions.Logging.Abstractions;
using NackaInsights.Etl.Pipeline;
using NackaInsights.Etl.Xlsx;
using NackaInsights.TestSupport;
using NackaInsights.Warehouse.Loading;

namespace NackaInsights.Etl.Tests.Pipeline;

/// <summary>The base of the pipeline facts: a migrated warehouse of each database, and the pipeline over it as built outside a host.</summary>
public abstract class PipelineFacts : WarehouseFacts
{
    /// <summary>The pipeline over the test's warehouse, with the contract's readers (<see cref="Readers.UploadReaders.Default"/>).</summary>
    protected RefreshPipeline Pipeline() => new(Warehouse.Loader(), new WorkbookLimits(), NullLogger<RefreshPipeline>.Instance);

    /// <summary>One run over <paramref name="sources"/>.</summary>
    protected Task<RunResult> RunAsync(RunSources sources, IRunObserver? observer = null) => Pipeline().RunAsync(sources, "test", observer, Ct);

    /// <summary>One run over the source folder <paramref name="dir"/>.</summary>
    protected Task<RunResult> RunAsync(string dir, IRunObserver? observer = null) => Pipeline().RunAsync(dir, "test", observer, Ct);
}
