-- lookups: etl_file
SELECT s.year, s.unit, s.dimension, s.percent_value, s.respondents, s.file_id, s.run_id, f.file_name AS source_file, s.sheet_name, s.cell
FROM fct_survey_result s
JOIN etl_file f ON f.file_id = s.file_id;
