SELECT run_id, source_kind, file_name, content_sha256, status, rows_loaded, rows_rejected, message,
       processed_at_utc, file_id, size_bytes, modified_at_utc, author_email, source_url
FROM etl_file;
