using System.Net;
using Azure.Identity;
using NackaInsights.Etl.Service;
using NackaInsights.Warehouse.Loading;

namespace NackaInsights.Etl.PowerBi;

/// <summary>What became of one semantic model's refresh after a run.</summary>
public sealed record PowerBiRefreshOutcome(PowerBiSemanticModel Model, string Status, string? Message);

/// <summary>
/// Refreshes the configured Power BI semantic models after a run that published new data, follows each refresh to
/// its end, and records it in <c>etl_powerbi_refresh</c>. A refresh that fails or cannot be started is recorded and
/// logged, never thrown at the run: the run's data is published already, and the next run that publishes asks again.
/// </summary>
public sealed class PowerBiRefresher(
    PowerBiOptions options,
    PowerBiTransport transport,
    PowerBiRefreshStore store,
    TimeProvider time,
    ILoggerFactory loggers)
{
    private readonly ILogger _logger = loggers.CreateLogger<PowerBiRefresher>();

    public bool Enabled => options.Enabled;

    /// <summary>
    /// Whether a run published new data: it succeeded and loaded rows or files, changed a list, or a mart wrote
    /// (a recompute that corrected facts). A run over unchanged files and lists did not.
    /// </summary>
    public static bool Published(RunResult result) =>
        result.Succeeded && (RefreshJobs.LoadedSomething(result) || result.Marts.Any(m => m.Wrote.Count > 0));

    /// <summary>
    /// Whether the service should be asked to refresh after <paramref name="result"/>. When not, while refresh is
    /// configured and the run succeeded, each model whose last refresh failed gets a row <c>Ej begärd</c>: the page
    /// then shows that the model is still stale after this run, and that the next run that publishes tries again.
    /// </summary>
    public async Task<bool> NeedsRefreshAsync(RunResult result, CancellationToken ct) => await NeedsRefreshAsync(result, [], ct);

    private async Task<bool> NeedsRefreshAsync(RunResult result, List<PowerBiRefreshOutcome> notRequested, CancellationToken ct)
    {
        if (!options.Enabled || !result.Succeeded)
        {
            return false;
        }
        if (Published(result))
        {
            return true;
        }
        foreach (var model in options.SemanticModels)
        {
            // Only a failure: a refresh still Begärd may be running in the service's continuation right now.
            if (await store.LastRequestedStatusAsync(model, ct) is PowerBiRefreshStatus.Failed)
            {
                const string message = "Körningen publicerade inget nytt. Den senaste uppdateringen misslyckades; nästa körning som publicerar försöker igen.";
                await store.RecordAsync(result.RunId, model, PowerBiRefreshStatus.NotRequested, null, null, message, ct);
                notRequested.Add(new PowerBiRefreshOutcome(model, PowerBiRefreshStatus.NotRequested, message));
                _logger.LogInformation("Run {RunId} published nothing new; the last refresh of {Model} failed, and the next run that publishes retries it", result.RunId, model);
            }
        }
        return false;
    }

    /// <summary>
    /// After a run: refreshes each model when <see cref="NeedsRefreshAsync"/> says so, else returns the models recorded
    /// <c>Ej begärd</c> (none when nothing was due); the <c>refresh</c> command's inline way.
    /// </summary>
    public async Task<IReadOnlyList<PowerBiRefreshOutcome>> AfterRunAsync(RunResult result, CancellationToken ct)
    {
        var notRequested = new List<PowerBiRefreshOutcome>();
        return await NeedsRefreshAsync(result, notRequested, ct) ? await RefreshAsync(result.RunId, ct) : notRequested;
    }

    /// <summary>
    /// Refreshes every configured semantic model, one after another, for the run <paramref name="runId"/>. A model this
    /// run's refresh already completed (a retry of the service's job after another model failed) is not asked again.
    /// </summary>
    public async Task<IReadOnlyList<PowerBiRefreshOutcome>> RefreshAsync(long runId, CancellationToken ct)
    {
        var outcomes = new List<PowerBiRefreshOutcome>();
        if (!options.Enabled)
        {
            return outcomes;
        }
        Azure.Core.TokenCredential credential;
        try
        {
            credential = PowerBiSignIn.Create(options, transport);
        }
        catch (Exception e) when (e is InvalidOperationException or System.Security.Cryptography.CryptographicException or IOException)
        {
            // A certificate that cannot be read fails the refresh, as any sign-in failure, never the run.
            foreach (var model in options.SemanticModels)
            {
                var message = $"Tjänstens huvudnamn kan inte logga in: certifikatet eller inställningarna i PowerBiOptions går inte att använda ({e.Message}).";
                var now = time.GetUtcNow().UtcDateTime;
                await store.RecordAsync(runId, model, PowerBiRefreshStatus.Failed, now, now, message, ct);
                _logger.LogError(e, "Run {RunId}: the Power BI sign-in settings are not usable; {Model} was not refreshed", runId, model);
                outcomes.Add(new PowerBiRefreshOutcome(model, PowerBiRefreshStatus.Failed, message));
            }
            return outcomes;
        }
        using var client = new PowerBiClient(new HttpClient(transport.CreateHandler()), credential, options, time, loggers.CreateLogger<PowerBiClient>());
        foreach (var model in options.SemanticModels)
        {
            outcomes.Add(await store.StatusAsync(runId, model, ct) == PowerBiRefreshStatus.Completed
                ? new PowerBiRefreshOutcome(model, PowerBiRefreshStatus.Completed, null)
                : await RefreshAsync(client, runId, model, ct));
        }
        return outcomes;
    }

    private async Task<PowerBiRefreshOutcome> RefreshAsync(PowerBiClient client, long runId, PowerBiSemanticModel model, CancellationToken ct)
    {
        var requestedAt = time.GetUtcNow().UtcDateTime;
        await store.RecordAsync(runId, model, PowerBiRefreshStatus.Requested, requestedAt, null, null, ct);
        var started = time.GetTimestamp();
        string status;
        string? message;
        try
        {
            var location = await client.StartRefreshAsync(model, ct);
            _logger.LogInformation("Run {RunId}: asked Power BI to refresh {Model}; following {Location}", runId, model, location);
            PowerBiRefreshState state;
            while (true)
            {
                state = await client.GetRefreshAsync(location, ct);
                if (state.HasEnded)
                {
                    break;
                }
                if (time.GetElapsedTime(started) >= options.Timeout)
                {
                    throw new TimeoutException();
                }
                await Task.Delay(options.PollInterval, time, ct);
            }
            (status, message) = state.Completed
                ? (PowerBiRefreshStatus.Completed, (string?)null)
                : (PowerBiRefreshStatus.Failed, $"Power BI-tjänstens uppdatering slutade med {state.Status}"
                    + (state.Messages.Count == 0 ? "." : ": " + string.Join(" ", state.Messages)));
        }
        catch (Exception e) when (!ct.IsCancellationRequested && e is PowerBiRequestException or AuthenticationFailedException or CredentialUnavailableException
            or HttpRequestException or TimeoutException or TaskCanceledException or System.Text.Json.JsonException or InvalidOperationException)
        {
            (status, message) = (PowerBiRefreshStatus.Failed, Describe(e, model));
        }
        await store.RecordAsync(runId, model, status, requestedAt, time.GetUtcNow().UtcDateTime, message, ct);
        if (status == PowerBiRefreshStatus.Completed)
        {
            _logger.LogInformation("Run {RunId}: Power BI refreshed {Model}", runId, model);
        }
        else
        {
            _logger.LogError("Run {RunId}: the refresh of {Model} failed; the run's data is published, and the next run that publishes asks again: {Message}", runId, model, message);
        }
        return new PowerBiRefreshOutcome(model, status, message);
    }

    /// <summary>Why a refresh failed, in Swedish for the data quality page, naming the workspace and model where it helps.</summary>
    private string Describe(Exception e, PowerBiSemanticModel model)
    {
        var target = $"den semantiska modellen {model.SemanticModelId.Trim()} i arbetsytan {model.WorkspaceId.Trim()}";
        return e switch
        {
            PowerBiRequestException { Status: HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden } p =>
                $"Power BI nekade tjänstens huvudnamn åtkomst till {target} (HTTP {(int)p.Status}{(p.Code is null ? "" : ", " + p.Code)}). " +
                "Kontrollera att klientorganisationens inställning tillåter tjänsthuvudnamn att använda Power BI-API:er och att appen är medlem eller deltagare i arbetsytan.",
            PowerBiRequestException { Status: HttpStatusCode.NotFound } => $"Power BI hittar inte {target} (HTTP 404).",
            PowerBiRequestException { Status: HttpStatusCode.TooManyRequests } =>
                $"Power BI begränsade fortfarande anropen (HTTP 429) efter {options.MaxRetries} nya försök (PowerBiOptions:MaxRetries) för {target}.",
            PowerBiRequestException { Status: HttpStatusCode.Conflict } => $"En uppdatering av {target} pågår redan (HTTP 409).",
            PowerBiRequestException p => $"Uppdateringen av {target} kunde inte begäras: {p.Message}",
            AuthenticationFailedException or CredentialUnavailableException =>
                "Inloggningen mot Microsoft Entra ID misslyckades. Kontrollera PowerBiOptions: TenantId, ClientId och hemligheten eller certifikatet.",
            TimeoutException => $"Uppdateringen av {target} blev inte klar inom {options.Timeout} (PowerBiOptions:Timeout).",
            HttpRequestException or TaskCanceledException => $"Power BI-tjänsten ({new Uri(options.NormalizedApiBaseUrl).Host}) gick inte att nå.",
            System.Text.Json.JsonException => $"Svaret från Power BI om {target} går inte att tolka.",
            _ => $"Uppdateringen av {target} misslyckades: {e.Message}",
        };
    }
}
