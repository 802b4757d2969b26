SELECT unit FROM dim_unit;
