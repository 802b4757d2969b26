using System.Data.Common;
using Dapper;
using Microsoft.Extensions.Logging;
using NackaInsights.Warehouse.Calculations;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Model;
using static NackaInsights.Warehouse.Runs.Columns;

namespace NackaInsights.Warehouse.Marts;

/// <summary>The feed of the Power BI role Verksamhet, <c>sec_unit_access</c>.</summary>
public sealed class UnitAccessMart : IMart
{
    public string Name => "unit_access";

    public string Grain => "one row per unit and person who may see it (from configuration or as objektsförvaltare)";

    public IReadOnlyList<string> Reads { get; } = ["dim_unit", "dim_object", "dim_initiative", "sec_unit_access"];

    public IReadOnlyList<string> Writes { get; } = ["sec_unit_access"];

    public bool ByInitiative => false;

    public Task BuildAsync(MartContext context, MartScope scope, CancellationToken ct) => RebuildAsync(context, ct);

    /// <summary>
    /// Due whole when the people configuration names (<see cref="AccessOptions.Units"/>) for the units the warehouse knows are not
    /// those stored from configuration: the one input of the feed no table holds. The units, objects and initiatives make it
    /// due through the graph when written.
    /// </summary>
    public Task<bool> IsDueAsync(MartContext context, CancellationToken ct) => new Work(context).ConfigurationChangedAsync(ct);

    /// <summary>Rebuilds the feed when what it should hold differs from what is stored, or on a recompute; says whether it did.</summary>
    internal Task<bool> RebuildAsync(MartContext context, CancellationToken ct) => new Work(context).RebuildAsync(ct);

    private sealed class Work(MartContext context) : MartWork(context)
    {
        /// <summary>
        /// At completion, once the units are final: the feed of the Power BI role <c>Verksamhet</c>,
        /// <c>sec_unit_access</c> (<c>pbi_sec_unit_access</c>). Who may see a unit is what configuration names
        /// (<see cref="AccessOptions.Units"/>, source <c>Konfiguration</c>) and each förvaltningsobjekt's
        /// objektsförvaltare for the object's unit and the units of the initiatives on the object (source
        /// <c>Forvaltningsobjekt</c>), the feed of the role <c>Objektsförvaltare</c>'s unit filter too; a person both named and
        /// förvaltare is one row, from configuration. Names are trimmed and in lower case; only units of
        /// <c>dim_unit</c> are kept, and a configured unit the warehouse does not know is left out with a warning
        /// (it is taken in by the first run that knows it).
        /// <para>
        /// What it should hold depends on the objects, the initiatives' units and objects, the units and the configuration, and is computed every run
        /// from those small tables; it is written only when it differs from what is stored (or when the run
        /// <see cref="RecomputeAll">recomputes all</see>), so that a run with nothing new writes nothing. Each row
        /// carries the run that last rebuilt the feed.
        /// </para>
        /// </summary>
        public async Task<bool> ConfigurationChangedAsync(CancellationToken ct)
        {
            var (configured, _) = Configured(await UnitsAsync(ct));
            var stored = await ReadAsync("SELECT unit, user_principal_name FROM sec_unit_access WHERE source = @Source",
                r => new AccessKey(Text(r, 0), Text(r, 1)), ct, ("@Source", UnitAccessSources.Configuration));
            return !stored.ToHashSet().SetEquals(configured.Keys);
        }

        private async Task<HashSet<string>> UnitsAsync(CancellationToken ct) =>
            (await ReadAsync("SELECT unit FROM dim_unit", r => Text(r, 0), ct)).ToHashSet(StringComparer.Ordinal);

        /// <summary>What configuration grants, for the units the warehouse knows (in its spelling), and the units it names that it does not know.</summary>
        private (Dictionary<AccessKey, string> Wanted, SortedSet<string> Unknown) Configured(HashSet<string> units)
        {
            var unitsIgnoringCase = units.GroupBy(u => u, StringComparer.OrdinalIgnoreCase)
                .Where(g => g.Count() == 1)
                .ToDictionary(g => g.Key, g => g.Single(), StringComparer.OrdinalIgnoreCase);
            string? Known(string unit) => units.Contains(unit) ? unit : unitsIgnoringCase.GetValueOrDefault(unit);

            var wanted = new Dictionary<AccessKey, string>();
            var unknown = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var (unit, name) in Context.Access.Grants())
            {
                if (Known(unit) is { } known)
                {
                    wanted.TryAdd(new AccessKey(known, name), UnitAccessSources.Configuration);
                }
                else
                {
                    unknown.Add(unit);
                }
            }
            return (wanted, unknown);
        }

        public async Task<bool> RebuildAsync(CancellationToken ct)
        {
            var units = await UnitsAsync(ct);
            var (wanted, unknown) = Configured(units);
            if (unknown.Count > 0)
            {
                Logger.LogWarning(
                    "Run {RunId}: AccessOptions:Units names unit(s) the warehouse does not know, left out of pbi_sec_unit_access until they appear: {Units}",
                    RunId, string.Join(", ", unknown));
            }

            // The units of the förvaltare's objects, and of the initiatives on them: the role Objektsförvaltare filters
            // Verksamhet on these rows as well as Förvaltningsobjekt on the förvaltare, and an initiative of another unit
            // on my object would otherwise be hidden by the unit filter.
            var managers = await ReadAsync(
                """
                SELECT unit, manager_email FROM dim_object WHERE unit IS NOT NULL AND manager_email IS NOT NULL
                UNION
                SELECT i.unit, o.manager_email FROM dim_initiative i JOIN dim_object o ON o.object_id = i.object_id WHERE o.manager_email IS NOT NULL
                """, r => new AccessKey(Text(r, 0), Text(r, 1)), ct);
            foreach (var (unit, email) in managers)
            {
                var name = AccessOptions.Normalize(email);
                if (name.Length == 0 || !units.Contains(unit))
                {
                    continue;
                }
                if (name.Length > AccessOptions.MaxNameLength)
                {
                    Logger.LogWarning("Run {RunId}: the objektsförvaltare {Name} of a förvaltningsobjekt of or used by {Unit} is longer than {Max} characters; left out of pbi_sec_unit_access",
                        RunId, name, unit, AccessOptions.MaxNameLength);
                    continue;
                }
                wanted.TryAdd(new AccessKey(unit, name), UnitAccessSources.ObjectManager);
            }

            var stored = (await ReadAsync(
                "SELECT unit, user_principal_name, source FROM sec_unit_access", r => new AccessRow(Text(r, 0), Text(r, 1), Text(r, 2)), ct)).ToHashSet();
            var rows = wanted.Select(w => new AccessRow(w.Key.Unit, w.Key.UserPrincipalName, w.Value)).ToHashSet();
            if (!Context.RecomputesAll && stored.SetEquals(rows))
            {
                return false;
            }

            await ExecuteAsync("DELETE FROM sec_unit_access", ct);
            await InsertAsync(WarehouseTables.UnitAccess,
                rows.OrderBy(r => r.Unit, StringComparer.Ordinal).ThenBy(r => r.UserPrincipalName, StringComparer.Ordinal)
                    .Select(r => new object?[] { r.Unit, r.UserPrincipalName, r.Source, RunId })
                    .ToList(),
                ct);
            Logger.LogInformation(
                "Run {RunId}: pbi_sec_unit_access rebuilt: {Rows} row(s), {Configured} from configuration, {Managers} from the objektsförvaltare ({Added} added, {Removed} removed)",
                RunId, rows.Count, rows.Count(r => r.Source == UnitAccessSources.Configuration), rows.Count(r => r.Source == UnitAccessSources.ObjectManager),
                rows.Except(stored).Count(), stored.Except(rows).Count());
            return true;
        }

        private sealed record AccessKey(string Unit, string UserPrincipalName);

        private sealed record AccessRow(string Unit, string UserPrincipalName, string Source);
    }
}
