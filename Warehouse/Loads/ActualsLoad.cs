using System.Globalization;
using NackaInsights.Warehouse.Calculations;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Model;
using NackaInsights.Warehouse.Runs;

namespace NackaInsights.Warehouse.Loads;

/// <summary>
/// The actuals workbooks of one run, as judged against the catalogue (<see cref="ActualsValidator"/>): each row as read
/// into <c>raw_actual_row</c>, and each accepted value as a new actual (<c>fct_benefit_actual</c>), numbered on from the
/// published ones, buffered. It remembers every initiative with an actual accepted, whose realisation the run rebuilds.
/// </summary>
public sealed class ActualsLoad
{
    private long? _nextActualId;

    /// <summary>Whether it knows the next actual's id yet (<see cref="NumberActualsFrom"/>).</summary>
    public bool NumbersActuals => _nextActualId is not null;

    /// <summary>The id the next accepted actual gets: one past the published ones, read once per run.</summary>
    public void NumberActualsFrom(long next) => _nextActualId = next;

    /// <summary>Where the numbering stands, for a staging that may be undone (<see cref="Forget"/>).</summary>
    public long? Mark => _nextActualId;

    /// <summary>Goes back to the numbering of <paramref name="mark"/>: the staging since was undone.</summary>
    public void Forget(long? mark) => _nextActualId = mark;

    /// <summary>
    /// Buffers one judged workbook, already recorded as file <paramref name="fileId"/>: every row as read, and every
    /// accepted value under its initiative as the catalogue spells it.
    /// </summary>
    public void Take(SourceFile file, ActualsUpload upload, ActualsValidation validation, ActualsCatalogue catalogue, long fileId, long runId, DateTime startedAtUtc, RowBuffer buffer)
    {
        var reportedBy = string.IsNullOrWhiteSpace(upload.ReportedBy) ? file.AuthorEmail : upload.ReportedBy.Trim();
        var reportedAt = file.ModifiedUtc ?? startedAtUtc;
        foreach (var outcome in validation.Rows)
        {
            var row = outcome.Row;
            buffer.Add(WarehouseTables.RawActualRow,
                fileId, row.Row, row.InitiativeId, row.BenefitLine, row.TypeText, row.YearText, row.PlannedText, row.ValueText, row.Comment,
                ActualRowStatuses.Of(outcome.Status), outcome.Status == ActualRowStatus.Rejected ? outcome.ResultText : null);
            if (outcome.Status != ActualRowStatus.Accepted)
            {
                continue;
            }
            var line = outcome.Line!;
            var initiativeId = catalogue.Find(row.InitiativeId!)!.InitiativeId;
            buffer.Add(WarehouseTables.BenefitActual,
                NextActualId(), initiativeId, line.Name, ActualsValidator.LineKey(line.Name), Labels.Of(line.Type), row.Year!.Value, row.Value!.Value,
                row.Comment, reportedBy, file.AuthorEmail, reportedAt, fileId, runId, upload.SheetName,
                upload.Columns.Value + row.Row.ToString(CultureInfo.InvariantCulture), true, null);
        }
    }

    private long NextActualId() =>
        _nextActualId++ ?? throw new InvalidOperationException("Actuals are numbered from the published ones: NumberActualsFrom comes first.");
}
