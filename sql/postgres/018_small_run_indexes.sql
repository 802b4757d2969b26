-- NackaInsights warehouse, version 18: on SQLite, the columns the calendar takes its first and last year of, and the
-- initiative of fct_business_case_year, indexed for the runs that change little (sql/sqlite/018_small_run_indexes.sql).
-- Not here: the small runs that pay for those scans are judged on SQLite, and every index costs a PostgreSQL full
-- refresh its maintenance in the bulk loads (about 2.7 µs a row an index: the realization's 280,000 rows took 0.9 s
-- without its two indexes, 2.2-2.8 s with them), where it is held to 1.5x SQLite's. The version is kept the same on
-- every database.
SELECT 1;
