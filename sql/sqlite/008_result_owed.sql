-- NackaInsights warehouse, version 8: the result workbooks still owed to uploads. A run records each one, as
-- rendered, in its own transaction, so that a process that dies after publishing and before writing them
-- leaves them owed; the run writes them after it publishes and deletes each row once its workbook is
-- written, and any later run of the same source writes what an earlier one left owed, oldest first.

-- Grain: one row per result workbook not yet written beside its upload.
CREATE TABLE etl_result_owed (
    owed_id      INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id       INTEGER NOT NULL REFERENCES etl_run (run_id),
    source_key   TEXT    NOT NULL,
    upload_name  TEXT    NOT NULL,
    file_name    TEXT    NOT NULL,
    upload_id    TEXT    NOT NULL,
    workbook     BLOB    NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    owed_at_utc  TEXT    NOT NULL
);

CREATE INDEX ix_etl_result_owed_source ON etl_result_owed (source_key, owed_id);
