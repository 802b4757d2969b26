-- lookups: etl_file
-- scope: initiative_id
SELECT v.initiative_id, r.line_name, r.line_kind, r.category, r.year, r.value,
       r.sheet_name, r.cell, r.raw_text, v.bc_version_id, v.file_id, f.file_name AS source_file
FROM raw_business_case_value r
JOIN fct_business_case_version v ON v.file_id = r.file_id
JOIN etl_file f ON f.file_id = r.file_id
WHERE v.is_current = 1;
