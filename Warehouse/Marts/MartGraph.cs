using NackaInsights.Warehouse.Quality;

namespace NackaInsights.Warehouse.Marts;

/// <summary>
/// The marts ordered from what they declare: each after the marts that write what it reads. It refuses a cycle and two
/// marts writing one table, and from what a run wrote (<see cref="TableWrites"/>) it tells which marts that can change,
/// and for which initiatives.
/// </summary>
public sealed class MartGraph
{
    private readonly Dictionary<string, IMart> _writers = new(StringComparer.OrdinalIgnoreCase);

    public MartGraph(IEnumerable<IMart> marts)
    {
        var declared = marts.ToList();
        foreach (var mart in declared)
        {
            foreach (var table in mart.Writes)
            {
                if (_writers.TryGetValue(table, out var other))
                {
                    throw new InvalidOperationException($"Both {other.Name} and {mart.Name} write {table}: a table has one mart, or its rows depend on which ran last.");
                }
                _writers[table] = mart;
            }
        }
        Order = Sort(declared);
    }

    /// <summary>The marts, each after every mart that writes a table it reads; otherwise in the order they were given.</summary>
    public IReadOnlyList<IMart> Order { get; }

    /// <summary>The mart that writes a table; null for a table only the loads write (staging, raw, ledger).</summary>
    public IMart? WriterOf(string table) => _writers.GetValueOrDefault(KeySet.TableOf(table));

    /// <summary>The marts a mart reads from directly.</summary>
    public IEnumerable<IMart> Inputs(IMart mart) =>
        mart.Reads.Select(WriterOf).OfType<IMart>().Where(m => !ReferenceEquals(m, mart)).Distinct();

    /// <summary>
    /// The marts what a run wrote can change, in build order, each with the initiatives whose rows can change: a mart is
    /// affected when a table it reads was written, by the run or by an affected mart before it. The rows of some
    /// initiatives written make a scope of those initiatives for a mart that <see cref="IMart.ByInitiative">builds by
    /// initiative</see>; any other write makes it whole, and so does what a mart whose rows are not by initiative wrote
    /// (<see cref="IMart.WritesByInitiative"/>).
    /// </summary>
    public IReadOnlyList<(IMart Mart, MartScope Scope)> Affected(TableWrites written)
    {
        var produced = new Dictionary<string, MartScope>(StringComparer.OrdinalIgnoreCase);
        var affected = new List<(IMart, MartScope)>();
        foreach (var mart in Order)
        {
            if (mart.OnRequest)
            {
                continue;
            }
            MartScope? scope = null;
            foreach (var table in mart.Reads)
            {
                if (written.Of(table) is { Kinds: not TableWrite.None } write)
                {
                    scope = scope is null ? MartScope.Of(write) : scope.With(MartScope.Of(write));
                }
                if (WriterOf(table) is { } writer && !ReferenceEquals(writer, mart) && produced.TryGetValue(KeySet.TableOf(table), out var upstream))
                {
                    scope = scope is null ? upstream : scope.With(upstream);
                }
            }
            if (scope is null)
            {
                continue;
            }
            scope = ScopeFor(mart, scope);
            affected.Add((mart, scope));
            foreach (var table in mart.Writes)
            {
                produced[table] = mart.WritesByInitiative ? scope : MartScope.Whole;
            }
        }
        return affected;
    }

    /// <summary>
    /// The scope a mart is built with: whole when it cannot build by initiative, or when so many initiatives are due that a
    /// few statements over whole tables cost less than many over their rows (<see cref="MartWork.ScopedRebuildLimit"/>).
    /// </summary>
    public static MartScope ScopeFor(IMart mart, MartScope due) =>
        !mart.ByInitiative || due.Initiatives is { Count: > MartWork.ScopedRebuildLimit } ? MartScope.Whole : due;

    /// <summary>
    /// What must be written before <paramref name="tables"/> are read mid-run: those tables, and every table that the marts
    /// feeding them (<see cref="Feeding"/>) read.
    /// </summary>
    public IReadOnlySet<string> ReadFor(params string[] tables)
    {
        var read = new HashSet<string>(tables.Select(KeySet.TableOf), StringComparer.OrdinalIgnoreCase);
        foreach (var mart in Feeding(tables))
        {
            read.UnionWith(mart.Reads.Select(KeySet.TableOf));
        }
        return read;
    }

    /// <summary>The marts whose tables, in turn, make those of <paramref name="tables"/>: what must be built before they are read.</summary>
    public IReadOnlySet<IMart> Feeding(params string[] tables)
    {
        var feeding = new HashSet<IMart>();
        var waiting = new Stack<IMart>(tables.Select(WriterOf).OfType<IMart>());
        while (waiting.TryPop(out var mart))
        {
            if (feeding.Add(mart))
            {
                foreach (var input in Inputs(mart))
                {
                    waiting.Push(input);
                }
            }
        }
        return feeding;
    }

    /// <summary>
    /// The tables a write to <paramref name="tables"/> can change: those, and every table of the marts it affects. What
    /// the data checks after such a write read (<see cref="DataChecks.Plan(TableWrites, IViewLineage?)"/>).
    /// </summary>
    public TableWrites WritesAfter(params string[] tables)
    {
        var written = new TableWrites();
        foreach (var table in tables)
        {
            written.Record(table, TableWrite.Inserted | TableWrite.Changed);
        }
        foreach (var (mart, _) in Affected(written))
        {
            foreach (var table in mart.Writes)
            {
                written.Record(table, TableWrite.Inserted | TableWrite.Changed);
            }
        }
        return written;
    }

    private IReadOnlyList<IMart> Sort(List<IMart> marts)
    {
        var inputs = marts.ToDictionary(m => m, m => Inputs(m).ToHashSet());
        var order = new List<IMart>();
        var done = new HashSet<IMart>();
        while (order.Count < marts.Count)
        {
            // The first mart, in the given order, whose inputs are all built: a stable order for equal standing.
            var next = marts.FirstOrDefault(m => !done.Contains(m) && inputs[m].All(done.Contains));
            if (next is null)
            {
                var waiting = marts.Where(m => !done.Contains(m)).Select(m => $"{m.Name} (reads {string.Join(", ", inputs[m].Where(i => !done.Contains(i)).Select(i => i.Name))})");
                throw new InvalidOperationException($"The marts read each other's tables in a cycle: {string.Join("; ", waiting)}.");
            }
            order.Add(next);
            done.Add(next);
        }
        return order;
    }
}
