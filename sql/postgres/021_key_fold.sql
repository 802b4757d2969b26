-- NackaInsights warehouse, version 21: whether the stored spellings of the keys are one per key, so that a run looks a
-- key up exactly in its dimension rather than read every stored spelling (sql/sqlite/021_key_fold.sql).

-- Grain: at most one row, the run that first read every stored spelling and left one of each key.
CREATE TABLE etl_key_fold (
    run_id bigint NOT NULL PRIMARY KEY REFERENCES etl_run (run_id)
);
