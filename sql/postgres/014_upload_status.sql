-- NackaInsights warehouse, version 14: status on the file (issue 20, contract sharepoint-lists.md "Document
-- libraries: status on the file"). What a run owes an upload is no longer only a result workbook: it may owe a
-- status and a message in the library's columns, and the workbook beside the upload is written, removed (a clean
-- upload whose earlier version had problems) or left as it is. A run also keeps the content tag (Graph's cTag) of
-- each upload it took in, so that an upload listed again only because its columns changed is not read again.

-- write: the workbook is written; remove: a stale one beside the upload is removed; leave: the workbook is left as it
-- is (workbook is then empty). New columns, as in SQLite, which cannot make workbook nullable.
ALTER TABLE etl_result_owed ADD COLUMN result_action text NOT NULL DEFAULT 'write';
-- The upload's status as etl_file records it (Inläst, Delvis inläst, Avvisad, Oförändrad), and its message, cut.
ALTER TABLE etl_result_owed ADD COLUMN file_status text NULL;
ALTER TABLE etl_result_owed ADD COLUMN file_message text NULL;

-- Grain: one row per uploads source and upload (a drive item) whose content a published run took in.
CREATE TABLE etl_upload_content (
    source_key   text   NOT NULL,
    upload_id    text   NOT NULL,
    content_tag  text   NOT NULL,
    run_id       bigint NOT NULL REFERENCES etl_run (run_id),
    PRIMARY KEY (source_key, upload_id)
);
