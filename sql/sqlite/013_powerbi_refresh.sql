-- NackaInsights warehouse, version 13: refreshing the Power BI service after a run that published (issue 19,
-- contract power-bi.md). The worker records each refresh it asks for, and what became of it, after the run's own
-- transaction committed.

-- Grain: one row per run and semantic model. status is Begärd while the service refreshes, then Klar or Misslyckad;
-- Ej begärd for a run that published nothing new while the model's last refresh had failed (it is still stale).
CREATE TABLE etl_powerbi_refresh (
    run_id            INTEGER NOT NULL REFERENCES etl_run (run_id),
    workspace_id      TEXT    NOT NULL,
    semantic_model_id TEXT    NOT NULL,
    requested_at_utc  TEXT    NULL,
    finished_at_utc   TEXT    NULL,
    status            TEXT    NOT NULL,
    message           TEXT    NULL,
    PRIMARY KEY (run_id, workspace_id, semantic_model_id)
);
