-- NackaInsights warehouse, version 15: which business case version of an initiative is the latest (issue 21).
-- PostgreSQL's version of this script also turns the per-row foreign keys of the bulk-loaded tables into checks once
-- per statement. SQLite keeps its foreign keys: it checks a row with a lookup in the referenced table's primary key,
-- in process, and a statement-level trigger with the statement's new rows does not exist here.

-- The marts' MAX(bc_version_id) per initiative reads one index entry.
CREATE INDEX ix_fct_business_case_version_latest ON fct_business_case_version (initiative_id, bc_version_id);
