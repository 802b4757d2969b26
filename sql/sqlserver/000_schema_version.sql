-- Applied before every migration; idempotent. Records which versioned scripts have run.
-- Grain: one row per applied versioned script.
-- Runs before the migration lock is taken: a migrator of the same new database running at the
-- same moment may create the table first (error 2714), which is no error here.
IF OBJECT_ID(N'dbo.schema_version', N'U') IS NULL
BEGIN
    BEGIN TRY
        CREATE TABLE dbo.schema_version (
            version         int           NOT NULL PRIMARY KEY,
            script_name     nvarchar(200) NOT NULL,
            checksum_sha256 nvarchar(64)  NOT NULL,
            applied_at_utc  datetime2(3)  NOT NULL
        );
    END TRY
    BEGIN CATCH
        IF ERROR_NUMBER() <> 2714
            THROW;
    END CATCH;
END;
GO
