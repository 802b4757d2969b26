-- NackaInsights warehouse, version 4: the daily project status snapshot. A periodic snapshot in
-- Kimball's sense: every day the worker's snapshot job records each initiative's latest status report
-- as of that day, so that "RAG over time" shows a line per day even between reports.

-- Grain: one row per snapshot date and initiative with a status report on or before that date.
CREATE TABLE fct_project_status_snapshot (
    snapshot_date     TEXT    NOT NULL,
    initiative_id     TEXT    NOT NULL,
    phase             TEXT    NULL,
    status            TEXT    NOT NULL,
    report_date       TEXT    NOT NULL,
    days_since_report INTEGER NOT NULL,
    percent_complete  REAL    NULL,
    budget_spent_sek  REAL    NULL,
    run_id            INTEGER NOT NULL REFERENCES etl_run (run_id),
    PRIMARY KEY (snapshot_date, initiative_id)
);

-- This version's pbi_* views now live in sql/views/, recreated after every migration (issue 15).
