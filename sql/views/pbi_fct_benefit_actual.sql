-- lookups: etl_file
-- scope: initiative_id
SELECT a.actual_id, a.initiative_id, a.benefit_line, a.benefit_type, a.year, a.value, a.comment, a.is_current,
       a.reported_by, a.uploaded_by, a.reported_at_utc, a.run_id, a.file_id, f.file_name AS source_file,
       a.sheet_name, a.cell, f.source_url, a.benefit_line_key
FROM fct_benefit_actual a
JOIN etl_file f ON f.file_id = a.file_id;
