-- lookups: dim_phase
-- scope: initiative_id
-- Grain: one row per snapshot date and initiative with a status report on or before that date; phase_order as in pbi_dim_initiative.
SELECT s.snapshot_date, s.initiative_id, s.phase, s.status, s.report_date, s.days_since_report, s.percent_complete,
       s.budget_spent_sek, s.run_id, COALESCE(p.phase_order, 99) AS phase_order
FROM fct_project_status_snapshot s
LEFT JOIN dim_phase p ON p.phase = s.phase;
