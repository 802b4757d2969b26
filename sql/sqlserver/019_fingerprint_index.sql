-- NackaInsights warehouse, version 19: on SQLite, the status added to the index of etl_file's names, so that the
-- fingerprint query a run starts with reads the index alone (sql/sqlite/019_fingerprint_index.sql). Not here, as on
-- PostgreSQL: the small runs that pay for those lookups are judged on SQLite. The version is kept the same on every
-- database.
SELECT 1;
GO
