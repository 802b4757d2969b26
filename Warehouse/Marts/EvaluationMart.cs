using System.Data.Common;
using System.Globalization;
using Dapper;
using Microsoft.Extensions.Logging;
using NackaInsights.Warehouse.Calculations;
using NackaInsights.Warehouse.Loading;
using NackaInsights.Warehouse.Model;
using static NackaInsights.Warehouse.Runs.Columns;

namespace NackaInsights.Warehouse.Marts;

/// <summary>The assessments of the list Bedomningar, and each initiative's evaluation from its latest.</summary>
public sealed class EvaluationMart : IMart
{
    public string Name => "evaluation";

    public string Grain => "one row per initiative, criterion and assessment date (fct_evaluation_score); one per initiative (fct_evaluation)";

    public IReadOnlyList<string> Reads { get; } = ["stg_list_assessment", KeySet.Of("dim_initiative"), "fct_evaluation_score"];

    public IReadOnlyList<string> Writes { get; } = ["fct_evaluation_score", "fct_evaluation"];

    public bool ByInitiative => true;

    public Task BuildAsync(MartContext context, MartScope scope, CancellationToken ct) => new Work(context).RebuildEvaluationsAsync(scope.Initiatives, ct);

    private sealed class Work(MartContext context) : MartWork(context)
    {
        private sealed class StagedScore
        {
            public string ItemId { get; init; } = "";
            public string InitiativeId { get; init; } = "";
            public string CriterionCode { get; init; } = "";
            public int Score { get; init; }
            public DateOnly AssessedOn { get; init; }
            public DateTime LastModifiedUtc { get; init; }
        }

        /// <summary>
        /// The scores of every assessment, and each initiative's evaluation from its latest one, of the initiatives
        /// of <paramref name="scope"/> (newly known ones) or of all. Scores of initiatives the warehouse does not
        /// know are left out and reported against their items. A criterion and date that two items score keeps its
        /// published score (<see cref="ListKeys.OnePerKey"/>).
        /// </summary>
        public async Task RebuildEvaluationsAsync(IReadOnlyCollection<string>? scope, CancellationToken ct)
        {
            // Read before the rows are deleted: what the shared keys keep.
            var kept = await ReadScopedAsync(
                """
                SELECT f.item_id, f.initiative_id, f.criterion_code, f.score, f.assessed_on
                FROM fct_evaluation_score f
                JOIN (SELECT initiative_id, criterion_code, assessed_on FROM stg_list_assessment
                      GROUP BY initiative_id, criterion_code, assessed_on HAVING COUNT(*) > 1) d
                  ON d.initiative_id = f.initiative_id AND d.criterion_code = f.criterion_code AND d.assessed_on = f.assessed_on
                WHERE {scope}
                """, "f.initiative_id", scope,
                r => new StagedScore { ItemId = Text(r, 0), InitiativeId = Text(r, 1), CriterionCode = Text(r, 2), Score = Int(r, 3), AssessedOn = Date(r, 4) }, ct);
            var keptOf = kept.ToLookup(k => k.InitiativeId, StringComparer.Ordinal);
            if (scope is null)
            {
                var straight = await WritesStraightAsync(["fct_evaluation_score", "fct_evaluation"], ct);
                if (Context.RecomputesAll)
                {
                    await ExecuteScopedAsync("DELETE FROM fct_evaluation_score WHERE {scope}", "initiative_id", null, ct);
                    await ExecuteScopedAsync("DELETE FROM fct_evaluation WHERE {scope}", "initiative_id", null, ct);
                }
                else if (!straight)
                {
                    // Initiatives no list item assesses any more lose their rows; the others are compared part by part below.
                    var gone = await ReadAsync(
                        """
                        SELECT DISTINCT initiative_id FROM fct_evaluation_score
                        WHERE initiative_id NOT IN (SELECT initiative_id FROM stg_list_assessment)
                        UNION
                        SELECT initiative_id FROM fct_evaluation
                        WHERE initiative_id NOT IN (SELECT initiative_id FROM stg_list_assessment)
                        """, r => Text(r, 0), ct);
                    if (gone.Count > 0)
                    {
                        await ExecuteScopedAsync("DELETE FROM fct_evaluation_score WHERE {scope}", "initiative_id", gone, ct);
                        await ExecuteScopedAsync("DELETE FROM fct_evaluation WHERE {scope}", "initiative_id", gone, ct);
                    }
                }
                Context.UnknownInitiatives.Reset(RefreshRun.Lists.Assessments);
                foreach (var part in await PartsAsync("stg_list_assessment", ct))
                {
                    await RebuildEvaluationsOfAsync(part, keptOf, straight, ct);
                }
                return;
            }
            await RebuildEvaluationsOfAsync(scope, keptOf, straight: false, ct);
        }

        /// <param name="straight">Part of a rebuild of every initiative's that writes without comparing (<see cref="MartWork.WritesStraightAsync"/>).</param>
        private async Task RebuildEvaluationsOfAsync(IReadOnlyCollection<string> scope, ILookup<string, StagedScore> kept, bool straight, CancellationToken ct)
        {
            var known = (await ReadScopedAsync("SELECT initiative_id FROM dim_initiative WHERE {scope}", "initiative_id", scope, r => Text(r, 0), ct)).ToHashSet(StringComparer.Ordinal);
            var scores = ListKeys.OnePerKey(await ReadScopedAsync(
                """
                SELECT item_id, initiative_id, criterion_code, score, assessed_on, last_modified_utc
                FROM stg_list_assessment
                WHERE {scope}
                """, "initiative_id", scope,
                r => new StagedScore
                {
                    ItemId = Text(r, 0), InitiativeId = Text(r, 1), CriterionCode = Text(r, 2), Score = Int(r, 3), AssessedOn = Date(r, 4), LastModifiedUtc = Timestamp(r, 5),
                }, ct), s => (KeyCase.Fold(s.InitiativeId), s.CriterionCode, s.AssessedOn), out _);
            Context.UnknownInitiatives.Report(RefreshRun.Lists.Assessments, scope, scores.Where(s => !known.Contains(s.InitiativeId)).Select(s => (s.ItemId, s.InitiativeId)));
            scores.RemoveAll(s => !known.Contains(s.InitiativeId));
            scores.AddRange(scope.Where(known.Contains).SelectMany(id => kept[id]));

            var evaluations = scores.GroupBy(s => s.InitiativeId)
                .Select(g => EvaluationCalculator.Evaluate(g.Key, g.Select(s => (s.CriterionCode, s.AssessedOn, s.Score)), Context.Evaluation))
                .ToList();

            // Only the initiatives whose rows differ from the stored ones are rewritten (all when writing straight): a list
            // changed in one item then writes that item's initiative alone, and the data checks follow those writes.
            var differing = straight ? scope : await DifferingAsync(scope, scores, evaluations, ct);
            if (differing.Count == 0)
            {
                return;
            }
            var rewritten = differing.ToHashSet(StringComparer.Ordinal);
            if (!straight)
            {
                await ExecuteScopedAsync("DELETE FROM fct_evaluation_score WHERE {scope}", "initiative_id", differing, ct);
                await ExecuteScopedAsync("DELETE FROM fct_evaluation WHERE {scope}", "initiative_id", differing, ct);
            }
            await InsertAsync(WarehouseTables.EvaluationScore,
                scores.Where(s => rewritten.Contains(s.InitiativeId))
                    .Select(s => new object?[] { s.InitiativeId, s.CriterionCode, s.AssessedOn, s.Score, s.ItemId, RunId }).ToList(), ct);
            await InsertAsync(WarehouseTables.Evaluation,
                evaluations.Where(e => rewritten.Contains(e.InitiativeId))
                    .Select(e => new object?[]
                    {
                        e.InitiativeId, e.AssessedOn, e.BenefitScore, e.FeasibilityScore, e.ComplianceOk, e.PriorityClass, e.CriteriaScored, Context.Evaluation.Threshold, RunId,
                    })
                    .ToList(), ct);
        }

        /// <summary>
        /// The initiatives of <paramref name="scope"/> whose stored scores or evaluation differ from those computed
        /// (the run id aside: it says which run last wrote a row). Scores are compared as the databases keep them
        /// (the ratios as doubles).
        /// </summary>
        private async Task<IReadOnlyCollection<string>> DifferingAsync(IReadOnlyCollection<string> scope, IReadOnlyList<StagedScore> scores,
            IReadOnlyList<Evaluation> evaluations, CancellationToken ct)
        {
            var storedScores = await ReadScopedAsync(
                "SELECT initiative_id, criterion_code, assessed_on, score, item_id FROM fct_evaluation_score WHERE {scope}", "initiative_id", scope,
                r => new ScoreRow(Text(r, 0), Text(r, 1), Date(r, 2), Int(r, 3), Text(r, 4)), ct);
            var storedEvaluations = await ReadScopedAsync(
                """
                SELECT initiative_id, assessed_on, benefit_score, feasibility_score, compliance_ok, priority_class, criteria_scored, threshold
                FROM fct_evaluation WHERE {scope}
                """, "initiative_id", scope,
                r => new EvaluationRow(Text(r, 0), Date(r, 1), DoubleOrNull(r, 2), DoubleOrNull(r, 3), r.IsDBNull(4) ? null : Convert.ToBoolean(r.GetValue(4), CultureInfo.InvariantCulture),
                    Text(r, 5), Int(r, 6), Double(r, 7)), ct);
            var wantedScores = scores.Select(s => new ScoreRow(s.InitiativeId, s.CriterionCode, s.AssessedOn, s.Score, s.ItemId)).ToLookup(s => s.InitiativeId, StringComparer.Ordinal);
            var wantedEvaluations = evaluations
                .Select(e => new EvaluationRow(e.InitiativeId, e.AssessedOn, (double?)e.BenefitScore, (double?)e.FeasibilityScore, e.ComplianceOk, e.PriorityClass, e.CriteriaScored,
                    (double)Context.Evaluation.Threshold))
                .ToLookup(e => e.InitiativeId, StringComparer.Ordinal);
            var haveScores = storedScores.ToLookup(s => s.InitiativeId, StringComparer.Ordinal);
            var haveEvaluations = storedEvaluations.ToLookup(e => e.InitiativeId, StringComparer.Ordinal);
            return scope.Where(id => !SameRows(wantedScores[id], haveScores[id]) || !SameRows(wantedEvaluations[id], haveEvaluations[id])).ToList();
        }

        private sealed record ScoreRow(string InitiativeId, string CriterionCode, DateOnly AssessedOn, int Score, string ItemId);

        private sealed record EvaluationRow(string InitiativeId, DateOnly AssessedOn, double? BenefitScore, double? FeasibilityScore, bool? ComplianceOk,
            string PriorityClass, int CriteriaScored, double Threshold);
    }
}
