-- NackaInsights warehouse, version 5: the maturity survey and the digitaliseringsindex (index-survey.md).
-- Survey exports land row by row with their outcome (raw_survey_row); the accepted values are kept per
-- year, unit and dimension, the value loaded last replacing earlier ones (fct_survey_result). From them,
-- the initiative register's history and the benefit realisation, the index is computed per unit, year
-- and component, per unit and year, and for the municipality per year.

-- Grain: one row per data row of a processed survey export, as read, with its outcome.
CREATE TABLE raw_survey_row (
    file_id      INTEGER NOT NULL REFERENCES etl_file (file_id),
    row_number   INTEGER NOT NULL,
    year         TEXT    NULL,
    unit         TEXT    NULL,
    dimension    TEXT    NULL,
    percent_text TEXT    NULL,
    respondents  TEXT    NULL,
    status       TEXT    NOT NULL,
    message      TEXT    NULL,
    PRIMARY KEY (file_id, row_number)
);

-- Grain: one row per year, unit and maturity dimension: the value loaded last.
CREATE TABLE fct_survey_result (
    year          INTEGER NOT NULL,
    unit          TEXT    NOT NULL,
    dimension     TEXT    NOT NULL,
    percent_value REAL    NOT NULL,
    respondents   INTEGER NULL,
    file_id       INTEGER NOT NULL REFERENCES etl_file (file_id),
    run_id        INTEGER NOT NULL REFERENCES etl_run (run_id),
    sheet_name    TEXT    NULL,
    cell          TEXT    NOT NULL,
    row_number    INTEGER NOT NULL,
    PRIMARY KEY (year, unit, dimension)
);

-- Grain: one row per unit, year and component of the index that the unit has data for.
CREATE TABLE fct_digitalization_index (
    unit        TEXT    NOT NULL,
    year        INTEGER NOT NULL,
    component   TEXT    NOT NULL,
    score       REAL    NOT NULL,
    weight      REAL    NOT NULL,
    numerator   REAL    NOT NULL,
    denominator REAL    NOT NULL,
    basis       TEXT    NOT NULL,
    run_id      INTEGER NOT NULL REFERENCES etl_run (run_id),
    PRIMARY KEY (unit, year, component)
);

-- Grain: one row per unit and year with an index.
CREATE TABLE fct_digitalization_index_unit (
    unit            TEXT    NOT NULL,
    year            INTEGER NOT NULL,
    index_value     REAL    NOT NULL,
    components_used INTEGER NOT NULL,
    run_id          INTEGER NOT NULL REFERENCES etl_run (run_id),
    PRIMARY KEY (unit, year)
);

-- Grain: one row per year with an index: the municipality's.
CREATE TABLE fct_digitalization_index_total (
    year        INTEGER NOT NULL PRIMARY KEY,
    index_value REAL    NOT NULL,
    units       INTEGER NOT NULL,
    run_id      INTEGER NOT NULL REFERENCES etl_run (run_id)
);

-- This version's pbi_* views now live in sql/views/, recreated after every migration (issue 15).
