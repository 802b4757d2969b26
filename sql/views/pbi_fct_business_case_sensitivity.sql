-- lookups: etl_file
-- scope: initiative_id
SELECT s.initiative_id, s.line_no, s.line_name, s.line_kind, s.low_pct, s.high_pct,
       s.npv_at_low_sek, s.npv_at_high_sek, s.npv_swing_sek, s.swing_rank,
       s.low_cell, s.high_cell, s.bc_version_id, s.run_id, v.file_id, f.file_name AS source_file
FROM fct_business_case_sensitivity s
JOIN fct_business_case_version v ON v.bc_version_id = s.bc_version_id AND v.is_current = 1
JOIN etl_file f ON f.file_id = v.file_id;
