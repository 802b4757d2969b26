-- NackaInsights warehouse, version 10: what the Power BI model presents. The phases carry their place in the
-- process (lifecycle.md: Idé, Beredning, Beslutad, Projekt, Förvaltning, Avslutad, Avslagen; 99 for a phase the
-- process does not name) so that the model sorts Fas in process order rather than alphabetically, and a run
-- records when it finished in Stockholm time, so that the report can say "svensk tid" without converting UTC
-- in DAX (which knows no time zones).

-- Local (Europe/Stockholm) time at which the run finished; written beside finished_at_utc.
ALTER TABLE etl_run ADD COLUMN finished_at_local timestamp NULL;

DROP VIEW pbi_etl_run;
CREATE VIEW pbi_etl_run AS
SELECT run_id, started_at_utc, finished_at_utc, status, rows_loaded, rows_rejected, message,
       run_kind, source, files_processed, files_unchanged, files_rejected, finished_at_local
FROM etl_run;

DROP VIEW pbi_dim_initiative;
CREATE VIEW pbi_dim_initiative AS
SELECT initiative_id, name, unit, phase, initiative_type, need_type, object_id, owner_email, hypothesis, decision_date, source,
       CASE phase WHEN 'Idé' THEN 1 WHEN 'Beredning' THEN 2 WHEN 'Beslutad' THEN 3 WHEN 'Projekt' THEN 4
            WHEN 'Förvaltning' THEN 5 WHEN 'Avslutad' THEN 6 WHEN 'Avslagen' THEN 7 ELSE 99 END AS phase_order
FROM dim_initiative;

DROP VIEW pbi_dim_initiative_history;
CREATE VIEW pbi_dim_initiative_history AS
SELECT initiative_id, name, unit, phase, initiative_type, need_type, object_id, owner_email, hypothesis, decision_date,
       valid_from, valid_to, is_current, version_no, source,
       CASE phase WHEN 'Idé' THEN 1 WHEN 'Beredning' THEN 2 WHEN 'Beslutad' THEN 3 WHEN 'Projekt' THEN 4
            WHEN 'Förvaltning' THEN 5 WHEN 'Avslutad' THEN 6 WHEN 'Avslagen' THEN 7 ELSE 99 END AS phase_order
FROM dim_initiative_history;

DROP VIEW pbi_fct_project_status_snapshot;
CREATE VIEW pbi_fct_project_status_snapshot AS
SELECT snapshot_date, initiative_id, phase, status, report_date, days_since_report, percent_complete, budget_spent_sek, run_id,
       CASE phase WHEN 'Idé' THEN 1 WHEN 'Beredning' THEN 2 WHEN 'Beslutad' THEN 3 WHEN 'Projekt' THEN 4
            WHEN 'Förvaltning' THEN 5 WHEN 'Avslutad' THEN 6 WHEN 'Avslagen' THEN 7 ELSE 99 END AS phase_order
FROM fct_project_status_snapshot;

GRANT SELECT ON
    pbi_etl_run,
    pbi_dim_initiative,
    pbi_dim_initiative_history,
    pbi_fct_project_status_snapshot
TO nacka_insights_reader;
