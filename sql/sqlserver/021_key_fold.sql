-- NackaInsights warehouse, version 21: whether the stored spellings of the keys are one per key, so that a run looks a
-- key up exactly in its dimension rather than read every stored spelling (sql/sqlite/021_key_fold.sql).

-- Grain: at most one row, the run that first read every stored spelling and left one of each key.
CREATE TABLE dbo.etl_key_fold (
    run_id bigint NOT NULL REFERENCES dbo.etl_run (run_id),
    CONSTRAINT pk_etl_key_fold PRIMARY KEY (run_id)
);
GO
