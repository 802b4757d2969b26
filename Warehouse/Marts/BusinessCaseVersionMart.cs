using Microsoft.Extensions.Logging;
using NackaInsights.Warehouse.Calculations;
using static NackaInsights.Warehouse.Runs.Columns;

namespace NackaInsights.Warehouse.Marts;

/// <summary>
/// The business case versions as loaded, brought up to date: which version of each initiative is current, and each
/// version's net present value at the configured discount rate.
/// </summary>
public sealed class BusinessCaseVersionMart : IMart
{
    public string Name => "business_case_version";

    public string Grain => "one row per loaded business case version (the load writes them; this marks the current one and restates the net present value)";

    public IReadOnlyList<string> Reads { get; } = ["fct_business_case_version", "fct_business_case_year"];

    public IReadOnlyList<string> Writes { get; } = ["fct_business_case_version"];

    public bool ByInitiative => true;

    /// <summary>
    /// Due whole when a stored net present value was computed at another discount rate than configured: a changed rate
    /// restates them all, and what is built from them. Versions loaded later in the run are computed at the configured rate.
    /// </summary>
    public async Task<bool> IsDueAsync(MartContext context, CancellationToken ct) => await StaleVersionsAsync(context, ct) > 0;

    public async Task BuildAsync(MartContext context, MartScope scope, CancellationToken ct)
    {
        await RestateNetPresentValuesAsync(context, ct);
        await MarkCurrentAsync(context, scope, ct);
    }

    private static Task<long> StaleVersionsAsync(MartContext context, CancellationToken ct) =>
        context.Sql.CountAsync("SELECT COUNT(*) FROM fct_business_case_version WHERE discount_rate <> @Rate", ct, ("@Rate", context.Sql.Dialect.Decimal(context.Calculation.DiscountRate)));

    /// <summary>The latest loaded version of each initiative of <paramref name="scope"/> is current: versions are numbered in processing order.</summary>
    internal Task MarkCurrentAsync(MartContext context, MartScope scope, CancellationToken ct) =>
        context.Sql.ExecuteScopedAsync(
            """
            UPDATE fct_business_case_version
            SET is_current = CASE WHEN bc_version_id = (
                SELECT MAX(l.bc_version_id) FROM fct_business_case_version l
                WHERE l.initiative_id = fct_business_case_version.initiative_id) THEN 1 ELSE 0 END
            WHERE {scope}
            """, "initiative_id", scope.Initiatives, ct);

    /// <summary>Brings every business case's net present value to the configured discount rate; returns how many it restated.</summary>
    internal async Task<int> RestateNetPresentValuesAsync(MartContext context, CancellationToken ct)
    {
        var sql = context.Sql;
        var rate = context.Calculation.DiscountRate;
        if (await StaleVersionsAsync(context, ct) == 0)
        {
            // The usual case, and a cheap one: nothing of the rest is ever run (nor compiled) in a run where the rate did not change.
            return 0;
        }
        var rows = await sql.ReadAsync(
            """
            SELECT y.bc_version_id, y.year, y.net_benefit_sek
            FROM fct_business_case_year y
            JOIN fct_business_case_version v ON v.bc_version_id = y.bc_version_id
            WHERE v.discount_rate <> @Rate
            """,
            r => new NetBenefitYear(Long(r, 0), Int(r, 1), Dec(r, 2)), ct, ("@Rate", sql.Dialect.Decimal(rate)));
        var updates = rows.GroupBy(r => r.VersionId)
            .Select(g => new
            {
                VersionId = g.Key,
                Npv = sql.Dialect.Decimal(BusinessCaseCalculator.NetPresentValue(g.Select(r => (r.Year, r.Net)), rate)),
                Rate = sql.Dialect.Decimal(rate),
            })
            .ToList();
        if (updates.Count > 0)
        {
            context.Logger.LogInformation(
                "Run {RunId}: recomputing the net present value of {Count} business cases at discount rate {Rate}", context.RunId, updates.Count, rate);
            await sql.ExecuteDapperAsync("UPDATE fct_business_case_version SET npv_sek = @Npv, discount_rate = @Rate WHERE bc_version_id = @VersionId", updates, ct);
        }
        return updates.Count;
    }

    private sealed record NetBenefitYear(long VersionId, int Year, decimal Net);
}
