SELECT object_id, name, manager_email, unit FROM dim_object;
