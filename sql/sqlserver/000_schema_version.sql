-- Applied before every migration; idempotent. Records which versioned scripts have run.
-- Grain: one row per applied versioned script.
IF OBJECT_ID(N'dbo.schema_version', N'U') IS NULL
CREATE TABLE dbo.schema_version (
    version         int           NOT NULL PRIMARY KEY,
    script_name     nvarchar(200) NOT NULL,
    checksum_sha256 nvarchar(64)  NOT NULL,
    applied_at_utc  datetime2(3)  NOT NULL
);
GO
