SELECT unit, year, index_value, components_used, run_id
FROM fct_digitalization_index_unit;
