using System.Data.Common;
using Dapper;
using Microsoft.Extensions.Logging;
using NackaInsights.Warehouse.Calculations;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Model;
using static NackaInsights.Warehouse.Runs.Columns;

namespace NackaInsights.Warehouse.Marts;

/// <summary>The förvaltningsobjekt of the list Forvaltningsobjekt.</summary>
public sealed class ObjectMart : IMart
{
    public string Name => "object";

    public string Grain => "one row per förvaltningsobjekt";

    public IReadOnlyList<string> Reads { get; } = ["stg_list_object"];

    public IReadOnlyList<string> Writes { get; } = ["dim_object"];

    public bool ByInitiative => false;

    public Task BuildAsync(MartContext context, MartScope scope, CancellationToken ct) => new Work(context).RebuildObjectsAsync(ct);

    private sealed class Work(MartContext context) : MartWork(context)
    {
        /// <summary>
        /// The objects of the list. Two items with one ObjektId: neither speaks for the object (<see cref="ListKeys.OnePerKey"/>), whose
        /// row, with its objektsförvaltare, stays as it was; one never published stays out.
        /// </summary>
        public async Task RebuildObjectsAsync(CancellationToken ct)
        {
            const string Shared = "SELECT object_id FROM stg_list_object GROUP BY object_id HAVING COUNT(*) > 1";
            await ExecuteAsync($"DELETE FROM dim_object WHERE object_id NOT IN ({Shared})", ct);
            await ExecuteAsync(
                $"""
                INSERT INTO dim_object (object_id, name, manager_email, unit, item_id)
                SELECT s.object_id, s.name, s.manager_email, s.unit, s.item_id
                FROM stg_list_object s
                WHERE s.object_id NOT IN ({Shared})
                """, ct);
        }
    }
}
