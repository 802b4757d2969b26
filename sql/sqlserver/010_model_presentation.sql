-- NackaInsights warehouse, version 10: what the Power BI model presents.
-- The phases carry their place in the process (lifecycle.md) in one table, dim_phase, so that the model sorts
-- Fas in process order rather than alphabetically; a phase the process does not name sorts last (99).
-- An initiative carries object_key: its object where pbi_dim_object has it, else '(inget)', the row the model
-- adds to Förvaltningsobjekt. Once a role filters that table, an initiative whose key found no visible row would
-- be hidden with it; computing the key here keeps the model's queries plain (and foldable).
-- A run records when it finished in Stockholm time, so that the report can say "svensk tid" without converting
-- UTC in DAX (which knows no time zones).

-- Local (Europe/Stockholm) time at which the run finished; written beside finished_at_utc.
ALTER TABLE dbo.etl_run ADD finished_at_local datetime2(3) NULL;
GO

-- Grain: one row per phase of the process, in its order.
CREATE TABLE dbo.dim_phase (
    phase       nvarchar(40) NOT NULL PRIMARY KEY,
    phase_order int NOT NULL
);
INSERT INTO dbo.dim_phase (phase, phase_order) VALUES
    (N'Idé', 1),
    (N'Beredning', 2),
    (N'Beslutad', 3),
    (N'Projekt', 4),
    (N'Förvaltning', 5),
    (N'Avslutad', 6),
    (N'Avslagen', 7);
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
SELECT i.initiative_id, i.name, i.unit, i.phase, i.initiative_type, i.need_type, i.object_id, i.owner_email, i.hypothesis,
       i.decision_date, i.source, COALESCE(p.phase_order, 99) AS phase_order,
       CASE WHEN EXISTS (SELECT 1 FROM dbo.dim_object o WHERE o.object_id = i.object_id) THEN i.object_id ELSE N'(inget)' END AS object_key
FROM dbo.dim_initiative i
LEFT JOIN dbo.dim_phase p ON p.phase = i.phase;
GO

DROP VIEW dbo.pbi_dim_initiative_history;
GO
CREATE VIEW dbo.pbi_dim_initiative_history AS
SELECT h.initiative_id, h.name, h.unit, h.phase, h.initiative_type, h.need_type, h.object_id, h.owner_email, h.hypothesis,
       h.decision_date, h.valid_from, h.valid_to, h.is_current, h.version_no, h.source, COALESCE(p.phase_order, 99) AS phase_order
FROM dbo.dim_initiative_history h
LEFT JOIN dbo.dim_phase p ON p.phase = h.phase;
GO

DROP VIEW dbo.pbi_fct_project_status_snapshot;
GO
CREATE VIEW dbo.pbi_fct_project_status_snapshot AS
SELECT s.snapshot_date, s.initiative_id, s.phase, s.status, s.report_date, s.days_since_report, s.percent_complete,
       s.budget_spent_sek, s.run_id, COALESCE(p.phase_order, 99) AS phase_order
FROM dbo.fct_project_status_snapshot s
LEFT JOIN dbo.dim_phase p ON p.phase = s.phase;
GO

GRANT SELECT ON dbo.pbi_etl_run TO nacka_insights_reader;
GRANT SELECT ON dbo.pbi_dim_initiative TO nacka_insights_reader;
GRANT SELECT ON dbo.pbi_dim_initiative_history TO nacka_insights_reader;
GRANT SELECT ON dbo.pbi_fct_project_status_snapshot TO nacka_insights_reader;
GO
