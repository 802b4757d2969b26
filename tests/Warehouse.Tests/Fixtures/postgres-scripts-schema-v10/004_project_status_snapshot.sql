-- NackaInsights warehouse, version 4: the daily project status snapshot. A periodic snapshot in
-- Kimball's sense: every day the worker's snapshot job records each initiative's latest status report
-- as of that day, so that "RAG over time" shows a line per day even between reports.

-- Grain: one row per snapshot date and initiative with a status report on or before that date.
CREATE TABLE fct_project_status_snapshot (
    snapshot_date date NOT NULL,
    initiative_id text NOT NULL,
    phase text NULL,
    status text NOT NULL,
    report_date date NOT NULL,
    days_since_report integer NOT NULL,
    percent_complete double precision NULL,
    budget_spent_sek numeric(19,4) NULL,
    run_id bigint NOT NULL REFERENCES etl_run (run_id),
    PRIMARY KEY (snapshot_date, initiative_id)
);

CREATE VIEW pbi_fct_project_status_snapshot AS
SELECT snapshot_date, initiative_id, phase, status, report_date, days_since_report, percent_complete, budget_spent_sek, run_id
FROM fct_project_status_snapshot;

GRANT SELECT ON pbi_fct_project_status_snapshot TO nacka_insights_reader;
