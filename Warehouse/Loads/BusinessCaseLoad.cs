using NackaInsights.Warehouse.Calculations;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Model;
using NackaInsights.Warehouse.Runs;

namespace NackaInsights.Warehouse.Loads;

/// <summary>
/// The business case workbooks of one run: each workbook's raw attributes, lines and values, and its new version with
/// its figures by year (<c>fct_business_case_version</c>, <c>fct_business_case_year</c>), buffered. It remembers which
/// initiative each file is of, so that the run can tell whose rows its raw rows are, and every initiative it loaded.
/// </summary>
public sealed class BusinessCaseLoad
{
    private readonly Dictionary<long, string> _files = [];

    /// <summary>The initiative of a business case file loaded in this run; null for any other file.</summary>
    public string? InitiativeOfFile(long fileId) => _files.GetValueOrDefault(fileId);

    /// <summary>
    /// Buffers one workbook, already recorded as file <paramref name="fileId"/>, as version <paramref name="versionId"/>
    /// of its initiative's business case, with its keys as the warehouse spells them (<paramref name="card"/>).
    /// </summary>
    public void Take(BusinessCase businessCase, InitiativeCard card, BusinessCaseFigures figures, long fileId, long versionId, long runId, DateTime startedAtUtc, RowBuffer buffer)
    {
        _files[fileId] = card.InitiativeId;
        // The file id, each line's row and each value's year boxed once (Boxes), not once a row: about 80 values a
        // workbook wait in the buffer, and their boxes were 9 MB of a full refresh's allocations at scale 1.
        object file = fileId;
        foreach (var attribute in businessCase.Attributes)
        {
            buffer.Add(WarehouseTables.RawBusinessCaseAttribute, file, attribute.Cell, attribute.Label, attribute.Value);
        }
        foreach (var line in businessCase.Costs)
        {
            var row = Boxes.Of(line.Row);
            var category = Labels.Of(line.Category);
            buffer.Add(WarehouseTables.RawBusinessCaseLine, file, "Kostnader", row, line.Name, "Kostnad", category);
            foreach (var v in line.Values)
            {
                buffer.Add(WarehouseTables.RawBusinessCaseValue, file, "Kostnader", v.Cell, row, line.Name, "Kostnad", category, Boxes.Of(v.Year), v.RawText, v.Value);
            }
        }
        foreach (var line in businessCase.Benefits)
        {
            var row = Boxes.Of(line.Row);
            var type = Labels.Of(line.Type);
            buffer.Add(WarehouseTables.RawBusinessCaseLine, file, "Nyttor", row, line.Name, "Nytta", type);
            foreach (var v in line.Values)
            {
                buffer.Add(WarehouseTables.RawBusinessCaseValue, file, "Nyttor", v.Cell, row, line.Name, "Nytta", type, Boxes.Of(v.Year), v.RawText, v.Value);
            }
        }
        foreach (var line in businessCase.Sensitivity)
        {
            buffer.Add(WarehouseTables.RawBusinessCaseSensitivity, file, Boxes.Of(line.Row), line.LineName, line.LineKind,
                line.LowCell, line.LowRawText, line.LowPercent, line.HighCell, line.HighRawText, line.HighPercent);
        }

        var s = figures.Summary;
        buffer.Add(WarehouseTables.BusinessCaseVersion,
            versionId, card.InitiativeId, card.VersionLabel, fileId, runId, startedAtUtc, true,
            card.Name, card.Unit, card.OwnerEmail, card.ObjectId,
            card.GoalCodes.Count == 0 ? null : string.Join(';', card.GoalCodes),
            s.FirstYear, s.LastYear, s.CostTotal, s.EconomicBenefitTotal, s.NetBenefitTotal, s.PaybackYear, s.NetPresentValue, s.DiscountRate);
        foreach (var y in figures.Years)
        {
            buffer.Add(WarehouseTables.BusinessCaseYear,
                versionId, Boxes.Of(y.Year), card.InitiativeId, y.Investment, y.OperatingCost, y.CostTotal,
                y.InvestmentAcc, y.OperatingCostAcc, y.CostTotalAcc, y.FinancialBenefit, y.RedistributionBenefit,
                y.EconomicBenefit, y.EconomicBenefitAcc, y.NetBenefit, y.NetBenefitAcc,
                y.EconomicBenefitRatio, y.MovementScore, y.BenefitRatioTotal);
        }
    }

    /// <summary>Forgets the files from <paramref name="firstFileId"/> on: their staging was undone.</summary>
    public void ForgetFilesFrom(long firstFileId)
    {
        foreach (var fileId in _files.Keys.Where(id => id >= firstFileId).ToList())
        {
            _files.Remove(fileId);
        }
    }
}
