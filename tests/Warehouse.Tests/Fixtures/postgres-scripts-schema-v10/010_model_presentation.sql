-- NackaInsights warehouse, version 10: what the Power BI model presents.
-- The phases carry their place in the process (lifecycle.md) in one table, dim_phase, so that the model sorts
-- Fas in process order rather than alphabetically; a phase the process does not name sorts last (99).
-- An initiative carries object_key: its object where pbi_dim_object has it, else '(inget)', the row the model
-- adds to Förvaltningsobjekt. Once a role filters that table, an initiative whose key found no visible row would
-- be hidden with it; computing the key here keeps the model's queries plain (and foldable).
-- A run records when it finished in Stockholm time, so that the report can say "svensk tid" without converting
-- UTC in DAX (which knows no time zones).

-- Local (Europe/Stockholm) time at which the run finished; written beside finished_at_utc.
ALTER TABLE etl_run ADD COLUMN finished_at_local timestamp NULL;

-- Grain: one row per phase of the process, in its order.
CREATE TABLE dim_phase (
    phase       text NOT NULL PRIMARY KEY,
    phase_order integer NOT NULL
);
INSERT INTO dim_phase (phase, phase_order) VALUES
    ('Idé', 1),
    ('Beredning', 2),
    ('Beslutad', 3),
    ('Projekt', 4),
    ('Förvaltning', 5),
    ('Avslutad', 6),
    ('Avslagen', 7);

DROP VIEW pbi_etl_run;
CREATE VIEW pbi_etl_run AS
SELECT run_id, started_at_utc, finished_at_utc, status, rows_loaded, rows_rejected, message,
       run_kind, source, files_processed, files_unchanged, files_rejected, finished_at_local
FROM etl_run;

DROP VIEW pbi_dim_initiative;
CREATE VIEW pbi_dim_initiative AS
SELECT i.initiative_id, i.name, i.unit, i.phase, i.initiative_type, i.need_type, i.object_id, i.owner_email, i.hypothesis,
       i.decision_date, i.source, COALESCE(p.phase_order, 99) AS phase_order,
       CASE WHEN EXISTS (SELECT 1 FROM dim_object o WHERE o.object_id = i.object_id) THEN i.object_id ELSE '(inget)' END AS object_key
FROM dim_initiative i
LEFT JOIN dim_phase p ON p.phase = i.phase;

DROP VIEW pbi_dim_initiative_history;
CREATE VIEW pbi_dim_initiative_history AS
SELECT h.initiative_id, h.name, h.unit, h.phase, h.initiative_type, h.need_type, h.object_id, h.owner_email, h.hypothesis,
       h.decision_date, h.valid_from, h.valid_to, h.is_current, h.version_no, h.source, COALESCE(p.phase_order, 99) AS phase_order
FROM dim_initiative_history h
LEFT JOIN dim_phase p ON p.phase = h.phase;

DROP VIEW pbi_fct_project_status_snapshot;
CREATE VIEW pbi_fct_project_status_snapshot AS
SELECT s.snapshot_date, s.initiative_id, s.phase, s.status, s.report_date, s.days_since_report, s.percent_complete,
       s.budget_spent_sek, s.run_id, COALESCE(p.phase_order, 99) AS phase_order
FROM fct_project_status_snapshot s
LEFT JOIN dim_phase p ON p.phase = s.phase;

GRANT SELECT ON
    pbi_etl_run,
    pbi_dim_initiative,
    pbi_dim_initiative_history,
    pbi_fct_project_status_snapshot
TO nacka_insights_reader;
