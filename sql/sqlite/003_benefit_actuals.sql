-- NackaInsights warehouse, version 3: benefit actuals. The objektsförvaltare's workbooks land row by
-- row with their outcome (raw_actual_row); accepted values are kept with their history
-- (fct_benefit_actual, the latest per initiative, benefit line and year current), and set against the
-- current business cases' plans (fct_benefit_realization). Files remember who uploaded them and where.

ALTER TABLE etl_file ADD COLUMN author_email TEXT NULL;
ALTER TABLE etl_file ADD COLUMN source_url TEXT NULL;

-- Grain: one row per uploads source (a document library), its reading state.
CREATE TABLE etl_upload_state (
    source_key    TEXT    NOT NULL PRIMARY KEY,
    delta_link    TEXT    NULL,
    last_run_id   INTEGER NOT NULL REFERENCES etl_run (run_id),
    last_read_utc TEXT    NOT NULL
);

-- Grain: one row per line (cost or benefit) of a loaded business case workbook, also when all its cells are empty.
CREATE TABLE raw_business_case_line (
    file_id    INTEGER NOT NULL REFERENCES etl_file (file_id),
    sheet_name TEXT    NOT NULL,
    line_row   INTEGER NOT NULL,
    line_name  TEXT    NOT NULL,
    line_kind  TEXT    NOT NULL,
    category   TEXT    NOT NULL,
    PRIMARY KEY (file_id, sheet_name, line_row)
);
-- Business cases loaded before this version: their lines as far as their values show them.
INSERT INTO raw_business_case_line (file_id, sheet_name, line_row, line_name, line_kind, category)
SELECT DISTINCT file_id, sheet_name, line_row, line_name, line_kind, category FROM raw_business_case_value;

-- Grain: one row per data row of a processed actuals workbook, as read, with its outcome.
CREATE TABLE raw_actual_row (
    file_id       INTEGER NOT NULL REFERENCES etl_file (file_id),
    row_number    INTEGER NOT NULL,
    initiative_id TEXT    NULL,
    benefit_line  TEXT    NULL,
    benefit_type  TEXT    NULL,
    year          TEXT    NULL,
    planned       TEXT    NULL,
    value         TEXT    NULL,
    comment       TEXT    NULL,
    status        TEXT    NOT NULL,
    message       TEXT    NULL,
    PRIMARY KEY (file_id, row_number)
);

-- Grain: one row per accepted reported value; the latest (in processing order) per initiative,
-- benefit line and year is current, earlier ones are history.
CREATE TABLE fct_benefit_actual (
    actual_id        INTEGER NOT NULL PRIMARY KEY,
    initiative_id    TEXT    NOT NULL,
    benefit_line     TEXT    NOT NULL,
    benefit_line_key TEXT    NOT NULL,
    benefit_type     TEXT    NOT NULL,
    year             INTEGER NOT NULL,
    value            REAL    NOT NULL,
    comment          TEXT    NULL,
    reported_by      TEXT    NULL,
    uploaded_by      TEXT    NULL,
    reported_at_utc  TEXT    NOT NULL,
    file_id          INTEGER NOT NULL REFERENCES etl_file (file_id),
    run_id           INTEGER NOT NULL REFERENCES etl_run (run_id),
    sheet_name       TEXT    NOT NULL,
    cell             TEXT    NOT NULL,
    is_current       INTEGER NOT NULL,
    unmatched_reason TEXT    NULL
);
CREATE INDEX ix_fct_benefit_actual_key ON fct_benefit_actual (initiative_id, benefit_line_key, year);

-- Grain: one row per initiative, benefit line and year of every current business case.
CREATE TABLE fct_benefit_realization (
    initiative_id     TEXT    NOT NULL,
    benefit_line      TEXT    NOT NULL,
    benefit_type      TEXT    NOT NULL,
    year              INTEGER NOT NULL,
    planned_value     REAL    NOT NULL,
    actual_value      REAL    NULL,
    variance_value    REAL    NULL,
    realization_rate  REAL    NULL,
    planned_acc_value REAL    NOT NULL,
    actual_acc_value  REAL    NULL,
    reported_by       TEXT    NULL,
    reported_at_utc   TEXT    NULL,
    comment           TEXT    NULL,
    bc_version_id     INTEGER NOT NULL REFERENCES fct_business_case_version (bc_version_id),
    line_row          INTEGER NOT NULL,
    actual_id         INTEGER NULL REFERENCES fct_benefit_actual (actual_id),
    run_id            INTEGER NOT NULL REFERENCES etl_run (run_id),
    PRIMARY KEY (bc_version_id, line_row, year)
);

-- This version's pbi_* views now live in sql/views/, recreated after every migration (issue 15).
