-- NackaInsights warehouse, version 5: the maturity survey and the digitaliseringsindex (index-survey.md).
-- Survey exports land row by row with their outcome (raw_survey_row); the accepted values are kept per
-- year, unit and dimension, the value loaded last replacing earlier ones (fct_survey_result). From them,
-- the initiative register's history and the benefit realisation, the index is computed per unit, year
-- and component, per unit and year, and for the municipality per year.

-- Grain: one row per data row of a processed survey export, as read, with its outcome.
CREATE TABLE dbo.raw_survey_row (
    file_id      bigint        NOT NULL REFERENCES dbo.etl_file (file_id),
    row_number   int           NOT NULL,
    year         nvarchar(400) NULL,
    unit         nvarchar(400) NULL,
    dimension    nvarchar(400) NULL,
    percent_text nvarchar(400) NULL,
    respondents  nvarchar(400) NULL,
    status       nvarchar(40)  NOT NULL,
    message      nvarchar(max) NULL,
    PRIMARY KEY (file_id, row_number)
);

-- Grain: one row per year, unit and maturity dimension: the value loaded last.
CREATE TABLE dbo.fct_survey_result (
    year          int           NOT NULL,
    unit          nvarchar(200) NOT NULL,
    dimension     nvarchar(200) NOT NULL,
    percent_value decimal(19,4) NOT NULL,
    respondents   int           NULL,
    file_id       bigint        NOT NULL REFERENCES dbo.etl_file (file_id),
    run_id        bigint        NOT NULL REFERENCES dbo.etl_run (run_id),
    sheet_name    nvarchar(100) NULL,
    cell          nvarchar(20)  NOT NULL,
    row_number    int           NOT NULL,
    PRIMARY KEY (year, unit, dimension)
);

-- Grain: one row per unit, year and component of the index that the unit has data for.
CREATE TABLE dbo.fct_digitalization_index (
    unit        nvarchar(200) NOT NULL,
    year        int           NOT NULL,
    component   nvarchar(40)  NOT NULL,
    score       float         NOT NULL,
    weight      float         NOT NULL,
    numerator   decimal(19,4) NOT NULL,
    denominator decimal(19,4) NOT NULL,
    basis       nvarchar(400) NOT NULL,
    run_id      bigint        NOT NULL REFERENCES dbo.etl_run (run_id),
    PRIMARY KEY (unit, year, component)
);

-- Grain: one row per unit and year with an index.
CREATE TABLE dbo.fct_digitalization_index_unit (
    unit            nvarchar(200) NOT NULL,
    year            int           NOT NULL,
    index_value     float         NOT NULL,
    components_used int           NOT NULL,
    run_id          bigint        NOT NULL REFERENCES dbo.etl_run (run_id),
    PRIMARY KEY (unit, year)
);

-- Grain: one row per year with an index: the municipality's.
CREATE TABLE dbo.fct_digitalization_index_total (
    year        int    NOT NULL PRIMARY KEY,
    index_value float  NOT NULL,
    units       int    NOT NULL,
    run_id      bigint NOT NULL REFERENCES dbo.etl_run (run_id)
);
GO

-- This version's pbi_* views now live in sql/views/, recreated after every migration (issue 15).
