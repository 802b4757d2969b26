-- NackaInsights warehouse, version 3: benefit actuals. The objektsförvaltare's workbooks land row by
-- row with their outcome (raw_actual_row); accepted values are kept with their history
-- (fct_benefit_actual, the latest per initiative, benefit line and year current), and set against the
-- current business cases' plans (fct_benefit_realization). Files remember who uploaded them and where.

ALTER TABLE dbo.etl_file ADD author_email nvarchar(320) NULL;
ALTER TABLE dbo.etl_file ADD source_url nvarchar(2000) NULL;

-- Grain: one row per uploads source (a document library), its reading state.
CREATE TABLE dbo.etl_upload_state (
    source_key    nvarchar(400)  NOT NULL PRIMARY KEY,
    delta_link    nvarchar(4000) NULL,
    last_run_id   bigint         NOT NULL REFERENCES dbo.etl_run (run_id),
    last_read_utc datetime2(3)   NOT NULL
);

-- Grain: one row per line (cost or benefit) of a loaded business case workbook, also when all its cells are empty.
CREATE TABLE dbo.raw_business_case_line (
    file_id    bigint        NOT NULL REFERENCES dbo.etl_file (file_id),
    sheet_name nvarchar(100) NOT NULL,
    line_row   int           NOT NULL,
    line_name  nvarchar(400) NOT NULL,
    line_kind  nvarchar(20)  NOT NULL,
    category   nvarchar(40)  NOT NULL,
    PRIMARY KEY (file_id, sheet_name, line_row)
);

-- Grain: one row per data row of a processed actuals workbook, as read, with its outcome.
CREATE TABLE dbo.raw_actual_row (
    file_id       bigint         NOT NULL REFERENCES dbo.etl_file (file_id),
    row_number    int            NOT NULL,
    initiative_id nvarchar(400)  NULL,
    benefit_line  nvarchar(400)  NULL,
    benefit_type  nvarchar(400)  NULL,
    year          nvarchar(400)  NULL,
    planned       nvarchar(400)  NULL,
    value         nvarchar(400)  NULL,
    comment       nvarchar(4000) NULL,
    status        nvarchar(40)   NOT NULL,
    message       nvarchar(max)  NULL,
    PRIMARY KEY (file_id, row_number)
);

-- Grain: one row per accepted reported value; the latest (in processing order) per initiative,
-- benefit line and year is current, earlier ones are history.
CREATE TABLE dbo.fct_benefit_actual (
    actual_id        bigint         NOT NULL PRIMARY KEY,
    initiative_id    nvarchar(100)  NOT NULL,
    benefit_line     nvarchar(400)  NOT NULL,
    benefit_line_key nvarchar(400)  NOT NULL,
    benefit_type     nvarchar(40)   NOT NULL,
    year             int            NOT NULL,
    value            decimal(19,4)  NOT NULL,
    comment          nvarchar(4000) NULL,
    reported_by      nvarchar(320)  NULL,
    uploaded_by      nvarchar(320)  NULL,
    reported_at_utc  datetime2(3)   NOT NULL,
    file_id          bigint         NOT NULL REFERENCES dbo.etl_file (file_id),
    run_id           bigint         NOT NULL REFERENCES dbo.etl_run (run_id),
    sheet_name       nvarchar(100)  NOT NULL,
    cell             nvarchar(20)   NOT NULL,
    is_current       smallint       NOT NULL,
    unmatched_reason nvarchar(800)  NULL
);
CREATE INDEX ix_fct_benefit_actual_key ON dbo.fct_benefit_actual (initiative_id, benefit_line_key, year);

-- Grain: one row per initiative, benefit line and year of every current business case.
CREATE TABLE dbo.fct_benefit_realization (
    initiative_id     nvarchar(100)  NOT NULL,
    benefit_line      nvarchar(400)  NOT NULL,
    benefit_type      nvarchar(40)   NOT NULL,
    year              int            NOT NULL,
    planned_value     decimal(19,4)  NOT NULL,
    actual_value      decimal(19,4)  NULL,
    variance_value    decimal(19,4)  NULL,
    realization_rate  float          NULL,
    planned_acc_value decimal(19,4)  NOT NULL,
    actual_acc_value  decimal(19,4)  NULL,
    reported_by       nvarchar(320)  NULL,
    reported_at_utc   datetime2(3)   NULL,
    comment           nvarchar(4000) NULL,
    bc_version_id     bigint         NOT NULL REFERENCES dbo.fct_business_case_version (bc_version_id),
    line_row          int            NOT NULL,
    actual_id         bigint         NULL REFERENCES dbo.fct_benefit_actual (actual_id),
    run_id            bigint         NOT NULL REFERENCES dbo.etl_run (run_id),
    PRIMARY KEY (bc_version_id, line_row, year)
);
GO

-- Business cases loaded before this version: their lines as far as their values show them.
INSERT INTO dbo.raw_business_case_line (file_id, sheet_name, line_row, line_name, line_kind, category)
SELECT DISTINCT file_id, sheet_name, line_row, line_name, line_kind, category FROM dbo.raw_business_case_value;
GO

-- This version's pbi_* views now live in sql/views/, recreated after every migration (issue 15).
