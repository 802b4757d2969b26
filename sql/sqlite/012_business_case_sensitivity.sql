-- NackaInsights warehouse, version 12: sensitivity (business-case-workbook.md, sheet Känslighet). An owner may give each
-- SEK line of a business case a low and a high case; the warehouse derives the pessimistic and the optimistic case and
-- each line's swing of the net present value, the bars of a tornado chart.

-- Grain: one row per row of the sheet Känslighet of a loaded business case workbook, as read and as understood.
CREATE TABLE raw_business_case_sensitivity (
    file_id       INTEGER NOT NULL REFERENCES etl_file (file_id),
    line_row      INTEGER NOT NULL,
    line_name     TEXT    NOT NULL,
    line_kind     TEXT    NOT NULL,
    low_cell      TEXT    NOT NULL,
    low_raw_text  TEXT    NOT NULL,
    low_pct       REAL    NOT NULL,
    high_cell     TEXT    NOT NULL,
    high_raw_text TEXT    NOT NULL,
    high_pct      REAL    NOT NULL,
    PRIMARY KEY (file_id, line_row)
);

-- Grain: one row per initiative with a current business case: its pessimistic and its optimistic case.
CREATE TABLE fct_business_case_range (
    initiative_id                    TEXT    NOT NULL PRIMARY KEY,
    bc_version_id                    INTEGER NOT NULL REFERENCES fct_business_case_version (bc_version_id),
    net_benefit_total_pessimistic_sek REAL   NOT NULL,
    net_benefit_total_optimistic_sek REAL    NOT NULL,
    npv_pessimistic_sek              REAL    NOT NULL,
    npv_optimistic_sek               REAL    NOT NULL,
    payback_year_pessimistic         INTEGER NULL,
    payback_year_optimistic          INTEGER NULL,
    run_id                           INTEGER NOT NULL REFERENCES etl_run (run_id)
);

-- Grain: one row per SEK line (Kostnad or Nytta, by name) of an initiative's current business case. line_no numbers
-- the lines in the workbook's order, costs first; a name is too long a key for SQL Server's 900 bytes.
CREATE TABLE fct_business_case_sensitivity (
    initiative_id   TEXT    NOT NULL,
    line_no         INTEGER NOT NULL,
    line_kind       TEXT    NOT NULL,
    line_name       TEXT    NOT NULL,
    bc_version_id   INTEGER NOT NULL REFERENCES fct_business_case_version (bc_version_id),
    low_pct         REAL    NOT NULL,
    high_pct        REAL    NOT NULL,
    npv_at_low_sek  REAL    NOT NULL,
    npv_at_high_sek REAL    NOT NULL,
    npv_swing_sek   REAL    NOT NULL,
    swing_rank      INTEGER NOT NULL,
    low_cell        TEXT    NULL,
    high_cell       TEXT    NULL,
    run_id          INTEGER NOT NULL REFERENCES etl_run (run_id),
    PRIMARY KEY (initiative_id, line_no)
);

-- This version's pbi_* views live in sql/views/, recreated after every migration (issue 15).
