-- Applied before every migration; idempotent. Records which versioned scripts have run.
-- Grain: one row per applied versioned script.
-- Runs before the migration lock is taken, and CREATE TABLE IF NOT EXISTS is not safe against a
-- twin running at the same moment (the loser trips over the catalog's unique index): let it off.
DO $$
BEGIN
    CREATE TABLE IF NOT EXISTS schema_version (
        version         integer   NOT NULL PRIMARY KEY,
        script_name     text      NOT NULL,
        checksum_sha256 text      NOT NULL,
        applied_at_utc  timestamp NOT NULL
    );
EXCEPTION WHEN duplicate_table OR duplicate_object OR unique_violation THEN
    NULL;
END
$$;

-- Power BI's reader role. Roles belong to the cluster, and the migration lock only to one
-- database, so the first migrations of two databases of one cluster can race to create it.
-- Created here, committed before any versioned script runs (001's guarded CREATE ROLE then
-- finds it), with the loser of the race let off.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'nacka_insights_reader') THEN
        CREATE ROLE nacka_insights_reader NOLOGIN;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;
END
$$;
