SELECT run_id, list_name, read_mode, items_read, items_changed, items_removed, items_rejected, message
FROM etl_list_read;
