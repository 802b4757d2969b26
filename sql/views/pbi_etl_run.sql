-- Grain: one row per run. finished_at_local is Europe/Stockholm time, so that the report can say "svensk tid"
-- without converting UTC in DAX (which knows no time zones).
SELECT run_id, started_at_utc, finished_at_utc, status, rows_loaded, rows_rejected, message,
       run_kind, source, files_processed, files_unchanged, files_rejected, finished_at_local
FROM etl_run;
