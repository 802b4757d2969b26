-- NackaInsights warehouse, version 13: refreshing the Power BI service after a run that published (issue 19,
-- contract power-bi.md). The worker records each refresh it asks for, and what became of it, after the run's own
-- transaction committed.

-- Grain: one row per run and semantic model. status is Begärd while the service refreshes, then Klar or Misslyckad;
-- Ej begärd for a run that published nothing new while the model's last refresh had failed (it is still stale).
CREATE TABLE dbo.etl_powerbi_refresh (
    run_id bigint NOT NULL REFERENCES dbo.etl_run (run_id),
    workspace_id nvarchar(100) NOT NULL,
    semantic_model_id nvarchar(100) NOT NULL,
    requested_at_utc datetime2(3) NULL,
    finished_at_utc datetime2(3) NULL,
    status nvarchar(20) NOT NULL,
    message nvarchar(max) NULL,
    PRIMARY KEY (run_id, workspace_id, semantic_model_id)
);
GO
