using System.Globalization;
using Dapper;
using NackaInsights.Etl.Demo;
using NackaInsights.Etl.Xlsx;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Storage;

namespace NackaInsights.Etl.Commands;

/// <summary>What the commands print for the operator: English around the users' Swedish messages.</summary>
internal static class ConsoleReport
{
    public static int ExitCode(RunResult result) =>
        !result.Succeeded ? ExitCodes.Failed : result.HasRejections ? ExitCodes.Rejections : ExitCodes.Success;

    public static string Sek(decimal amount) => SwedishNumber.Format(Math.Round(amount, 0)) + " kr";

    /// <summary>The prefix of <see cref="TimingsLine"/>.</summary>
    public const string TimingsPrefix = "phase-timings:";

    /// <summary>
    /// The run's wall time per phase in seconds, as one line <c>phase-timings: {"read":0.123,…}</c> (every phase of
    /// <see cref="PhaseTimings.Order"/>, 0 for one not entered, then <c>results</c>: the result workbooks written after
    /// publishing), for the benchmark to parse.
    /// </summary>
    public static string TimingsLine(PhaseTimings timings)
    {
        var phases = timings.Phases;
        return TimingsPrefix + " {" + string.Join(",", PhaseTimings.Order.Append(PhaseTimings.Results).Select(p =>
            $"\"{p}\":{phases.GetValueOrDefault(p).TotalSeconds.ToString("0.######", CultureInfo.InvariantCulture)}")) + "}";
    }

    /// <summary>The marts the run built, in order, each with its scope, time and what it changed: where the compute phase went.</summary>
    public static string MartsLine(RunResult result) =>
        "marts: " + (result.Marts.Count == 0 ? "none" : string.Join("; ", result.Marts.Select(m => m.ToString())));

    /// <summary>What the Power BI refresh after a run did: one line per semantic model, or why nothing was asked for.</summary>
    public static async Task WritePowerBiAsync(TextWriter output, RunResult result, IReadOnlyList<PowerBi.PowerBiRefreshOutcome> outcomes)
    {
        if (outcomes.Count == 0)
        {
            await output.WriteLineAsync(result.Succeeded
                ? "  Power BI: no refresh asked for; the run published nothing new."
                : "  Power BI: no refresh asked for; the run failed.");
            return;
        }
        foreach (var outcome in outcomes)
        {
            var what = outcome.Status switch
            {
                PowerBi.PowerBiRefreshStatus.Completed => "refreshed",
                PowerBi.PowerBiRefreshStatus.Failed => "refresh FAILED; the next run that publishes tries again",
                PowerBi.PowerBiRefreshStatus.NotRequested => "not refreshed: the run published nothing new, and its last refresh had failed",
                _ => outcome.Status,
            };
            await output.WriteLineAsync($"  Power BI {outcome.Model}: {what} ({outcome.Status}).{(outcome.Message is null ? "" : " " + outcome.Message)}");
        }
    }

    public static async Task WriteRunAsync(TextWriter output, RunResult result)
    {
        var outcome = result.Succeeded ? "succeeded" : "FAILED; the warehouse is as it was before";
        await output.WriteLineAsync($"Run {result.RunId} {outcome} ({result.Status}).");
        await output.WriteLineAsync($"  {result.Message}");
        var files = result.Files;
        if (files.Count > 0)
        {
            var counts = new[] { (FileStatus.Loaded, "loaded"), (FileStatus.PartlyLoaded, "partly loaded"), (FileStatus.Rejected, "rejected"), (FileStatus.Unchanged, "unchanged") }
                .Select(s => (Count: files.Count(f => f.Status == s.Item1), Word: s.Item2))
                .Where(c => c.Count > 0)
                .Select(c => $"{c.Count} {c.Word}");
            await output.WriteLineAsync(
                $"  Files: {files.Count} ({string.Join(", ", counts)}). Rows: {result.RowsLoaded} loaded, {result.RowsRejected} rejected.");
        }
        foreach (var list in result.Lists)
        {
            await output.WriteLineAsync(list.Mode == ListReadModes.Unchanged
                ? $"  List {list.ListName}: unchanged since it was last read."
                : $"  List {list.ListName} ({list.Mode}): {list.ItemsRead} items read, {list.ItemsChanged} new or changed, {list.ItemsRemoved} removed, {list.ItemsRejected} rejected.");
            foreach (var problem in list.Problems)
            {
                await output.WriteLineAsync($"      {problem.Source}, {problem.Location}: {problem.Message}");
            }
        }
        var rejected = files.Where(f => f.Status is FileStatus.Rejected or FileStatus.PartlyLoaded).ToList();
        if (rejected.Count > 0)
        {
            await output.WriteLineAsync("  Rejected:");
            foreach (var file in rejected)
            {
                await output.WriteLineAsync($"    {file.Name}");
                foreach (var problem in file.Problems)
                {
                    await output.WriteLineAsync($"      {(problem.Location.Length == 0 ? "" : problem.Location + ": ")}{problem.Message}");
                }
            }
        }
        var failedChecks = result.Checks.Where(c => !c.Passed).ToList();
        foreach (var check in failedChecks)
        {
            await output.WriteLineAsync($"  Data check failed: {check.Name} ({check.FailingRows} rows)");
        }
    }

    public static async Task WriteDemoSummaryAsync(TextWriter output, IHost host, string dbPath, RunResult result, CancellationToken ct)
    {
        var database = host.Services.GetRequiredService<WarehouseDatabase>();
        await using var connection = await database.OpenAsync(ct);
        var counts = await connection.QuerySingleAsync<(long Initiatives, long Units, long Years)>(new CommandDefinition(
            "SELECT (SELECT COUNT(*) FROM pbi_dim_initiative), (SELECT COUNT(*) FROM pbi_dim_unit), (SELECT COUNT(*) FROM pbi_dim_year)", cancellationToken: ct));
        var reference = await connection.QuerySingleOrDefaultAsync<(double Cost, double Benefit, double Net, double Npv, double? Pessimistic, double? Optimistic)>(new CommandDefinition(
            """
            SELECT cost_total_sek, economic_benefit_total_sek, net_benefit_total_sek, npv_sek, npv_pessimistic_sek, npv_optimistic_sek
            FROM pbi_fct_business_case WHERE initiative_id = @Id
            """,
            new { Id = DemoSourceWriter.ReferenceInitiativeId }, cancellationToken: ct));

        await output.WriteLineAsync();
        await output.WriteLineAsync($"The warehouse {dbPath} now holds {counts.Initiatives} initiatives of {counts.Units} verksamheter over {counts.Years} years.");
        await output.WriteLineAsync(
            $"Nacka's reference case {DemoSourceWriter.ReferenceInitiativeId}: total cost {Sek((decimal)reference.Cost)}, " +
            $"economic benefit {Sek((decimal)reference.Benefit)}, net {Sek((decimal)reference.Net)}, net present value {Sek((decimal)reference.Npv)}.");
        if (reference is { Pessimistic: { } pessimistic, Optimistic: { } optimistic })
        {
            // Its sheet Känslighet: the range a controller asks for before trusting the one figure.
            await output.WriteLineAsync(
                $"Its net present value as a range (sheet Känslighet): pessimistic {Sek((decimal)pessimistic)}, expected {Sek((decimal)reference.Npv)}, " +
                $"optimistic {Sek((decimal)optimistic)}.");
        }
        var realisation = await connection.QuerySingleAsync<(long Initiatives, double? Planned, double? Actual, double? Lowest, double? Highest)>(new CommandDefinition(
            """
            SELECT COUNT(DISTINCT initiative_id), SUM(planned_value), SUM(actual_value), MIN(realization_rate), MAX(realization_rate)
            FROM pbi_fct_benefit_realization
            WHERE actual_value IS NOT NULL AND benefit_type <> @Movement
            """, new { Movement = Warehouse.Model.Labels.Movement }, cancellationToken: ct));
        if (realisation.Initiatives > 0 && realisation.Planned is > 0)
        {
            await output.WriteLineAsync(
                $"Benefit realisation, where actuals were reported ({realisation.Initiatives} initiatives): planned {Sek((decimal)realisation.Planned.Value)}, " +
                $"realised {Sek((decimal)(realisation.Actual ?? 0))} ({realisation.Actual / realisation.Planned:P0}); " +
                $"per line and year from {realisation.Lowest:P0} to {realisation.Highest:P0}.");
        }
        var index = (await connection.QueryAsync<(int Year, double Index, long Units)>(new CommandDefinition(
            "SELECT year, index_value, units FROM pbi_fct_digitalization_index_total ORDER BY year", cancellationToken: ct))).ToList();
        if (index.Count > 0)
        {
            await output.WriteLineAsync(
                $"Digitaliseringsindex of the municipality (0–10, the mean of its verksamheter's): " +
                string.Join(" · ", index.Select(i => $"{i.Year} {Warehouse.Calculations.DigitalizationIndexCalculator.Format((decimal)i.Index)} ({i.Units} verksamheter)")) + ".");
        }
        await output.WriteLineAsync(await LeadTimesLineAsync(connection, ct));
        await output.WriteLineAsync();
        await output.WriteLineAsync(
            $"Power BI reads the pbi_* views of that file through the SQLite ODBC driver: in reports/, set the parameters Databastyp = SQLite (ODBC) " +
            $"and Database = {dbPath} (Transform data > Edit parameters; see docs/operator-guide.md, 'Connecting Power BI').");
        await output.WriteLineAsync($"  nacka-insights status --db \"{dbPath}\"   shows the runs and files.");
        await output.WriteLineAsync($"  sqlite3 \"{dbPath}\" \"SELECT * FROM pbi_fct_business_case_year WHERE initiative_id = '{DemoSourceWriter.ReferenceInitiativeId}'\"");
        await output.WriteLineAsync($"  nacka-insights template actuals --object {DemoActualsWriter.SilentObject} --out utfall.xlsx --db \"{dbPath}\"   writes an objektsförvaltare's workbook.");
    }

    /// <summary>
    /// The demo summary's line on the lifecycle: the median days from idea to decision (<c>days_to_decision</c>) and from
    /// decision to förvaltning (<c>entered_forvaltning_on</c> − <c>decided_on</c> where both are set and the later is not
    /// before the earlier), over the initiatives of <c>pbi_fct_initiative_lifecycle</c> that have them.
    /// </summary>
    public static async Task<string> LeadTimesLineAsync(System.Data.Common.DbConnection connection, CancellationToken ct)
    {
        var rows = await connection.QueryAsync<(long? DaysToDecision, object? DecidedOn, object? EnteredForvaltningOn)>(new CommandDefinition(
            "SELECT days_to_decision, decided_on, entered_forvaltning_on FROM pbi_fct_initiative_lifecycle", cancellationToken: ct));
        var toDecision = new List<int>();
        var toForvaltning = new List<int>();
        foreach (var row in rows)
        {
            if (row.DaysToDecision is >= 0 and var days)
            {
                toDecision.Add((int)days);
            }
            if (DateOf(row.DecidedOn) is { } decided && DateOf(row.EnteredForvaltningOn) is { } entered && entered >= decided)
            {
                toForvaltning.Add(entered.DayNumber - decided.DayNumber);
            }
        }
        return LeadTimesLine(toDecision, toForvaltning);
    }

    /// <summary>The lifecycle line from the lead times in days, as <see cref="LeadTimesLineAsync"/> prints it.</summary>
    public static string LeadTimesLine(IReadOnlyCollection<int> ideaToDecision, IReadOnlyCollection<int> decisionToForvaltning)
    {
        const string Prefix = "Lead times (the median, from pbi_fct_initiative_lifecycle): ";
        if (ideaToDecision.Count == 0)
        {
            return Prefix + "no initiative has reached a decision yet.";
        }
        var line = $"{Prefix}idea to decision {Days(ideaToDecision)}";
        return line + (decisionToForvaltning.Count == 0
            ? " · no initiative has reached förvaltning after its decision yet."
            : $" · decision to förvaltning {Days(decisionToForvaltning)}.");

        static string Days(IReadOnlyCollection<int> days) =>
            $"{SwedishNumber.Format(Median(days))} days ({(days.Count == 1 ? "1 initiative" : $"{days.Count} initiatives")})";
    }

    /// <summary>The middle value, or the mean of the two middle ones, as Power BI's MEDIAN gives it.</summary>
    public static decimal Median(IReadOnlyCollection<int> values)
    {
        var sorted = values.Order().ToList();
        var middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2m;
    }

    /// <summary>A date as the databases give it: a date or timestamp, or ISO text (SQLite).</summary>
    private static DateOnly? DateOf(object? value) => value switch
    {
        null or DBNull => null,
        DateTime d => DateOnly.FromDateTime(d),
        DateOnly d => d,
        string s when s.Length >= 10 && DateOnly.TryParseExact(s[..10], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) => d,
        _ => null,
    };

    public static async Task WriteStatusAsync(TextWriter output, WarehouseQueries queries, WarehouseDatabase database, int runCount, CancellationToken ct)
    {
        var runs = await queries.LatestRunsAsync(runCount, ct);
        await output.WriteLineAsync($"Warehouse: {database.Describe()}");
        if (runs.Count == 0)
        {
            await output.WriteLineAsync("No runs yet.");
            return;
        }
        await output.WriteLineAsync();
        await output.WriteLineAsync($"{"run",5}  {"started (UTC)",-19}  {"took",7}  {"status",-11}  {"loaded",7}  {"rejected",8}  message");
        foreach (var run in runs)
        {
            var took = run.FinishedAtUtc is { } f ? $"{(f - run.StartedAtUtc).TotalSeconds:0.0} s" : "";
            await output.WriteLineAsync(
                $"{run.RunId,5}  {run.StartedAtUtc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),-19}  {took,7}  {run.Status,-11}  {run.RowsLoaded,7}  {run.RowsRejected,8}  {run.Message}");
        }

        var latest = runs[0];
        var files = await queries.FilesOfRunAsync(latest.RunId, ct);
        if (files.Count > 0)
        {
            await output.WriteLineAsync();
            await output.WriteLineAsync($"Files of run {latest.RunId}:");
            foreach (var file in files)
            {
                await output.WriteLineAsync($"  {file.Status,-13}  {file.SourceKind,-13}  {file.FileName}  {file.Message}");
            }
        }
        var problems = await queries.ProblemsOfRunAsync(latest.RunId, ct);
        if (problems.Count > 0)
        {
            await output.WriteLineAsync();
            await output.WriteLineAsync($"Problems found in run {latest.RunId}:");
            foreach (var p in problems)
            {
                var location = p.ItemId is not null ? $"objekt {p.ItemId}: " : p.SheetName is null ? "" : p.Cell is null ? $"{p.SheetName}: " : $"{p.SheetName}!{p.Cell}: ";
                await output.WriteLineAsync($"  {p.SourceName}: {location}{p.Message}");
            }
        }
    }
}

/// <summary>Shows a run's progress on a terminal, on one line of standard error.</summary>
internal sealed class TerminalProgress(TextWriter stderr) : IRunObserver
{
    private int _files;
    private string _phase = "";

    public void PhaseStarting(long runId, string phase)
    {
        _phase = phase;
        Draw(runId);
    }

    public void FileProcessed(long runId, FileResult file)
    {
        Interlocked.Increment(ref _files);
        if (_files % 10 == 0)
        {
            Draw(runId);
        }
    }

    public void Done() => stderr.Write("\r\x1b[2K");

    private void Draw(long runId) => stderr.Write($"\r\x1b[2KRun {runId}: {_phase}, {_files} files taken in…");
}
