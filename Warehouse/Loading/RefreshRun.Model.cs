using System.Data.Common;
using System.Globalization;
using Dapper;
using NackaInsights.Warehouse.Calculations;
using NackaInsights.Warehouse.Model;
using NackaInsights.Warehouse.Quality;
using NackaInsights.Warehouse.Marts;
using NackaInsights.Warehouse.Runs;
using NackaInsights.Warehouse.Storage;

using static NackaInsights.Warehouse.Runs.Columns;

namespace NackaInsights.Warehouse.Loading;

/// <summary>The <c>source</c> of an initiative row: which source its attributes come from.</summary>
public static class InitiativeSources
{
    public const string List = "Initiativlistan";
    public const string BusinessCase = "Nyttokalkyl";
}

public sealed partial class RefreshRun
{
    /// <summary>The end of a current version's validity.</summary>
    public static readonly DateOnly OpenEnd = new(9999, 12, 31);


    /// <summary>
    /// The window of plausible dates: the calendar covers no day outside it, whatever a fact or a history carries.
    /// Given by <see cref="WarehouseLoader"/> from the configuration section <c>InputLimits</c>.
    /// </summary>
    internal InputLimits Limits { get; init; } = new();

    /// <summary>How many initiatives' rows a rebuild of every initiative's reads and writes at a time.</summary>
    internal int RebuildPart { get; set; } = 1_000;

    private readonly UnknownInitiativeItems _unknownInitiatives = new();

    /// <summary>What the marts build with in this run, as it stands now.</summary>
    private MartContext MartContext() => new()
    {
        Sql = _sql,
        RunId = RunId,
        StartedAtUtc = StartedAtUtc,
        Logger = _logger,
        Calculation = _calculation,
        Evaluation = _evaluation,
        Index = _index,
        Access = _access,
        Limits = Limits,
        RecomputesAll = RecomputesAll,
        RebuildPart = RebuildPart,
        UnknownInitiatives = _unknownInitiatives,
        Snapshot = _snapshot,
    };

    /// <summary>Records, once the model is final, each item left out because its initiative is unknown.</summary>
    private void RecordUnknownInitiatives()
    {
        foreach (var (listName, itemId, initiativeId) in _unknownInitiatives.Take())
        {
            var message = $"Initiativet {initiativeId} finns varken i listan Initiativ eller i någon nyttokalkyl; objektet räknas inte med.";
            Buffer(WarehouseTables.EtlProblem, _ledger.TakeProblemId(), RunId, null, ListSourceKind, listName, null, null, message, itemId);
        }
    }
}
