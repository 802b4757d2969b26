SELECT unit, year, component, score, weight, numerator, denominator, basis, run_id
FROM fct_digitalization_index;
