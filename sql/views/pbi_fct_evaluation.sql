-- scope: initiative_id
SELECT initiative_id, assessed_on, benefit_score, feasibility_score, compliance_ok, priority_class, criteria_scored, threshold, run_id
FROM fct_evaluation;
