-- scope: initiative_id
SELECT initiative_id, criterion_code, assessed_on, score, item_id, run_id FROM fct_evaluation_score;
