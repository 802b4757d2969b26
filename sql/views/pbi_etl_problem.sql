SELECT p.run_id, p.file_id, p.source_kind, p.source_name, p.sheet_name, p.cell, p.message, p.problem_id, p.item_id
FROM etl_problem p;
