-- NackaInsights warehouse, version 18: what a run that changed little reads, indexed, so that it costs what the change
-- costs rather than what the warehouse holds (issue 21, one changed business case at scale 4).
-- The calendar (CalendarMart) is due after every run that wrote one of the tables it spans, and takes the first and last
-- year or day of each: without an index each MIN and MAX scanned its table; with one, SQLite reads the index's two ends.
-- The nine checks of pbi_fct_business_case_year a run runs over the initiatives it wrote filter on
-- fct_business_case_year.initiative_id, which no index led with: each scanned the table.
-- Measured on a scale-4 warehouse (8,000 initiatives) in the sqlite3 shell, warm, CPU: the calendar's query 54 -> 1 ms,
-- the nine checks over one initiative 70 -> 5 ms. The price is in a full refresh: keeping the eight indexes up to date
-- as the tables fill, about 0.2 s at scale 4 (INSERT ... SELECT of the same rows with and without them), and the
-- view's uniqueness and initiative checks over every row, 82 -> 112 ms (best of 12): the initiative's index holds year
-- and version, so that the uniqueness check walks it in order without a sort (with initiative_id alone, 82 -> 126-141 ms).
-- Whole process, precompiled, with the plain reads of the migration check and the list states, against main,
-- interleaved on a machine loaded by others: one changed workbook at scale 4 1.48 s (1.42-1.60) -> 1.32 s (1.24-1.60),
-- CPU 1.34 -> 1.17 s (medians of 10 pairs); the no-op level (1.06 -> 1.07 s, 10 pairs); a full refresh level within
-- the noise at scale 1 (CPU 9.07 -> 8.89 s, 6 pairs) and scale 4 (36.5 -> 37.0 s, 2 pairs).
-- The tables of one row per initiative (dim_initiative, fct_initiative_lifecycle) and the register's history are indexed
-- too: they grow with it. fct_project_status_snapshot and fct_survey_result have a key that leads with the column;
-- etl_run and fct_digitalization_index_unit hold a handful of rows.

CREATE INDEX ix_fct_business_case_year_initiative ON fct_business_case_year (initiative_id, year, bc_version_id);
CREATE INDEX ix_fct_business_case_year_year ON fct_business_case_year (year);
CREATE INDEX ix_fct_evaluation_score_assessed_on ON fct_evaluation_score (assessed_on);
CREATE INDEX ix_fct_project_status_report_date ON fct_project_status (report_date);
CREATE INDEX ix_dim_initiative_history_valid_from ON dim_initiative_history (valid_from);
CREATE INDEX ix_dim_initiative_decision_date ON dim_initiative (decision_date);
CREATE INDEX ix_fct_initiative_lifecycle_registered_on ON fct_initiative_lifecycle (registered_on);
CREATE INDEX ix_fct_initiative_lifecycle_decided_on ON fct_initiative_lifecycle (decided_on);
