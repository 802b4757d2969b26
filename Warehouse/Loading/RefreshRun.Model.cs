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

    /// <summary>
    /// Rebuilds what depends on what the run changed: the current business cases, the initiative
    /// versions (type 2) and dimension, units, goals, objects, evaluations, project status and the
    /// calendar. Unchanged parts are left alone, so that a small change stays a small run: with a
    /// <paramref name="scope"/>, only business cases of those initiatives changed, and only their rows are
    /// rebuilt; without one (a list changed, a recompute), whole tables are.
    /// </summary>
    private async Task RebuildModelAsync(bool businessCasesChanged, IReadOnlySet<string> listsChanged, IReadOnlyCollection<string>? scope, CancellationToken ct)
    {
        if (businessCasesChanged)
        {
            await WarehouseMarts.BusinessCaseVersion.MarkCurrentAsync(MartContext(), Scope(scope), ct);
        }
        if (listsChanged.Contains(Lists.Initiatives))
        {
            await WarehouseMarts.InitiativeVersion.BuildAsync(MartContext(), MartScope.Whole, ct);
            // The initiatives that reached Förvaltning or Avslutad count in the digitaliseringsindex.
            _indexInputsChanged = true;
        }
        var initiatives = InitiativeMart.InitiativeChanges.None;
        if (businessCasesChanged || listsChanged.Contains(Lists.Initiatives) || listsChanged.Contains(Lists.Objects))
        {
            initiatives = await WarehouseMarts.Initiative.RebuildAsync(MartContext(), Scope(scope), ct);
        }
        if (listsChanged.Contains(Lists.Objects))
        {
            await WarehouseMarts.Object.BuildAsync(MartContext(), MartScope.Whole, ct);
        }
        if (initiatives.RowsChanged || listsChanged.Contains(Lists.Objects))
        {
            await RebuildUnitsAsync(ct);
        }
        if (initiatives.RowsChanged)
        {
            // The index reads each initiative's unit and its versions' units.
            _indexInputsChanged = true;
        }
        // An evaluation or a status report counts once its initiative is known: a new initiative takes its own in,
        // a changed list or an initiative gone from the register rebuilds them all.
        IReadOnlyCollection<string>? known = initiatives.Removed.Count > 0 || scope is null ? null : initiatives.Added;
        if (listsChanged.Contains(Lists.Assessments) || initiatives.Removed.Count > 0 || initiatives.Added.Count > 0)
        {
            await WarehouseMarts.Evaluation.BuildAsync(MartContext(), Scope(listsChanged.Contains(Lists.Assessments) ? null : known), ct);
        }
        if (listsChanged.Contains(Lists.ProjectStatus) || initiatives.Removed.Count > 0 || initiatives.Added.Count > 0)
        {
            await WarehouseMarts.ProjectStatus.BuildAsync(MartContext(), Scope(listsChanged.Contains(Lists.ProjectStatus) ? null : known), ct);
        }
        await RebuildCalendarAsync(ct);
    }

    /// <summary>
    /// The lists whose staged items were written since the model was last built (<see cref="RunTransaction.Pending"/>), or
    /// every list on a recompute.
    /// </summary>
    private IReadOnlySet<string> ListsChanged(TableWrites pending)
    {
        var lists = new HashSet<string>(StringComparer.Ordinal);
        foreach (var list in new[] { Lists.Objects, Lists.Initiatives, Lists.Assessments, Lists.ProjectStatus })
        {
            if (_recomputePending || pending.Of(StagingTableOf(list).Name).Kinds != TableWrite.None)
            {
                lists.Add(list);
            }
        }
        return lists;
    }

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
    };

    private static MartScope Scope(IReadOnlyCollection<string>? initiatives) => initiatives is null ? MartScope.Whole : MartScope.Of(initiatives);

    private Task RebuildCalendarAsync(CancellationToken ct) => WarehouseMarts.Calendar.BuildAsync(MartContext(), MartScope.Whole, ct);

    private Task RebuildUnitsAsync(CancellationToken ct) => WarehouseMarts.Unit.BuildAsync(MartContext(), MartScope.Whole, ct);

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
