using System.Data.Common;
using Dapper;
using Microsoft.Extensions.Logging;
using NackaInsights.Warehouse.Calculations;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Model;
using static NackaInsights.Warehouse.Runs.Columns;

namespace NackaInsights.Warehouse.Marts;

/// <summary>Every unit the model names.</summary>
public sealed class UnitMart : IMart
{
    public string Name => "unit";

    public string Grain => "one row per unit (verksamhet) that an initiative, its history, an object or the index names";

    public IReadOnlyList<string> Reads { get; } = ["dim_initiative", "dim_initiative_history", "dim_object", "fct_digitalization_index_unit", "dim_unit"];

    public IReadOnlyList<string> Writes { get; } = ["dim_unit"];

    public bool ByInitiative => false;

    public Task BuildAsync(MartContext context, MartScope scope, CancellationToken ct) => new Work(context).RebuildUnitsAsync(ct);

    private sealed class Work(MartContext context) : MartWork(context)
    {
        /// <summary>Every unit the initiatives, their history, the objects and the index name; only the difference to what is stored is written.</summary>
        public async Task RebuildUnitsAsync(CancellationToken ct)
        {
            var wanted = (await ReadAsync(
                """
                SELECT unit FROM dim_initiative
                UNION
                SELECT unit FROM dim_initiative_history
                UNION
                SELECT unit FROM dim_object WHERE unit IS NOT NULL
                UNION
                SELECT unit FROM fct_digitalization_index_unit
                """, r => Text(r, 0), ct)).ToHashSet(StringComparer.Ordinal);
            var stored = (await ReadAsync("SELECT unit FROM dim_unit", r => Text(r, 0), ct)).ToHashSet(StringComparer.Ordinal);
            var gone = stored.Where(u => !wanted.Contains(u)).ToList();
            if (gone.Count > 0)
            {
                await ExecuteScopedAsync("DELETE FROM dim_unit WHERE {scope}", "unit", gone, ct);
            }
            await InsertAsync(WarehouseTables.Unit, wanted.Where(u => !stored.Contains(u)).Order(StringComparer.Ordinal).Select(u => new object?[] { u }).ToList(), ct);
        }
    }
}
