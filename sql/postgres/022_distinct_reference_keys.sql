-- NackaInsights warehouse, version 22: the statement-level reference checks of version 15 look up each distinct key
-- of a statement's new rows once, not each row's. The checks probed the referenced table's primary key once per new
-- row: a part of the realisation (about 2,200 rows of 64 initiatives) looked up its one run id 2,200 times and its 64
-- business case versions 2,200 times, 4-8 ms a check and about 7 ms a statement for its three (auto_explain), paid by
-- every COPY of a run. The new rows' keys are made distinct first (a hash over the statement's transition table, which
-- the check read whole before too), then each is looked up. What a check finds and how it fails are unchanged: the
-- first key without its referenced row, the foreign key's SQLSTATE 23503, message and constraint name. Measured over
-- the realisation's 70,000 rows at scale 1 in its 32 statements (psql, 4 rounds): 520-530 ms with the checks of
-- version 15, about 310 ms without checks, and about 100 ms of the checks' 210 left with distinct keys.

CREATE OR REPLACE FUNCTION ri_raw_business_case_value_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM ri_refuse_missing('raw_business_case_value', 'raw_business_case_value_file_id_fkey', 'file_id', 'etl_file',
        (SELECT d.k::text FROM (SELECT DISTINCT n.file_id AS k FROM ri_new n WHERE n.file_id IS NOT NULL) d
            WHERE NOT EXISTS (SELECT 1 FROM etl_file p WHERE p.file_id = d.k) LIMIT 1));
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION ri_raw_business_case_attribute_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM ri_refuse_missing('raw_business_case_attribute', 'raw_business_case_attribute_file_id_fkey', 'file_id', 'etl_file',
        (SELECT d.k::text FROM (SELECT DISTINCT n.file_id AS k FROM ri_new n WHERE n.file_id IS NOT NULL) d
            WHERE NOT EXISTS (SELECT 1 FROM etl_file p WHERE p.file_id = d.k) LIMIT 1));
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION ri_raw_business_case_line_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM ri_refuse_missing('raw_business_case_line', 'raw_business_case_line_file_id_fkey', 'file_id', 'etl_file',
        (SELECT d.k::text FROM (SELECT DISTINCT n.file_id AS k FROM ri_new n WHERE n.file_id IS NOT NULL) d
            WHERE NOT EXISTS (SELECT 1 FROM etl_file p WHERE p.file_id = d.k) LIMIT 1));
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION ri_raw_business_case_sensitivity_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM ri_refuse_missing('raw_business_case_sensitivity', 'raw_business_case_sensitivity_file_id_fkey', 'file_id', 'etl_file',
        (SELECT d.k::text FROM (SELECT DISTINCT n.file_id AS k FROM ri_new n WHERE n.file_id IS NOT NULL) d
            WHERE NOT EXISTS (SELECT 1 FROM etl_file p WHERE p.file_id = d.k) LIMIT 1));
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION ri_raw_actual_row_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM ri_refuse_missing('raw_actual_row', 'raw_actual_row_file_id_fkey', 'file_id', 'etl_file',
        (SELECT d.k::text FROM (SELECT DISTINCT n.file_id AS k FROM ri_new n WHERE n.file_id IS NOT NULL) d
            WHERE NOT EXISTS (SELECT 1 FROM etl_file p WHERE p.file_id = d.k) LIMIT 1));
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION ri_raw_list_item_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM ri_refuse_missing('raw_list_item', 'raw_list_item_run_id_fkey', 'run_id', 'etl_run',
        (SELECT d.k::text FROM (SELECT DISTINCT n.run_id AS k FROM ri_new n WHERE n.run_id IS NOT NULL) d
            WHERE NOT EXISTS (SELECT 1 FROM etl_run p WHERE p.run_id = d.k) LIMIT 1));
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION ri_fct_business_case_version_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM ri_refuse_missing('fct_business_case_version', 'fct_business_case_version_file_id_fkey', 'file_id', 'etl_file',
        (SELECT d.k::text FROM (SELECT DISTINCT n.file_id AS k FROM ri_new n WHERE n.file_id IS NOT NULL) d
            WHERE NOT EXISTS (SELECT 1 FROM etl_file p WHERE p.file_id = d.k) LIMIT 1));
    PERFORM ri_refuse_missing('fct_business_case_version', 'fct_business_case_version_run_id_fkey', 'run_id', 'etl_run',
        (SELECT d.k::text FROM (SELECT DISTINCT n.run_id AS k FROM ri_new n WHERE n.run_id IS NOT NULL) d
            WHERE NOT EXISTS (SELECT 1 FROM etl_run p WHERE p.run_id = d.k) LIMIT 1));
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION ri_fct_business_case_year_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM ri_refuse_missing('fct_business_case_year', 'fct_business_case_year_bc_version_id_fkey', 'bc_version_id', 'fct_business_case_version',
        (SELECT d.k::text FROM (SELECT DISTINCT n.bc_version_id AS k FROM ri_new n WHERE n.bc_version_id IS NOT NULL) d
            WHERE NOT EXISTS (SELECT 1 FROM fct_business_case_version p WHERE p.bc_version_id = d.k) LIMIT 1));
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION ri_fct_business_case_sensitivity_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM ri_refuse_missing('fct_business_case_sensitivity', 'fct_business_case_sensitivity_bc_version_id_fkey', 'bc_version_id', 'fct_business_case_version',
        (SELECT d.k::text FROM (SELECT DISTINCT n.bc_version_id AS k FROM ri_new n WHERE n.bc_version_id IS NOT NULL) d
            WHERE NOT EXISTS (SELECT 1 FROM fct_business_case_version p WHERE p.bc_version_id = d.k) LIMIT 1));
    PERFORM ri_refuse_missing('fct_business_case_sensitivity', 'fct_business_case_sensitivity_run_id_fkey', 'run_id', 'etl_run',
        (SELECT d.k::text FROM (SELECT DISTINCT n.run_id AS k FROM ri_new n WHERE n.run_id IS NOT NULL) d
            WHERE NOT EXISTS (SELECT 1 FROM etl_run p WHERE p.run_id = d.k) LIMIT 1));
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION ri_fct_business_case_range_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM ri_refuse_missing('fct_business_case_range', 'fct_business_case_range_bc_version_id_fkey', 'bc_version_id', 'fct_business_case_version',
        (SELECT d.k::text FROM (SELECT DISTINCT n.bc_version_id AS k FROM ri_new n WHERE n.bc_version_id IS NOT NULL) d
            WHERE NOT EXISTS (SELECT 1 FROM fct_business_case_version p WHERE p.bc_version_id = d.k) LIMIT 1));
    PERFORM ri_refuse_missing('fct_business_case_range', 'fct_business_case_range_run_id_fkey', 'run_id', 'etl_run',
        (SELECT d.k::text FROM (SELECT DISTINCT n.run_id AS k FROM ri_new n WHERE n.run_id IS NOT NULL) d
            WHERE NOT EXISTS (SELECT 1 FROM etl_run p WHERE p.run_id = d.k) LIMIT 1));
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION ri_fct_benefit_actual_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM ri_refuse_missing('fct_benefit_actual', 'fct_benefit_actual_file_id_fkey', 'file_id', 'etl_file',
        (SELECT d.k::text FROM (SELECT DISTINCT n.file_id AS k FROM ri_new n WHERE n.file_id IS NOT NULL) d
            WHERE NOT EXISTS (SELECT 1 FROM etl_file p WHERE p.file_id = d.k) LIMIT 1));
    PERFORM ri_refuse_missing('fct_benefit_actual', 'fct_benefit_actual_run_id_fkey', 'run_id', 'etl_run',
        (SELECT d.k::text FROM (SELECT DISTINCT n.run_id AS k FROM ri_new n WHERE n.run_id IS NOT NULL) d
            WHERE NOT EXISTS (SELECT 1 FROM etl_run p WHERE p.run_id = d.k) LIMIT 1));
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION ri_fct_benefit_realization_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM ri_refuse_missing('fct_benefit_realization', 'fct_benefit_realization_bc_version_id_fkey', 'bc_version_id', 'fct_business_case_version',
        (SELECT d.k::text FROM (SELECT DISTINCT n.bc_version_id AS k FROM ri_new n WHERE n.bc_version_id IS NOT NULL) d
            WHERE NOT EXISTS (SELECT 1 FROM fct_business_case_version p WHERE p.bc_version_id = d.k) LIMIT 1));
    PERFORM ri_refuse_missing('fct_benefit_realization', 'fct_benefit_realization_actual_id_fkey', 'actual_id', 'fct_benefit_actual',
        (SELECT d.k::text FROM (SELECT DISTINCT n.actual_id AS k FROM ri_new n WHERE n.actual_id IS NOT NULL) d
            WHERE NOT EXISTS (SELECT 1 FROM fct_benefit_actual p WHERE p.actual_id = d.k) LIMIT 1));
    PERFORM ri_refuse_missing('fct_benefit_realization', 'fct_benefit_realization_run_id_fkey', 'run_id', 'etl_run',
        (SELECT d.k::text FROM (SELECT DISTINCT n.run_id AS k FROM ri_new n WHERE n.run_id IS NOT NULL) d
            WHERE NOT EXISTS (SELECT 1 FROM etl_run p WHERE p.run_id = d.k) LIMIT 1));
    RETURN NULL;
END
$$;
