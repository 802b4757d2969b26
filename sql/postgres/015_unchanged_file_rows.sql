-- NackaInsights warehouse, version 15: one Oförändrad row per file (issue 21, performance). Every run used to add a
-- row to etl_file for each file it found unchanged, so that etl_file, and the fingerprints every run reads from it at
-- its start, grew by the whole source folder per run. A run now keeps only a file's latest Oförändrad row, dropping
-- one that a later row of the same file follows; this drops those that earlier runs left. No row refers to an
-- Oförändrad row: facts and problems take the id of the row loaded with them.
DELETE FROM etl_file
WHERE status = 'Oförändrad'
  AND EXISTS (SELECT 1 FROM etl_file later
              WHERE later.source_kind = etl_file.source_kind AND later.file_name = etl_file.file_name AND later.file_id > etl_file.file_id);
