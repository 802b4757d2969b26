-- lookups: fct_benefit_actual, etl_file
-- scope: initiative_id
SELECT r.initiative_id, r.benefit_line, r.benefit_type, r.year, r.planned_value, r.actual_value, r.variance_value,
       r.realization_rate, r.planned_acc_value, r.actual_acc_value, r.reported_by, r.reported_at_utc, r.comment,
       r.bc_version_id, r.line_row, r.actual_id, a.run_id, a.file_id, f.file_name AS source_file,
       CASE WHEN r.actual_id IS NULL THEN 0 ELSE 1 END AS is_reported
FROM fct_benefit_realization r
LEFT JOIN fct_benefit_actual a ON a.actual_id = r.actual_id
LEFT JOIN etl_file f ON f.file_id = a.file_id;
