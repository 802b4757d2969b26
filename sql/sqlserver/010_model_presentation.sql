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

-- This version's pbi_* views now live in sql/views/, recreated after every migration (issue 15).
