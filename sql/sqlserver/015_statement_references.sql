-- NackaInsights warehouse, version 15: which business case version of an initiative is the latest (issue 21).
-- PostgreSQL's version of this script also turns the per-row foreign keys of the bulk-loaded tables into checks once
-- per statement. SQL Server keeps its foreign keys: it checks them in the statement's own plan, as a join over all the
-- statement's rows (a bulk copy too, with CHECK_CONSTRAINTS), not with a query per row.

-- The marts' MAX(bc_version_id) per initiative reads one index entry.
CREATE INDEX ix_fct_business_case_version_latest ON dbo.fct_business_case_version (initiative_id, bc_version_id);
GO
