-- NackaInsights warehouse, version 16: an offline list file unchanged since it was last hashed is not hashed again
-- (issue 21). A list's own state (etl_list_state) keeps the fingerprint of the file together with its mapping's; this
-- keeps the file's SHA-256 alone, with the size and modification time it had when a run hashed it, as etl_file keeps
-- them for the workbooks. A file whose size and time are those, in a run that began more than two seconds after
-- that time, has that content; when either differs, it is hashed again.

-- Grain: one row per list file of a source folder (lists/<list>.json, and the site's user list) that a run hashed.
CREATE TABLE dbo.etl_list_file (
    file_name       nvarchar(400) NOT NULL,
    content_sha256  nvarchar(64)  NOT NULL,
    size_bytes      bigint        NOT NULL,
    modified_at_utc datetime2(3)  NOT NULL,
    run_id          bigint        NOT NULL REFERENCES dbo.etl_run (run_id),
    CONSTRAINT pk_etl_list_file PRIMARY KEY (file_name)
);
GO
