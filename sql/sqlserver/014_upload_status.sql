-- NackaInsights warehouse, version 14: status on the file (issue 20, contract sharepoint-lists.md "Document
-- libraries: status on the file"). What a run owes an upload is no longer only a result workbook: it may owe a
-- status and a message in the library's columns, and the workbook beside the upload is written, removed (a clean
-- upload whose earlier version had problems) or left as it is. A run also keeps the content tag (Graph's cTag) of
-- each upload it took in, so that an upload listed again only because its columns changed is not read again.

-- write: the workbook is written; remove: a stale one beside the upload is removed; leave: the workbook is left as it
-- is (workbook is then empty). New columns, as in SQLite, which cannot make workbook nullable.
ALTER TABLE dbo.etl_result_owed ADD result_action nvarchar(10) NOT NULL CONSTRAINT df_etl_result_owed_action DEFAULT 'write';
-- The upload's status as etl_file records it (Inläst, Delvis inläst, Avvisad, Oförändrad), and its message, cut.
ALTER TABLE dbo.etl_result_owed ADD file_status nvarchar(20) NULL, file_message nvarchar(1000) NULL;
GO

-- Grain: one row per uploads source and upload (a drive item) whose content a published run took in.
-- Drive item ids are a few dozen characters; the key stays within a nonclustered index's 1 700 bytes.
CREATE TABLE dbo.etl_upload_content (
    source_key   nvarchar(400) NOT NULL,
    upload_id    nvarchar(100) NOT NULL,
    content_tag  nvarchar(200) NOT NULL,
    run_id       bigint        NOT NULL REFERENCES dbo.etl_run (run_id),
    CONSTRAINT pk_etl_upload_content PRIMARY KEY NONCLUSTERED (source_key, upload_id)
);
GO
