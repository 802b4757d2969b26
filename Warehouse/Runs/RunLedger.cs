using NackaInsights.Warehouse.Loading;

namespace NackaInsights.Warehouse.Runs;

/// <summary>
/// What a run has taken in, as its ledger records it (<c>etl_file</c>, <c>etl_problem</c>, the list reads), and the ids
/// it gives files, problems and business case versions: the next after the largest published, so that a run's rows never
/// collide with another's.
/// </summary>
public sealed class RunLedger(long lastFileId, long lastProblemId, long lastVersionId)
{
    private readonly List<FileResult> _files = [];
    private readonly List<ListResult> _lists = [];
    private long _nextProblemId = lastProblemId + 1;
    private long _nextVersionId = lastVersionId + 1;

    /// <summary>The files taken into the run so far, in order.</summary>
    public IReadOnlyList<FileResult> Files => _files;

    /// <summary>The list reads taken into the run so far, in order.</summary>
    public IReadOnlyList<ListResult> Lists => _lists;

    /// <summary>The id the next file will get.</summary>
    public long NextFileId { get; private set; } = lastFileId + 1;

    public long TakeFileId() => NextFileId++;

    public long TakeProblemId() => _nextProblemId++;

    public long TakeVersionId() => _nextVersionId++;

    public void Add(FileResult file) => _files.Add(file);

    public void Add(ListResult list) => _lists.Add(list);

    /// <summary>Rows loaded: of the files, and the lists' new or changed items.</summary>
    public int RowsLoaded => _files.Sum(f => f.RowsLoaded) + _lists.Sum(l => l.ItemsChanged);

    /// <summary>Rows rejected: of the files, and the lists' rejected items.</summary>
    public int RowsRejected => _files.Sum(f => f.RowsRejected) + _lists.Sum(l => l.ItemsRejected);

    /// <summary>Where the ledger stands, to go back to (<see cref="Forget"/>) when a file's staging is undone.</summary>
    public sealed record Mark(int Files, long NextFileId, long NextProblemId, long NextVersionId);

    public Mark Marked() => new(_files.Count, NextFileId, _nextProblemId, _nextVersionId);

    /// <summary>Forgets every file and id taken since <paramref name="mark"/>.</summary>
    public void Forget(Mark mark)
    {
        if (_files.Count > mark.Files)
        {
            _files.RemoveRange(mark.Files, _files.Count - mark.Files);
        }
        (NextFileId, _nextProblemId, _nextVersionId) = (mark.NextFileId, mark.NextProblemId, mark.NextVersionId);
    }
}
