-- scope: initiative_id
SELECT initiative_id, report_date, status, percent_complete, budget_spent_sek, is_latest, comment, item_id, run_id
FROM fct_project_status;
