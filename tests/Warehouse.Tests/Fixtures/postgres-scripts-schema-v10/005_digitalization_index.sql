-- NackaInsights warehouse, version 5: the maturity survey and the digitaliseringsindex (index-survey.md).
-- Survey exports land row by row with their outcome (raw_survey_row); the accepted values are kept per
-- year, unit and dimension, the value loaded last replacing earlier ones (fct_survey_result). From them,
-- the initiative register's history and the benefit realisation, the index is computed per unit, year
-- and component, per unit and year, and for the municipality per year.

-- Grain: one row per data row of a processed survey export, as read, with its outcome.
CREATE TABLE raw_survey_row (
    file_id      bigint  NOT NULL REFERENCES etl_file (file_id),
    row_number   integer NOT NULL,
    year         text    NULL,
    unit         text    NULL,
    dimension    text    NULL,
    percent_text text    NULL,
    respondents  text    NULL,
    status       text    NOT NULL,
    message      text    NULL,
    PRIMARY KEY (file_id, row_number)
);

-- Grain: one row per year, unit and maturity dimension: the value loaded last.
CREATE TABLE fct_survey_result (
    year          integer NOT NULL,
    unit          text    NOT NULL,
    dimension     text    NOT NULL,
    percent_value numeric(19,4) NOT NULL,
    respondents   integer NULL,
    file_id       bigint  NOT NULL REFERENCES etl_file (file_id),
    run_id        bigint  NOT NULL REFERENCES etl_run (run_id),
    sheet_name    text    NULL,
    cell          text    NOT NULL,
    row_number    integer NOT NULL,
    PRIMARY KEY (year, unit, dimension)
);

-- Grain: one row per unit, year and component of the index that the unit has data for.
CREATE TABLE fct_digitalization_index (
    unit        text    NOT NULL,
    year        integer NOT NULL,
    component   text    NOT NULL,
    score       double precision NOT NULL,
    weight      double precision NOT NULL,
    numerator   numeric(19,4) NOT NULL,
    denominator numeric(19,4) NOT NULL,
    basis       text    NOT NULL,
    run_id      bigint  NOT NULL REFERENCES etl_run (run_id),
    PRIMARY KEY (unit, year, component)
);

-- Grain: one row per unit and year with an index.
CREATE TABLE fct_digitalization_index_unit (
    unit            text    NOT NULL,
    year            integer NOT NULL,
    index_value     double precision NOT NULL,
    components_used integer NOT NULL,
    run_id          bigint  NOT NULL REFERENCES etl_run (run_id),
    PRIMARY KEY (unit, year)
);

-- Grain: one row per year with an index: the municipality's.
CREATE TABLE fct_digitalization_index_total (
    year        integer NOT NULL PRIMARY KEY,
    index_value double precision NOT NULL,
    units       integer NOT NULL,
    run_id      bigint  NOT NULL REFERENCES etl_run (run_id)
);

CREATE VIEW pbi_fct_survey_result AS
SELECT s.year, s.unit, s.dimension, s.percent_value, s.respondents, s.file_id, s.run_id, f.file_name AS source_file, s.sheet_name, s.cell
FROM fct_survey_result s
JOIN etl_file f ON f.file_id = s.file_id;

CREATE VIEW pbi_fct_digitalization_index AS
SELECT unit, year, component, score, weight, numerator, denominator, basis, run_id
FROM fct_digitalization_index;

CREATE VIEW pbi_fct_digitalization_index_unit AS
SELECT unit, year, index_value, components_used, run_id
FROM fct_digitalization_index_unit;

CREATE VIEW pbi_fct_digitalization_index_total AS
SELECT year, index_value, units, run_id
FROM fct_digitalization_index_total;

GRANT SELECT ON
    pbi_fct_survey_result, pbi_fct_digitalization_index, pbi_fct_digitalization_index_unit, pbi_fct_digitalization_index_total
TO nacka_insights_reader;
