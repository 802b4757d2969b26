using Dapper;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Model;
using NackaInsights.Warehouse.Runs;

namespace NackaInsights.Warehouse.Loads;

/// <summary>
/// The maturity survey exports of one run (index-survey.md): each row as read into <c>raw_survey_row</c>, and the accepted
/// values by year, unit and dimension, a later one replacing an earlier one, written over the published ones as the run
/// completes (<see cref="MergeAsync"/>).
/// </summary>
public sealed class SurveyLoad
{
    /// <summary>Accepted survey values of this run by key, in processing order: a later one replaces an earlier one.</summary>
    private readonly Dictionary<(int Year, string Unit, string Dimension), object?[]> _results = [];

    /// <summary>Buffers the rows of one export, already recorded as file <paramref name="fileId"/>, with each accepted row's unit as the warehouse spells it.</summary>
    public void Take(SourceFile file, SurveyUpload upload, long fileId, long runId, IReadOnlyDictionary<SurveyRow, string> units, RowBuffer buffer)
    {
        foreach (var row in upload.Rows)
        {
            buffer.Add(WarehouseTables.RawSurveyRow,
                fileId, row.Row, row.YearText, row.Unit, row.Dimension, row.PercentText, row.RespondentsText,
                row.IsAccepted ? SurveyRowStatuses.Loaded : SurveyRowStatuses.Rejected,
                row.IsAccepted ? null : string.Join(" ", row.Problems.Select(p => p.Message)));
            if (!row.IsAccepted)
            {
                continue;
            }
            if (row is not { Year: { } year, Unit: not null, Dimension: { } dimension, Percent: { } percent })
            {
                throw new ArgumentException($"Row {row.Row} of {file.Name} is accepted but lacks its year, unit, dimension or percentage.", nameof(upload));
            }
            var unit = units[row];
            _results[(year, unit, dimension)] =
                [year, unit, dimension, percent, row.Respondents, fileId, runId, upload.SheetName, row.PercentCell, row.Row];
        }
    }

    /// <summary>Writes the run's values over the published ones of their keys (<c>fct_survey_result</c>).</summary>
    public async Task MergeAsync(RunTransaction sql, CancellationToken ct)
    {
        if (_results.Count == 0)
        {
            return;
        }
        foreach (var batch in _results.Keys.Chunk(200))
        {
            var parameters = new DynamicParameters();
            var keys = batch.Select((k, i) =>
            {
                parameters.Add($"y{i}", k.Year);
                parameters.Add($"u{i}", k.Unit);
                parameters.Add($"d{i}", k.Dimension);
                return $"(year = @y{i} AND unit = @u{i} AND dimension = @d{i})";
            });
            await sql.ExecuteDapperAsync($"DELETE FROM fct_survey_result WHERE {string.Join(" OR ", keys)}", parameters, ct);
        }
        await sql.InsertAsync(WarehouseTables.SurveyResult, _results.Values.ToList(), ct);
        _results.Clear();
    }

    /// <summary>The values as they stand, to go back to (<see cref="Forget"/>): a later value replaces an earlier one, so only a copy gives it back. Survey exports are few.</summary>
    public IReadOnlyDictionary<(int Year, string Unit, string Dimension), object?[]> Marked() => new Dictionary<(int Year, string Unit, string Dimension), object?[]>(_results);

    public void Forget(IReadOnlyDictionary<(int Year, string Unit, string Dimension), object?[]> mark)
    {
        _results.Clear();
        foreach (var (key, row) in mark)
        {
            _results[key] = row;
        }
    }
}
