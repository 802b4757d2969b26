-- lookups: etl_file
-- scope: initiative_id
SELECT a.actual_id, a.initiative_id, a.benefit_line, a.benefit_type, a.year, a.value, a.unmatched_reason AS reason,
       a.reported_by, a.reported_at_utc, a.file_id, f.file_name AS source_file, a.sheet_name, a.cell
FROM fct_benefit_actual a
JOIN etl_file f ON f.file_id = a.file_id
WHERE a.is_current = 1 AND a.unmatched_reason IS NOT NULL;
