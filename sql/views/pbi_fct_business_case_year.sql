-- lookups: etl_file
-- scope: initiative_id
SELECT y.initiative_id, y.year, y.investment_sek, y.operating_cost_sek, y.cost_total_sek,
       y.investment_acc_sek, y.operating_cost_acc_sek, y.cost_total_acc_sek,
       y.financial_benefit_sek, y.redistribution_benefit_sek, y.economic_benefit_sek, y.economic_benefit_acc_sek,
       y.net_benefit_sek, y.net_benefit_acc_sek, y.economic_benefit_ratio, y.movement_score, y.benefit_ratio_total,
       v.bc_version_id, v.version_label, v.run_id, v.file_id, f.file_name AS source_file
FROM fct_business_case_year y
JOIN fct_business_case_version v ON v.bc_version_id = y.bc_version_id
JOIN etl_file f ON f.file_id = v.file_id
WHERE v.is_current = 1;
