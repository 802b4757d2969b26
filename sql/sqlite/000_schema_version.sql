-- 16 KiB pages for a new warehouse (SQLite's default is 4 KiB). A page size is fixed when the file is first written,
-- which the journal mode below does, so this comes first; on an existing file it changes nothing (an operator can
-- move one over with VACUUM, docs/operator-guide.md). A full refresh is bulk inserts into indexed tables and
-- scans of them: larger pages make the B-trees shallower and the run's page traffic through the WAL a quarter of the
-- read and write calls. Scale 1 full refresh, 5 rounds interleaved on a quiet machine, medians: 4 KiB 5.36 s,
-- 8 KiB 5.24 s, 16 KiB 5.17 s, CPU 7.27 -> 7.02 s (issue 21; docs/performance.md).
PRAGMA page_size = 16384;

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
