-- NackaInsights warehouse, version 12: sensitivity (business-case-workbook.md, sheet Känslighet). An owner may give each
-- SEK line of a business case a low and a high case; the warehouse derives the pessimistic and the optimistic case and
-- each line's swing of the net present value, the bars of a tornado chart.

-- Grain: one row per row of the sheet Känslighet of a loaded business case workbook, as read and as understood.
CREATE TABLE dbo.raw_business_case_sensitivity (
    file_id bigint NOT NULL REFERENCES dbo.etl_file (file_id),
    line_row int NOT NULL,
    line_name nvarchar(400) NOT NULL,
    line_kind nvarchar(20) NOT NULL,
    low_cell nvarchar(20) NOT NULL,
    low_raw_text nvarchar(400) NOT NULL,
    low_pct decimal(9,4) NOT NULL,
    high_cell nvarchar(20) NOT NULL,
    high_raw_text nvarchar(400) NOT NULL,
    high_pct decimal(9,4) NOT NULL,
    PRIMARY KEY (file_id, line_row)
);
GO

-- Grain: one row per initiative with a current business case: its pessimistic and its optimistic case.
CREATE TABLE dbo.fct_business_case_range (
    initiative_id nvarchar(100) NOT NULL PRIMARY KEY,
    bc_version_id bigint NOT NULL REFERENCES dbo.fct_business_case_version (bc_version_id),
    net_benefit_total_pessimistic_sek decimal(19,4) NOT NULL,
    net_benefit_total_optimistic_sek decimal(19,4) NOT NULL,
    npv_pessimistic_sek decimal(19,4) NOT NULL,
    npv_optimistic_sek decimal(19,4) NOT NULL,
    payback_year_pessimistic int NULL,
    payback_year_optimistic int NULL,
    run_id bigint NOT NULL REFERENCES dbo.etl_run (run_id)
);
GO

-- Grain: one row per SEK line (Kostnad or Nytta, by name) of an initiative's current business case. line_no numbers
-- the lines in the workbook's order, costs first; a name is too long a key for SQL Server's 900 bytes.
CREATE TABLE dbo.fct_business_case_sensitivity (
    initiative_id nvarchar(100) NOT NULL,
    line_no int NOT NULL,
    line_kind nvarchar(20) NOT NULL,
    line_name nvarchar(400) NOT NULL,
    bc_version_id bigint NOT NULL REFERENCES dbo.fct_business_case_version (bc_version_id),
    low_pct decimal(9,4) NOT NULL,
    high_pct decimal(9,4) NOT NULL,
    npv_at_low_sek decimal(19,4) NOT NULL,
    npv_at_high_sek decimal(19,4) NOT NULL,
    npv_swing_sek decimal(19,4) NOT NULL,
    swing_rank int NOT NULL,
    low_cell nvarchar(20) NULL,
    high_cell nvarchar(20) NULL,
    run_id bigint NOT NULL REFERENCES dbo.etl_run (run_id),
    PRIMARY KEY (initiative_id, line_no)
);
GO

-- This version's pbi_* views live in sql/views/, recreated after every migration (issue 15).
