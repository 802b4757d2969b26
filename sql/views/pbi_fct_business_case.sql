-- lookups: etl_file
-- scope: initiative_id
SELECT v.initiative_id, v.version_label, v.loaded_at_utc, v.first_year, v.last_year,
       v.cost_total_sek, v.economic_benefit_total_sek, v.net_benefit_total_sek, v.payback_year,
       v.npv_sek, v.discount_rate,
       r.net_benefit_total_pessimistic_sek, r.net_benefit_total_optimistic_sek,
       r.npv_pessimistic_sek, r.npv_optimistic_sek, r.payback_year_pessimistic, r.payback_year_optimistic,
       v.bc_version_id, v.run_id, v.file_id, f.file_name AS source_file, f.content_sha256 AS source_sha256
FROM fct_business_case_version v
JOIN etl_file f ON f.file_id = v.file_id
LEFT JOIN fct_business_case_range r ON r.bc_version_id = v.bc_version_id
WHERE v.is_current = 1;
