-- NackaInsights warehouse, version 1: lineage, business cases, their dimensions, and the pbi_* views.
-- Layers: etl_* (runs, files, problems, checks), raw_* (source rows as read), dim_*/fct_* (the model),
-- pbi_* (the only objects Power BI reads). Money is SEK, ratios are unrounded.
-- Batches are separated by GO: a view must be alone in its batch.

-- Grain: one row per pipeline run.
CREATE TABLE dbo.etl_run (
    run_id          bigint         IDENTITY(1,1) NOT NULL PRIMARY KEY,
    run_kind        nvarchar(40)   NOT NULL,
    source          nvarchar(1000) NULL,
    host_name       nvarchar(200)  NULL,
    started_at_utc  datetime2(3)   NOT NULL,
    finished_at_utc datetime2(3)   NULL,
    status          nvarchar(20)   NOT NULL,
    files_processed int            NOT NULL DEFAULT 0,
    files_unchanged int            NOT NULL DEFAULT 0,
    files_rejected  int            NOT NULL DEFAULT 0,
    rows_loaded     int            NOT NULL DEFAULT 0,
    rows_rejected   int            NOT NULL DEFAULT 0,
    message         nvarchar(max)  NULL
);

-- Grain: one row per source file processed in a run.
CREATE TABLE dbo.etl_file (
    file_id          bigint        NOT NULL PRIMARY KEY,
    run_id           bigint        NOT NULL REFERENCES dbo.etl_run (run_id),
    source_kind      nvarchar(40)  NOT NULL,
    file_name        nvarchar(800) NOT NULL,
    content_sha256   nvarchar(64)  NOT NULL,
    size_bytes       bigint        NOT NULL,
    modified_at_utc  datetime2(3)  NULL,
    status           nvarchar(20)  NOT NULL,
    rows_loaded      int           NOT NULL,
    rows_rejected    int           NOT NULL,
    message          nvarchar(max) NULL,
    processed_at_utc datetime2(3)  NOT NULL
);
CREATE INDEX ix_etl_file_name ON dbo.etl_file (source_kind, file_name);

-- Grain: one row per problem found in a source file (with sheet and cell) or list item.
CREATE TABLE dbo.etl_problem (
    problem_id  bigint        NOT NULL PRIMARY KEY,
    run_id      bigint        NOT NULL REFERENCES dbo.etl_run (run_id),
    file_id     bigint        NULL REFERENCES dbo.etl_file (file_id),
    source_kind nvarchar(40)  NOT NULL,
    source_name nvarchar(800) NOT NULL,
    sheet_name  nvarchar(100) NULL,
    cell        nvarchar(20)  NULL,
    message     nvarchar(max) NOT NULL
);
CREATE INDEX ix_etl_problem_run ON dbo.etl_problem (run_id);

-- Grain: one row per data check per run.
CREATE TABLE dbo.etl_check_result (
    run_id       bigint        NOT NULL REFERENCES dbo.etl_run (run_id),
    check_name   nvarchar(200) NOT NULL,
    failing_rows int           NOT NULL,
    PRIMARY KEY (run_id, check_name)
);

-- Grain: one row per label of the sheet Initiativ of a loaded business case workbook, as read.
CREATE TABLE dbo.raw_business_case_attribute (
    file_id bigint         NOT NULL REFERENCES dbo.etl_file (file_id),
    cell    nvarchar(20)   NOT NULL,
    label   nvarchar(200)  NOT NULL,
    value   nvarchar(4000) NULL,
    PRIMARY KEY (file_id, cell)
);

-- Grain: one row per non-empty amount cell of a loaded business case workbook, as read and as understood.
CREATE TABLE dbo.raw_business_case_value (
    file_id    bigint        NOT NULL REFERENCES dbo.etl_file (file_id),
    sheet_name nvarchar(100) NOT NULL,
    cell       nvarchar(20)  NOT NULL,
    line_row   int           NOT NULL,
    line_name  nvarchar(400) NOT NULL,
    line_kind  nvarchar(20)  NOT NULL,
    category   nvarchar(40)  NOT NULL,
    year       int           NOT NULL,
    raw_text   nvarchar(400) NOT NULL,
    value      decimal(19,4) NOT NULL,
    PRIMARY KEY (file_id, sheet_name, cell)
);

-- Grain: one row per business case version (one loaded workbook); the latest per initiative is current.
CREATE TABLE dbo.fct_business_case_version (
    bc_version_id              bigint        NOT NULL PRIMARY KEY,
    initiative_id              nvarchar(100) NOT NULL,
    version_label              nvarchar(200) NULL,
    file_id                    bigint        NOT NULL REFERENCES dbo.etl_file (file_id),
    run_id                     bigint        NOT NULL REFERENCES dbo.etl_run (run_id),
    loaded_at_utc              datetime2(3)  NOT NULL,
    is_current                 smallint      NOT NULL,
    initiative_name            nvarchar(400) NOT NULL,
    unit                       nvarchar(200) NOT NULL,
    owner_email                nvarchar(320) NOT NULL,
    object_id                  nvarchar(100) NULL,
    goal_codes                 nvarchar(400) NULL,
    first_year                 int           NULL,
    last_year                  int           NULL,
    cost_total_sek             decimal(19,4) NOT NULL,
    economic_benefit_total_sek decimal(19,4) NOT NULL,
    net_benefit_total_sek      decimal(19,4) NOT NULL,
    payback_year               int           NULL,
    npv_sek                    decimal(19,4) NOT NULL,
    discount_rate              decimal(9,6)  NOT NULL
);
CREATE INDEX ix_fct_business_case_version_initiative ON dbo.fct_business_case_version (initiative_id, is_current);

-- Grain: one row per business case version and year of its horizon.
CREATE TABLE dbo.fct_business_case_year (
    bc_version_id              bigint        NOT NULL REFERENCES dbo.fct_business_case_version (bc_version_id),
    year                       int           NOT NULL,
    initiative_id              nvarchar(100) NOT NULL,
    investment_sek             decimal(19,4) NOT NULL,
    operating_cost_sek         decimal(19,4) NOT NULL,
    cost_total_sek             decimal(19,4) NOT NULL,
    investment_acc_sek         decimal(19,4) NOT NULL,
    operating_cost_acc_sek     decimal(19,4) NOT NULL,
    cost_total_acc_sek         decimal(19,4) NOT NULL,
    financial_benefit_sek      decimal(19,4) NOT NULL,
    redistribution_benefit_sek decimal(19,4) NOT NULL,
    economic_benefit_sek       decimal(19,4) NOT NULL,
    economic_benefit_acc_sek   decimal(19,4) NOT NULL,
    net_benefit_sek            decimal(19,4) NOT NULL,
    net_benefit_acc_sek        decimal(19,4) NOT NULL,
    economic_benefit_ratio     float         NULL,
    movement_score             float         NOT NULL,
    benefit_ratio_total        float         NULL,
    PRIMARY KEY (bc_version_id, year)
);

-- Grain: one row per initiative, its current attributes.
CREATE TABLE dbo.dim_initiative (
    initiative_id   nvarchar(100)  NOT NULL PRIMARY KEY,
    name            nvarchar(400)  NOT NULL,
    unit            nvarchar(200)  NOT NULL,
    phase           nvarchar(40)   NULL,
    initiative_type nvarchar(40)   NULL,
    need_type       nvarchar(40)   NULL,
    object_id       nvarchar(100)  NULL,
    owner_email     nvarchar(320)  NULL,
    hypothesis      nvarchar(4000) NULL,
    decision_date   date           NULL,
    bc_version_id   bigint         NULL
);

-- Grain: one row per verksamhet.
CREATE TABLE dbo.dim_unit (
    unit nvarchar(200) NOT NULL PRIMARY KEY
);

-- Grain: one row per overall goal (the four).
CREATE TABLE dbo.dim_strategic_goal (
    goal_code  nvarchar(40)  NOT NULL PRIMARY KEY,
    goal_name  nvarchar(200) NOT NULL,
    sort_order int           NOT NULL
);
INSERT INTO dbo.dim_strategic_goal (goal_code, goal_name, sort_order) VALUES
    (N'MAXIMALT_VARDE', N'Maximalt värde för skattepengarna', 1),
    (N'BASTA_UTVECKLING', N'Bästa utveckling för alla', 2),
    (N'STARK_TILLVAXT', N'Stark och balanserad tillväxt', 3),
    (N'ATTRAKTIVA_LIVSMILJOER', N'Attraktiva livsmiljöer i hela Nacka', 4);

-- Grain: one row per initiative and overall goal.
CREATE TABLE dbo.bridge_initiative_goal (
    initiative_id nvarchar(100) NOT NULL,
    goal_code     nvarchar(40)  NOT NULL,
    PRIMARY KEY (initiative_id, goal_code)
);

-- Grain: one row per year from the first to the last year in the facts.
CREATE TABLE dbo.dim_year (
    year int NOT NULL PRIMARY KEY
);

-- Grain: one row per day of the years in dim_year.
CREATE TABLE dbo.dim_date (
    date           date         NOT NULL PRIMARY KEY,
    year           int          NOT NULL,
    quarter        int          NOT NULL,
    month          int          NOT NULL,
    month_name_sv  nvarchar(20) NOT NULL,
    iso_week       int          NOT NULL,
    day_of_week    int          NOT NULL,
    day_of_week_sv nvarchar(20) NOT NULL
);
GO

CREATE VIEW dbo.pbi_etl_run AS
SELECT run_id, started_at_utc, finished_at_utc, status, rows_loaded, rows_rejected, message,
       run_kind, source, files_processed, files_unchanged, files_rejected
FROM dbo.etl_run;
GO

CREATE VIEW dbo.pbi_etl_file AS
SELECT run_id, source_kind, file_name, content_sha256, status, rows_loaded, rows_rejected, message,
       processed_at_utc, file_id, size_bytes, modified_at_utc
FROM dbo.etl_file;
GO

CREATE VIEW dbo.pbi_etl_problem AS
SELECT p.run_id, p.file_id, p.source_kind, p.source_name, p.sheet_name, p.cell, p.message, p.problem_id
FROM dbo.etl_problem p;
GO

CREATE VIEW dbo.pbi_etl_check AS
SELECT run_id, check_name, failing_rows, CASE WHEN failing_rows = 0 THEN 1 ELSE 0 END AS passed
FROM dbo.etl_check_result;
GO

CREATE VIEW dbo.pbi_dim_initiative AS
SELECT initiative_id, name, unit, phase, initiative_type, need_type, object_id, owner_email, hypothesis, decision_date
FROM dbo.dim_initiative;
GO

CREATE VIEW dbo.pbi_dim_unit AS
SELECT unit FROM dbo.dim_unit;
GO

CREATE VIEW dbo.pbi_dim_strategic_goal AS
SELECT goal_code, goal_name, sort_order FROM dbo.dim_strategic_goal;
GO

CREATE VIEW dbo.pbi_bridge_initiative_goal AS
SELECT initiative_id, goal_code FROM dbo.bridge_initiative_goal;
GO

CREATE VIEW dbo.pbi_dim_year AS
SELECT year FROM dbo.dim_year;
GO

CREATE VIEW dbo.pbi_dim_date AS
SELECT date, year, quarter, month, month_name_sv, iso_week, day_of_week_sv, day_of_week
FROM dbo.dim_date;
GO

CREATE VIEW dbo.pbi_fct_business_case_year AS
SELECT y.initiative_id, y.year, y.investment_sek, y.operating_cost_sek, y.cost_total_sek,
       y.investment_acc_sek, y.operating_cost_acc_sek, y.cost_total_acc_sek,
       y.financial_benefit_sek, y.redistribution_benefit_sek, y.economic_benefit_sek, y.economic_benefit_acc_sek,
       y.net_benefit_sek, y.net_benefit_acc_sek, y.economic_benefit_ratio, y.movement_score, y.benefit_ratio_total,
       v.bc_version_id, v.version_label, v.run_id, v.file_id, f.file_name AS source_file
FROM dbo.fct_business_case_year y
JOIN dbo.fct_business_case_version v ON v.bc_version_id = y.bc_version_id
JOIN dbo.etl_file f ON f.file_id = v.file_id
WHERE v.is_current = 1;
GO

CREATE VIEW dbo.pbi_fct_business_case AS
SELECT v.initiative_id, v.version_label, v.loaded_at_utc, v.first_year, v.last_year,
       v.cost_total_sek, v.economic_benefit_total_sek, v.net_benefit_total_sek, v.payback_year,
       v.npv_sek, v.discount_rate,
       v.bc_version_id, v.run_id, v.file_id, f.file_name AS source_file, f.content_sha256 AS source_sha256
FROM dbo.fct_business_case_version v
JOIN dbo.etl_file f ON f.file_id = v.file_id
WHERE v.is_current = 1;
GO

CREATE VIEW dbo.pbi_fct_business_case_version AS
SELECT v.initiative_id, v.bc_version_id, v.version_label, v.loaded_at_utc, v.is_current,
       v.first_year, v.last_year, v.cost_total_sek, v.economic_benefit_total_sek, v.net_benefit_total_sek,
       v.payback_year, v.npv_sek, v.discount_rate, v.run_id, v.file_id, f.file_name AS source_file
FROM dbo.fct_business_case_version v
JOIN dbo.etl_file f ON f.file_id = v.file_id;
GO

CREATE VIEW dbo.pbi_fct_business_case_line AS
SELECT v.initiative_id, r.line_name, r.line_kind, r.category, r.year, r.value,
       r.sheet_name, r.cell, r.raw_text, v.bc_version_id, v.file_id, f.file_name AS source_file
FROM dbo.raw_business_case_value r
JOIN dbo.fct_business_case_version v ON v.file_id = r.file_id
JOIN dbo.etl_file f ON f.file_id = r.file_id
WHERE v.is_current = 1;
GO

-- Power BI's account reads the pbi_* views and nothing else.
IF DATABASE_PRINCIPAL_ID(N'nacka_insights_reader') IS NULL
    CREATE ROLE nacka_insights_reader;
GO
GRANT SELECT ON dbo.pbi_etl_run TO nacka_insights_reader;
GRANT SELECT ON dbo.pbi_etl_file TO nacka_insights_reader;
GRANT SELECT ON dbo.pbi_etl_problem TO nacka_insights_reader;
GRANT SELECT ON dbo.pbi_etl_check TO nacka_insights_reader;
GRANT SELECT ON dbo.pbi_dim_initiative TO nacka_insights_reader;
GRANT SELECT ON dbo.pbi_dim_unit TO nacka_insights_reader;
GRANT SELECT ON dbo.pbi_dim_strategic_goal TO nacka_insights_reader;
GRANT SELECT ON dbo.pbi_bridge_initiative_goal TO nacka_insights_reader;
GRANT SELECT ON dbo.pbi_dim_year TO nacka_insights_reader;
GRANT SELECT ON dbo.pbi_dim_date TO nacka_insights_reader;
GRANT SELECT ON dbo.pbi_fct_business_case_year TO nacka_insights_reader;
GRANT SELECT ON dbo.pbi_fct_business_case TO nacka_insights_reader;
GRANT SELECT ON dbo.pbi_fct_business_case_version TO nacka_insights_reader;
GRANT SELECT ON dbo.pbi_fct_business_case_line TO nacka_insights_reader;
GO
