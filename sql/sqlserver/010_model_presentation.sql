-- NackaInsights warehouse, version 10: what the Power BI model presents. The phases carry their place in the
-- process (lifecycle.md: Idé, Beredning, Beslutad, Projekt, Förvaltning, Avslutad, Avslagen; 99 for a phase the
-- process does not name) so that the model sorts Fas in process order rather than alphabetically, and a run
-- records when it finished in Stockholm time, so that the report can say "svensk tid" without converting UTC
-- in DAX (which knows no time zones).

-- Local (Europe/Stockholm) time at which the run finished; written beside finished_at_utc.
ALTER TABLE dbo.etl_run ADD finished_at_local datetime2(3) NULL;
GO

DROP VIEW dbo.pbi_etl_run;
GO
CREATE VIEW dbo.pbi_etl_run AS
SELECT run_id, started_at_utc, finished_at_utc, status, rows_loaded, rows_rejected, message,
       run_kind, source, files_processed, files_unchanged, files_rejected, finished_at_local
FROM dbo.etl_run;
GO

DROP VIEW dbo.pbi_dim_initiative;
GO
CREATE VIEW dbo.pbi_dim_initiative AS
SELECT initiative_id, name, unit, phase, initiative_type, need_type, object_id, owner_email, hypothesis, decision_date, source,
       CASE phase WHEN N'Idé' THEN 1 WHEN N'Beredning' THEN 2 WHEN N'Beslutad' THEN 3 WHEN N'Projekt' THEN 4
            WHEN N'Förvaltning' THEN 5 WHEN N'Avslutad' THEN 6 WHEN N'Avslagen' THEN 7 ELSE 99 END AS phase_order
FROM dbo.dim_initiative;
GO

DROP VIEW dbo.pbi_dim_initiative_history;
GO
CREATE VIEW dbo.pbi_dim_initiative_history AS
SELECT initiative_id, name, unit, phase, initiative_type, need_type, object_id, owner_email, hypothesis, decision_date,
       valid_from, valid_to, is_current, version_no, source,
       CASE phase WHEN N'Idé' THEN 1 WHEN N'Beredning' THEN 2 WHEN N'Beslutad' THEN 3 WHEN N'Projekt' THEN 4
            WHEN N'Förvaltning' THEN 5 WHEN N'Avslutad' THEN 6 WHEN N'Avslagen' THEN 7 ELSE 99 END AS phase_order
FROM dbo.dim_initiative_history;
GO

DROP VIEW dbo.pbi_fct_project_status_snapshot;
GO
CREATE VIEW dbo.pbi_fct_project_status_snapshot AS
SELECT snapshot_date, initiative_id, phase, status, report_date, days_since_report, percent_complete, budget_spent_sek, run_id,
       CASE phase WHEN N'Idé' THEN 1 WHEN N'Beredning' THEN 2 WHEN N'Beslutad' THEN 3 WHEN N'Projekt' THEN 4
            WHEN N'Förvaltning' THEN 5 WHEN N'Avslutad' THEN 6 WHEN N'Avslagen' THEN 7 ELSE 99 END AS phase_order
FROM dbo.fct_project_status_snapshot;
GO

GRANT SELECT ON dbo.pbi_etl_run TO nacka_insights_reader;
GRANT SELECT ON dbo.pbi_dim_initiative TO nacka_insights_reader;
GRANT SELECT ON dbo.pbi_dim_initiative_history TO nacka_insights_reader;
GRANT SELECT ON dbo.pbi_fct_project_status_snapshot TO nacka_insights_reader;
GO
