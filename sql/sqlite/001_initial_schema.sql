-- NackaInsights warehouse, version 1: lineage, business cases, their dimensions, and the pbi_* views.
-- Layers: etl_* (runs, files, problems, checks), raw_* (source rows as read), dim_*/fct_* (the model),
-- pbi_* (the only objects Power BI reads). Money is SEK, ratios are unrounded.

-- Grain: one row per pipeline run.
CREATE TABLE etl_run (
    run_id          INTEGER PRIMARY KEY AUTOINCREMENT,
    run_kind        TEXT    NOT NULL,
    source          TEXT    NULL,
    host_name       TEXT    NULL,
    started_at_utc  TEXT    NOT NULL,
    finished_at_utc TEXT    NULL,
    status          TEXT    NOT NULL,
    files_processed INTEGER NOT NULL DEFAULT 0,
    files_unchanged INTEGER NOT NULL DEFAULT 0,
    files_rejected  INTEGER NOT NULL DEFAULT 0,
    rows_loaded     INTEGER NOT NULL DEFAULT 0,
    rows_rejected   INTEGER NOT NULL DEFAULT 0,
    message         TEXT    NULL
);

-- Grain: one row per source file processed in a run.
CREATE TABLE etl_file (
    file_id          INTEGER NOT NULL PRIMARY KEY,
    run_id           INTEGER NOT NULL REFERENCES etl_run (run_id),
    source_kind      TEXT    NOT NULL,
    file_name        TEXT    NOT NULL,
    content_sha256   TEXT    NOT NULL,
    size_bytes       INTEGER NOT NULL,
    modified_at_utc  TEXT    NULL,
    status           TEXT    NOT NULL,
    rows_loaded      INTEGER NOT NULL,
    rows_rejected    INTEGER NOT NULL,
    message          TEXT    NULL,
    processed_at_utc TEXT    NOT NULL
);
CREATE INDEX ix_etl_file_name ON etl_file (source_kind, file_name);

-- Grain: one row per problem found in a source file (with sheet and cell) or list item.
CREATE TABLE etl_problem (
    problem_id  INTEGER NOT NULL PRIMARY KEY,
    run_id      INTEGER NOT NULL REFERENCES etl_run (run_id),
    file_id     INTEGER NULL REFERENCES etl_file (file_id),
    source_kind TEXT    NOT NULL,
    source_name TEXT    NOT NULL,
    sheet_name  TEXT    NULL,
    cell        TEXT    NULL,
    message     TEXT    NOT NULL
);
CREATE INDEX ix_etl_problem_run ON etl_problem (run_id);

-- Grain: one row per data check per run.
CREATE TABLE etl_check_result (
    run_id       INTEGER NOT NULL REFERENCES etl_run (run_id),
    check_name   TEXT    NOT NULL,
    failing_rows INTEGER NOT NULL,
    PRIMARY KEY (run_id, check_name)
);

-- Grain: one row per label of the sheet Initiativ of a loaded business case workbook, as read.
CREATE TABLE raw_business_case_attribute (
    file_id INTEGER NOT NULL REFERENCES etl_file (file_id),
    cell    TEXT    NOT NULL,
    label   TEXT    NOT NULL,
    value   TEXT    NULL,
    PRIMARY KEY (file_id, cell)
);

-- Grain: one row per non-empty amount cell of a loaded business case workbook, as read and as understood.
CREATE TABLE raw_business_case_value (
    file_id    INTEGER NOT NULL REFERENCES etl_file (file_id),
    sheet_name TEXT    NOT NULL,
    cell       TEXT    NOT NULL,
    line_row   INTEGER NOT NULL,
    line_name  TEXT    NOT NULL,
    line_kind  TEXT    NOT NULL,
    category   TEXT    NOT NULL,
    year       INTEGER NOT NULL,
    raw_text   TEXT    NOT NULL,
    value      REAL    NOT NULL,
    PRIMARY KEY (file_id, sheet_name, cell)
);

-- Grain: one row per business case version (one loaded workbook); the latest per initiative is current.
CREATE TABLE fct_business_case_version (
    bc_version_id             INTEGER NOT NULL PRIMARY KEY,
    initiative_id             TEXT    NOT NULL,
    version_label             TEXT    NULL,
    file_id                   INTEGER NOT NULL REFERENCES etl_file (file_id),
    run_id                    INTEGER NOT NULL REFERENCES etl_run (run_id),
    loaded_at_utc             TEXT    NOT NULL,
    is_current                INTEGER NOT NULL,
    initiative_name           TEXT    NOT NULL,
    unit                      TEXT    NOT NULL,
    owner_email               TEXT    NOT NULL,
    object_id                 TEXT    NULL,
    goal_codes                TEXT    NULL,
    first_year                INTEGER NULL,
    last_year                 INTEGER NULL,
    cost_total_sek            REAL    NOT NULL,
    economic_benefit_total_sek REAL   NOT NULL,
    net_benefit_total_sek     REAL    NOT NULL,
    payback_year              INTEGER NULL,
    npv_sek                   REAL    NOT NULL,
    discount_rate             REAL    NOT NULL
);
CREATE INDEX ix_fct_business_case_version_initiative ON fct_business_case_version (initiative_id, is_current);

-- Grain: one row per business case version and year of its horizon.
CREATE TABLE fct_business_case_year (
    bc_version_id              INTEGER NOT NULL REFERENCES fct_business_case_version (bc_version_id),
    year                       INTEGER NOT NULL,
    initiative_id              TEXT    NOT NULL,
    investment_sek             REAL    NOT NULL,
    operating_cost_sek         REAL    NOT NULL,
    cost_total_sek             REAL    NOT NULL,
    investment_acc_sek         REAL    NOT NULL,
    operating_cost_acc_sek     REAL    NOT NULL,
    cost_total_acc_sek         REAL    NOT NULL,
    financial_benefit_sek      REAL    NOT NULL,
    redistribution_benefit_sek REAL    NOT NULL,
    economic_benefit_sek       REAL    NOT NULL,
    economic_benefit_acc_sek   REAL    NOT NULL,
    net_benefit_sek            REAL    NOT NULL,
    net_benefit_acc_sek        REAL    NOT NULL,
    economic_benefit_ratio     REAL    NULL,
    movement_score             REAL    NOT NULL,
    benefit_ratio_total        REAL    NULL,
    PRIMARY KEY (bc_version_id, year)
);

-- Grain: one row per initiative, its current attributes.
CREATE TABLE dim_initiative (
    initiative_id   TEXT    NOT NULL PRIMARY KEY,
    name            TEXT    NOT NULL,
    unit            TEXT    NOT NULL,
    phase           TEXT    NULL,
    initiative_type TEXT    NULL,
    need_type       TEXT    NULL,
    object_id       TEXT    NULL,
    owner_email     TEXT    NULL,
    hypothesis      TEXT    NULL,
    decision_date   TEXT    NULL,
    bc_version_id   INTEGER NULL
);

-- Grain: one row per verksamhet.
CREATE TABLE dim_unit (
    unit TEXT NOT NULL PRIMARY KEY
);

-- Grain: one row per overall goal (the four).
CREATE TABLE dim_strategic_goal (
    goal_code  TEXT    NOT NULL PRIMARY KEY,
    goal_name  TEXT    NOT NULL,
    sort_order INTEGER NOT NULL
);
INSERT INTO dim_strategic_goal (goal_code, goal_name, sort_order) VALUES
    ('MAXIMALT_VARDE', 'Maximalt värde för skattepengarna', 1),
    ('BASTA_UTVECKLING', 'Bästa utveckling för alla', 2),
    ('STARK_TILLVAXT', 'Stark och balanserad tillväxt', 3),
    ('ATTRAKTIVA_LIVSMILJOER', 'Attraktiva livsmiljöer i hela Nacka', 4);

-- Grain: one row per initiative and overall goal.
CREATE TABLE bridge_initiative_goal (
    initiative_id TEXT NOT NULL,
    goal_code     TEXT NOT NULL,
    PRIMARY KEY (initiative_id, goal_code)
);

-- Grain: one row per year from the first to the last year in the facts.
CREATE TABLE dim_year (
    year INTEGER NOT NULL PRIMARY KEY
);

-- Grain: one row per day of the years in dim_year.
CREATE TABLE dim_date (
    date           TEXT    NOT NULL PRIMARY KEY,
    year           INTEGER NOT NULL,
    quarter        INTEGER NOT NULL,
    month          INTEGER NOT NULL,
    month_name_sv  TEXT    NOT NULL,
    iso_week       INTEGER NOT NULL,
    day_of_week    INTEGER NOT NULL,
    day_of_week_sv TEXT    NOT NULL
);

CREATE VIEW pbi_etl_run AS
SELECT run_id, started_at_utc, finished_at_utc, status, rows_loaded, rows_rejected, message,
       run_kind, source, files_processed, files_unchanged, files_rejected
FROM etl_run;

CREATE VIEW pbi_etl_file AS
SELECT run_id, source_kind, file_name, content_sha256, status, rows_loaded, rows_rejected, message,
       processed_at_utc, file_id, size_bytes, modified_at_utc
FROM etl_file;

CREATE VIEW pbi_etl_problem AS
SELECT p.run_id, p.file_id, p.source_kind, p.source_name, p.sheet_name, p.cell, p.message, p.problem_id
FROM etl_problem p;

CREATE VIEW pbi_etl_check AS
SELECT run_id, check_name, failing_rows, CASE WHEN failing_rows = 0 THEN 1 ELSE 0 END AS passed
FROM etl_check_result;

CREATE VIEW pbi_dim_initiative AS
SELECT initiative_id, name, unit, phase, initiative_type, need_type, object_id, owner_email, hypothesis, decision_date
FROM dim_initiative;

CREATE VIEW pbi_dim_unit AS
SELECT unit FROM dim_unit;

CREATE VIEW pbi_dim_strategic_goal AS
SELECT goal_code, goal_name, sort_order FROM dim_strategic_goal;

CREATE VIEW pbi_bridge_initiative_goal AS
SELECT initiative_id, goal_code FROM bridge_initiative_goal;

CREATE VIEW pbi_dim_year AS
SELECT year FROM dim_year;

CREATE VIEW pbi_dim_date AS
SELECT date, year, quarter, month, month_name_sv, iso_week, day_of_week_sv, day_of_week
FROM dim_date;

CREATE VIEW pbi_fct_business_case_year AS
SELECT y.initiative_id, y.year, y.investment_sek, y.operating_cost_sek, y.cost_total_sek,
       y.investment_acc_sek, y.operating_cost_acc_sek, y.cost_total_acc_sek,
       y.financial_benefit_sek, y.redistribution_benefit_sek, y.economic_benefit_sek, y.economic_benefit_acc_sek,
       y.net_benefit_sek, y.net_benefit_acc_sek, y.economic_benefit_ratio, y.movement_score, y.benefit_ratio_total,
       v.bc_version_id, v.version_label, v.run_id, v.file_id, f.file_name AS source_file
FROM fct_business_case_year y
JOIN fct_business_case_version v ON v.bc_version_id = y.bc_version_id
JOIN etl_file f ON f.file_id = v.file_id
WHERE v.is_current = 1;

CREATE VIEW pbi_fct_business_case AS
SELECT v.initiative_id, v.version_label, v.loaded_at_utc, v.first_year, v.last_year,
       v.cost_total_sek, v.economic_benefit_total_sek, v.net_benefit_total_sek, v.payback_year,
       v.npv_sek, v.discount_rate,
       v.bc_version_id, v.run_id, v.file_id, f.file_name AS source_file, f.content_sha256 AS source_sha256
FROM fct_business_case_version v
JOIN etl_file f ON f.file_id = v.file_id
WHERE v.is_current = 1;

CREATE VIEW pbi_fct_business_case_version AS
SELECT v.initiative_id, v.bc_version_id, v.version_label, v.loaded_at_utc, v.is_current,
       v.first_year, v.last_year, v.cost_total_sek, v.economic_benefit_total_sek, v.net_benefit_total_sek,
       v.payback_year, v.npv_sek, v.discount_rate, v.run_id, v.file_id, f.file_name AS source_file
FROM fct_business_case_version v
JOIN etl_file f ON f.file_id = v.file_id;

CREATE VIEW pbi_fct_business_case_line AS
SELECT v.initiative_id, r.line_name, r.line_kind, r.category, r.year, r.value,
       r.sheet_name, r.cell, r.raw_text, v.bc_version_id, v.file_id, f.file_name AS source_file
FROM raw_business_case_value r
JOIN fct_business_case_version v ON v.file_id = r.file_id
JOIN etl_file f ON f.file_id = r.file_id
WHERE v.is_current = 1;
