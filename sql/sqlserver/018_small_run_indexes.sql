-- NackaInsights warehouse, version 18: on SQLite, the columns the calendar takes its first and last year of, and the
-- initiative of fct_business_case_year, indexed for the runs that change little (sql/sqlite/018_small_run_indexes.sql).
-- Not here, as on PostgreSQL: the small runs that pay for those scans are judged on SQLite, and every index costs a
-- full refresh its maintenance in the bulk loads. The version is kept the same on every database.
SELECT 1;
GO
