-- NackaInsights warehouse, version 10: what the Power BI model presents.
-- The phases carry their place in the process (lifecycle.md) in one table, dim_phase, so that the model sorts
-- Fas in process order rather than alphabetically; a phase the process does not name sorts last (99).
-- An initiative carries object_key: its object where pbi_dim_object has it, else '(inget)', the row the model
-- adds to Förvaltningsobjekt. Once a role filters that table, an initiative whose key found no visible row would
-- be hidden with it; computing the key here keeps the model's queries plain (and foldable).
-- A run records when it finished in Stockholm time, so that the report can say "svensk tid" without converting
-- UTC in DAX (which knows no time zones).

-- Local (Europe/Stockholm) time at which the run finished; written beside finished_at_utc.
ALTER TABLE etl_run ADD COLUMN finished_at_local TEXT NULL;

-- Grain: one row per phase of the process, in its order.
CREATE TABLE dim_phase (
    phase       TEXT NOT NULL PRIMARY KEY,
    phase_order INTEGER NOT NULL
);
INSERT INTO dim_phase (phase, phase_order) VALUES
    ('Idé', 1),
    ('Beredning', 2),
    ('Beslutad', 3),
    ('Projekt', 4),
    ('Förvaltning', 5),
    ('Avslutad', 6),
    ('Avslagen', 7);

-- This version's pbi_* views now live in sql/views/, recreated after every migration (issue 15).
