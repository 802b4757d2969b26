-- NackaInsights warehouse, version 8: the result workbooks still owed to uploads. A run records each one, as
-- rendered, in its own transaction, so that a process that dies after publishing and before writing them
-- leaves them owed; the run writes them after it publishes and deletes each row once its workbook is
-- written, and any later run of the same source writes what an earlier one left owed, oldest first.

-- Grain: one row per result workbook not yet written beside its upload.
-- source_key is at most 400 characters, so that its index key stays within SQL Server's 900 bytes.
CREATE TABLE dbo.etl_result_owed (
    owed_id      bigint         IDENTITY(1,1) NOT NULL PRIMARY KEY,
    run_id       bigint         NOT NULL REFERENCES dbo.etl_run (run_id),
    source_key   nvarchar(400)  NOT NULL,
    upload_name  nvarchar(800)  NOT NULL,
    file_name    nvarchar(400)  NOT NULL,
    upload_id    nvarchar(1000) NOT NULL,
    workbook     varbinary(max) NOT NULL,
    attempts     int            NOT NULL DEFAULT 0,
    owed_at_utc  datetime2(3)   NOT NULL
);
GO

CREATE INDEX ix_etl_result_owed_source ON dbo.etl_result_owed (source_key, owed_id);
GO
