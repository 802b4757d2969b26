-- Write-ahead logging: readers (Power BI, status) keep reading the published state while a run writes.
PRAGMA journal_mode = WAL;

-- Applied before every migration; idempotent. Records which versioned scripts have run.
-- Grain: one row per applied versioned script.
CREATE TABLE IF NOT EXISTS schema_version (
    version         INTEGER NOT NULL PRIMARY KEY,
    script_name     TEXT    NOT NULL,
    checksum_sha256 TEXT    NOT NULL,
    applied_at_utc  TEXT    NOT NULL
);
