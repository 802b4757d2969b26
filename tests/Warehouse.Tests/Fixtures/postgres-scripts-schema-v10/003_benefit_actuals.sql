-- NackaInsights warehouse, version 3: benefit actuals. The objektsförvaltare's workbooks land row by
-- row with their outcome (raw_actual_row); accepted values are kept with their history
-- (fct_benefit_actual, the latest per initiative, benefit line and year current), and set against the
-- current business cases' plans (fct_benefit_realization). Files remember who uploaded them and where.

ALTER TABLE etl_file ADD COLUMN author_email text NULL;
ALTER TABLE etl_file ADD COLUMN source_url text NULL;

-- Grain: one row per uploads source (a document library), its reading state.
CREATE TABLE etl_upload_state (
    source_key    text      NOT NULL PRIMARY KEY,
    delta_link    text      NULL,
    last_run_id   bigint    NOT NULL REFERENCES etl_run (run_id),
    last_read_utc timestamp NOT NULL
);

-- Grain: one row per line (cost or benefit) of a loaded business case workbook, also when all its cells are empty.
CREATE TABLE raw_business_case_line (
    file_id    bigint  NOT NULL REFERENCES etl_file (file_id),
    sheet_name text    NOT NULL,
    line_row   integer NOT NULL,
    line_name  text    NOT NULL,
    line_kind  text    NOT NULL,
    category   text    NOT NULL,
    PRIMARY KEY (file_id, sheet_name, line_row)
);
-- Business cases loaded before this version: their lines as far as their values show them.
INSERT INTO raw_business_case_line (file_id, sheet_name, line_row, line_name, line_kind, category)
SELECT DISTINCT file_id, sheet_name, line_row, line_name, line_kind, category FROM raw_business_case_value;

-- Grain: one row per data row of a processed actuals workbook, as read, with its outcome.
CREATE TABLE raw_actual_row (
    file_id       bigint  NOT NULL REFERENCES etl_file (file_id),
    row_number    integer NOT NULL,
    initiative_id text    NULL,
    benefit_line  text    NULL,
    benefit_type  text    NULL,
    year          text    NULL,
    planned       text    NULL,
    value         text    NULL,
    comment       text    NULL,
    status        text    NOT NULL,
    message       text    NULL,
    PRIMARY KEY (file_id, row_number)
);

-- Grain: one row per accepted reported value; the latest (in processing order) per initiative,
-- benefit line and year is current, earlier ones are history.
CREATE TABLE fct_benefit_actual (
    actual_id        bigint        NOT NULL PRIMARY KEY,
    initiative_id    text          NOT NULL,
    benefit_line     text          NOT NULL,
    benefit_line_key text          NOT NULL,
    benefit_type     text          NOT NULL,
    year             integer       NOT NULL,
    value            numeric(19,4) NOT NULL,
    comment          text          NULL,
    reported_by      text          NULL,
    uploaded_by      text          NULL,
    reported_at_utc  timestamp     NOT NULL,
    file_id          bigint        NOT NULL REFERENCES etl_file (file_id),
    run_id           bigint        NOT NULL REFERENCES etl_run (run_id),
    sheet_name       text          NOT NULL,
    cell             text          NOT NULL,
    is_current       smallint      NOT NULL,
    unmatched_reason text          NULL
);
CREATE INDEX ix_fct_benefit_actual_key ON fct_benefit_actual (initiative_id, benefit_line_key, year);

-- Grain: one row per initiative, benefit line and year of every current business case.
CREATE TABLE fct_benefit_realization (
    initiative_id     text             NOT NULL,
    benefit_line      text             NOT NULL,
    benefit_type      text             NOT NULL,
    year              integer          NOT NULL,
    planned_value     numeric(19,4)    NOT NULL,
    actual_value      numeric(19,4)    NULL,
    variance_value    numeric(19,4)    NULL,
    realization_rate  double precision NULL,
    planned_acc_value numeric(19,4)    NOT NULL,
    actual_acc_value  numeric(19,4)    NULL,
    reported_by       text             NULL,
    reported_at_utc   timestamp        NULL,
    comment           text             NULL,
    bc_version_id     bigint           NOT NULL REFERENCES fct_business_case_version (bc_version_id),
    line_row          integer          NOT NULL,
    actual_id         bigint           NULL REFERENCES fct_benefit_actual (actual_id),
    run_id            bigint           NOT NULL REFERENCES etl_run (run_id),
    PRIMARY KEY (bc_version_id, line_row, year)
);

DROP VIEW pbi_etl_file;
CREATE VIEW pbi_etl_file AS
SELECT run_id, source_kind, file_name, content_sha256, status, rows_loaded, rows_rejected, message,
       processed_at_utc, file_id, size_bytes, modified_at_utc, author_email, source_url
FROM etl_file;

CREATE VIEW pbi_fct_benefit_realization AS
SELECT r.initiative_id, r.benefit_line, r.benefit_type, r.year, r.planned_value, r.actual_value, r.variance_value,
       r.realization_rate, r.planned_acc_value, r.actual_acc_value, r.reported_by, r.reported_at_utc, r.comment,
       r.bc_version_id, r.line_row, r.actual_id, a.run_id, a.file_id, f.file_name AS source_file,
       CASE WHEN r.actual_id IS NULL THEN 0 ELSE 1 END AS is_reported
FROM fct_benefit_realization r
LEFT JOIN fct_benefit_actual a ON a.actual_id = r.actual_id
LEFT JOIN etl_file f ON f.file_id = a.file_id;

CREATE VIEW pbi_fct_benefit_actual AS
SELECT a.actual_id, a.initiative_id, a.benefit_line, a.benefit_type, a.year, a.value, a.comment, a.is_current,
       a.reported_by, a.uploaded_by, a.reported_at_utc, a.run_id, a.file_id, f.file_name AS source_file,
       a.sheet_name, a.cell, f.source_url, a.benefit_line_key
FROM fct_benefit_actual a
JOIN etl_file f ON f.file_id = a.file_id;

CREATE VIEW pbi_fct_benefit_actual_unmatched AS
SELECT a.actual_id, a.initiative_id, a.benefit_line, a.benefit_type, a.year, a.value, a.unmatched_reason AS reason,
       a.reported_by, a.reported_at_utc, a.file_id, f.file_name AS source_file, a.sheet_name, a.cell
FROM fct_benefit_actual a
JOIN etl_file f ON f.file_id = a.file_id
WHERE a.is_current = 1 AND a.unmatched_reason IS NOT NULL;

GRANT SELECT ON
    pbi_etl_file, pbi_fct_benefit_realization, pbi_fct_benefit_actual, pbi_fct_benefit_actual_unmatched
TO nacka_insights_reader;
