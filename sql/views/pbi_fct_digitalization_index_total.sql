SELECT year, index_value, units, run_id
FROM fct_digitalization_index_total;
