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

CREATE VIEW dbo.pbi_fct_survey_result AS
SELECT s.year, s.unit, s.dimension, s.percent_value, s.respondents, s.file_id, s.run_id, f.file_name AS source_file, s.sheet_name, s.cell
FROM dbo.fct_survey_result s
JOIN dbo.etl_file f ON f.file_id = s.file_id;
GO

CREATE VIEW dbo.pbi_fct_digitalization_index AS
SELECT unit, year, component, score, weight, numerator, denominator, basis, run_id
FROM dbo.fct_digitalization_index;
GO

CREATE VIEW dbo.pbi_fct_digitalization_index_unit AS
SELECT unit, year, index_value, components_used, run_id
FROM dbo.fct_digitalization_index_unit;
GO

CREATE VIEW dbo.pbi_fct_digitalization_index_total AS
SELECT year, index_value, units, run_id
FROM dbo.fct_digitalization_index_total;
GO

GRANT SELECT ON dbo.pbi_fct_survey_result TO nacka_insights_reader;
GRANT SELECT ON dbo.pbi_fct_digitalization_index TO nacka_insights_reader;
GRANT SELECT ON dbo.pbi_fct_digitalization_index_unit TO nacka_insights_reader;
GRANT SELECT ON dbo.pbi_fct_digitalization_index_total TO nacka_insights_reader;
GO
