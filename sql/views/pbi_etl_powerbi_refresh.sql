-- Grain: one row per run and semantic model the worker asked the Power BI service to refresh (Begärd, Klar, Misslyckad),
-- or left alone while its last refresh had failed (Ej begärd).
SELECT run_id, workspace_id, semantic_model_id, requested_at_utc, finished_at_utc, status, message
FROM etl_powerbi_refresh;
