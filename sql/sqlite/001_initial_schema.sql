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

-- This version's pbi_* views now live in sql/views/, recreated after every migration (issue 15).
