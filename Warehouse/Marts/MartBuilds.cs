using System.Diagnostics;
using Microsoft.Extensions.Logging;
using NackaInsights.Warehouse.Quality;

namespace NackaInsights.Warehouse.Marts;

/// <summary>A mart a run built, for which rows, the tables it changed (none when its rows were already right), and how long it took.</summary>
public sealed record MartBuild(string Mart, MartScope Scope, IReadOnlyList<string> Wrote, TimeSpan Elapsed)
{
    public override string ToString() =>
        $"{Mart} ({Scope}, {Elapsed.TotalSeconds.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture)} s): {(Wrote.Count == 0 ? "no change" : string.Join(", ", Wrote))}";
}

/// <summary>
/// The model's part of one run, driven by the graph. Each mart keeps what was written, since it was last built, to the
/// tables it reads: by the loads, or by the marts before it. A build takes, in the graph's order, every mart that has
/// such writes (or is due on its own: <see cref="IMart.IsDueAsync"/>, a recompute, a request), builds it with the scope
/// those writes make, and hands what it wrote on to the marts that read it. A mart that wrote nothing (its rows were
/// already right) makes nothing downstream due: a small change stays a small run. No flag says what to rebuild.
/// </summary>
public sealed class MartBuilds(MartGraph graph)
{
    private readonly Dictionary<IMart, MartScope> _due = [];
    // The tables whose writes made each due mart due; a mart due whole for another reason has none (MartContext.DueFrom).
    private readonly Dictionary<IMart, HashSet<string>?> _dueFrom = [];
    private readonly HashSet<IMart> _asked = [];
    private readonly HashSet<IMart> _requested = [];
    private readonly List<MartBuild> _built = [];
    private bool _recomputing;

    /// <summary>The marts built so far in the run, in the order they were built.</summary>
    public IReadOnlyList<MartBuild> Built => _built;

    /// <summary>Makes a mart built <see cref="IMart.OnRequest">on request</see> due at the next build.</summary>
    public void Request(IMart mart) => _requested.Add(mart);

    /// <summary>
    /// Brings the marts up to date with what the run wrote: all of them, or (mid-run, when a load needs some tables as they
    /// now stand) only those that feed <paramref name="tables"/>; the others keep what is due to them for later. Returns
    /// whether it built anything.
    /// </summary>
    public async Task<bool> BuildAsync(MartContext context, IReadOnlyCollection<string>? tables, Func<IMart, Func<Task>, Task> measure, CancellationToken ct)
    {
        HandOn(context.Sql.TakePending(), writer: null);
        if (context.RecomputesAll && !_recomputing)
        {
            _recomputing = true;
            foreach (var mart in graph.Order.Where(m => !m.OnRequest))
            {
                _due[mart] = MartScope.Whole;
                _dueFrom[mart] = null;
            }
        }
        var only = tables is null ? null : graph.Feeding([.. tables]);
        var built = false;
        foreach (var mart in graph.Order)
        {
            if (only is not null && !only.Contains(mart))
            {
                continue;
            }
            if (mart.OnRequest ? _requested.Remove(mart) : !_asked.Contains(mart) && await AskAsync(mart, context, ct))
            {
                _due[mart] = MartScope.Whole;
                _dueFrom[mart] = null;
            }
            if (!_due.Remove(mart, out var due))
            {
                continue;
            }
            _dueFrom.Remove(mart, out var dueFrom);
            var scope = MartGraph.ScopeFor(mart, due);
            var started = Stopwatch.GetTimestamp();
            context.DueFrom = dueFrom;
            try
            {
                await measure(mart, () => mart.BuildAsync(context, scope, ct));
            }
            finally
            {
                context.DueFrom = null;
            }
            var elapsed = Stopwatch.GetElapsedTime(started);
            var wrote = context.Sql.TakePending();
            _built.Add(new MartBuild(mart.Name, scope, [.. wrote.Tables.Where(t => t.Value.Kinds != TableWrite.None).Select(t => t.Key).Order(StringComparer.Ordinal)], elapsed));
            HandOn(wrote, writer: mart);
            context.Logger.LogDebug("Run {RunId}: built {Build}", context.RunId, _built[^1]);
            built = true;
        }
        return built;
    }

    private async Task<bool> AskAsync(IMart mart, MartContext context, CancellationToken ct)
    {
        _asked.Add(mart);
        return await mart.IsDueAsync(context, ct);
    }

    /// <summary>Each write to a table goes to every mart that reads it, but not back to the mart that made it.</summary>
    private void HandOn(TableWrites written, IMart? writer)
    {
        foreach (var (table, write) in written.Tables)
        {
            if (write.Kinds == TableWrite.None)
            {
                continue;
            }
            var scope = MartScope.Of(write);
            foreach (var mart in graph.Order)
            {
                if (ReferenceEquals(mart, writer) || mart.OnRequest || !mart.Reads.Contains(table, StringComparer.OrdinalIgnoreCase))
                {
                    continue;
                }
                var first = !_due.TryGetValue(mart, out var earlier);
                _due[mart] = first ? scope : earlier!.With(scope);
                if (first)
                {
                    _dueFrom[mart] = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { table };
                }
                else
                {
                    _dueFrom.GetValueOrDefault(mart)?.Add(table);
                }
            }
        }
    }
}
