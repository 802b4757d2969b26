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

-- This version's pbi_* views now live in sql/views/, recreated after every migration (issue 15).

-- Power BI's account reads the pbi_* views and nothing else.
IF DATABASE_PRINCIPAL_ID(N'nacka_insights_reader') IS NULL
    CREATE ROLE nacka_insights_reader;
GO
