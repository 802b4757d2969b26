SELECT run_id, check_name, failing_rows, CASE WHEN failing_rows = 0 THEN 1 ELSE 0 END AS passed
FROM etl_check_result;
