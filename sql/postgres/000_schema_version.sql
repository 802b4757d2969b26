-- Applied before every migration; idempotent. Records which versioned scripts have run.
-- Grain: one row per applied versioned script.
CREATE TABLE IF NOT EXISTS schema_version (
    version         integer   NOT NULL PRIMARY KEY,
    script_name     text      NOT NULL,
    checksum_sha256 text      NOT NULL,
    applied_at_utc  timestamp NOT NULL
);
