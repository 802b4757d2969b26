-- NackaInsights warehouse, version 15: the bulk-loaded tables check their references once per statement (issue 21,
-- PostgreSQL within 1.5× of SQLite). A foreign key checks each inserted row with a query of its own, and again for a
-- row updated in the transaction that inserted it: a full refresh paid that some 900,000 times at scale 4 (half the
-- load phase, a third of the marts'). For the tables a run loads in bulk, each foreign key becomes a trigger that
-- runs one anti-join over the statement's new rows (its transition table), and the referenced table refuses a
-- delete, a new key or a truncate that would leave a row without its reference. The checks fail the statement with
-- the foreign key's own SQLSTATE (23503), message and constraint name, as the constraint did, so a run that would
-- break a reference fails and is rolled back. They take no row lock on the referenced row, as a foreign key does:
-- the warehouse has one writer at a time (the refresh lock), and nothing deletes or renumbers an etl_run, etl_file,
-- version or actual row. The other tables, written a few rows at a time, keep their foreign keys.
-- Dropping a constraint locks its tables for the migration's short transaction only, never during a run.

-- Raises the foreign key's error when a check found a value without its referenced row.
CREATE FUNCTION ri_refuse_missing(tbl text, constraint_name text, col text, referenced text, missing text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'insert or update on table "%" violates foreign key constraint "%"', tbl, constraint_name
            USING ERRCODE = 'foreign_key_violation', TABLE = tbl, CONSTRAINT = constraint_name, COLUMN = col,
                  DETAIL = format('Key (%s)=(%s) is not present in table "%s".', col, missing, referenced);
    END IF;
END
$$;

-- A row's reference changed by an UPDATE (rare: no run does it): TG_ARGV is column, referenced table, its key, constraint.
CREATE FUNCTION ri_check_reference() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    missing text;
BEGIN
    EXECUTE format('SELECT ($1).%1$I::text WHERE ($1).%1$I IS NOT NULL AND NOT EXISTS (SELECT 1 FROM %2$I p WHERE p.%3$I = ($1).%1$I)',
        TG_ARGV[0], TG_ARGV[1], TG_ARGV[2]) USING NEW INTO missing;
    PERFORM ri_refuse_missing(TG_TABLE_NAME, TG_ARGV[3], TG_ARGV[0], TG_ARGV[1], missing);
    RETURN NULL;
END
$$;

-- The referenced side: TG_ARGV is this table's key, then (table, column, constraint) for each table referring to it.
-- A row still referred to may not go (DELETE, TRUNCATE) nor change its key, unless another row keeps the key.
CREATE FUNCTION ri_refuse_orphans() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    key text := TG_ARGV[0];
    orphan text;
BEGIN
    FOR i IN 1 .. TG_NARGS - 1 BY 3 LOOP
        IF TG_OP = 'TRUNCATE' THEN
            EXECUTE format('SELECT c.%2$I::text FROM %1$I c WHERE c.%2$I IS NOT NULL LIMIT 1', TG_ARGV[i], TG_ARGV[i + 1]) INTO orphan;
        ELSIF TG_LEVEL = 'ROW' THEN
            EXECUTE format('SELECT c.%2$I::text FROM %1$I c WHERE c.%2$I = ($1).%3$I AND NOT EXISTS (SELECT 1 FROM %4$I p WHERE p.%3$I = ($1).%3$I) LIMIT 1',
                TG_ARGV[i], TG_ARGV[i + 1], key, TG_TABLE_NAME) USING OLD INTO orphan;
        ELSE
            EXECUTE format('SELECT c.%2$I::text FROM %1$I c WHERE c.%2$I IN (SELECT o.%3$I FROM ri_old o) AND NOT EXISTS (SELECT 1 FROM %4$I p WHERE p.%3$I = c.%2$I) LIMIT 1',
                TG_ARGV[i], TG_ARGV[i + 1], key, TG_TABLE_NAME) INTO orphan;
        END IF;
        IF orphan IS NOT NULL THEN
            RAISE EXCEPTION 'update or delete on table "%" violates foreign key constraint "%" on table "%"', TG_TABLE_NAME, TG_ARGV[i + 2], TG_ARGV[i]
                USING ERRCODE = 'foreign_key_violation', TABLE = TG_ARGV[i], CONSTRAINT = TG_ARGV[i + 2],
                      DETAIL = format('Key (%s)=(%s) is still referenced from table "%s".', key, orphan, TG_ARGV[i]);
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;

-- Each inserting statement's checks are static SQL, planned once per session: a run inserts in 800 statements of
-- 100 rows as well as in a few of 100,000, and planning anew each time would cost more than the checks.
-- The foreign keys that become the checks below.
ALTER TABLE raw_business_case_value DROP CONSTRAINT raw_business_case_value_file_id_fkey;
ALTER TABLE raw_business_case_attribute DROP CONSTRAINT raw_business_case_attribute_file_id_fkey;
ALTER TABLE raw_business_case_line DROP CONSTRAINT raw_business_case_line_file_id_fkey;
ALTER TABLE raw_business_case_sensitivity DROP CONSTRAINT raw_business_case_sensitivity_file_id_fkey;
ALTER TABLE raw_actual_row DROP CONSTRAINT raw_actual_row_file_id_fkey;
ALTER TABLE raw_list_item DROP CONSTRAINT raw_list_item_run_id_fkey;
ALTER TABLE fct_business_case_version DROP CONSTRAINT fct_business_case_version_file_id_fkey;
ALTER TABLE fct_business_case_version DROP CONSTRAINT fct_business_case_version_run_id_fkey;
ALTER TABLE fct_business_case_year DROP CONSTRAINT fct_business_case_year_bc_version_id_fkey;
ALTER TABLE fct_business_case_sensitivity DROP CONSTRAINT fct_business_case_sensitivity_bc_version_id_fkey;
ALTER TABLE fct_business_case_sensitivity DROP CONSTRAINT fct_business_case_sensitivity_run_id_fkey;
ALTER TABLE fct_business_case_range DROP CONSTRAINT fct_business_case_range_bc_version_id_fkey;
ALTER TABLE fct_business_case_range DROP CONSTRAINT fct_business_case_range_run_id_fkey;
ALTER TABLE fct_benefit_actual DROP CONSTRAINT fct_benefit_actual_file_id_fkey;
ALTER TABLE fct_benefit_actual DROP CONSTRAINT fct_benefit_actual_run_id_fkey;
ALTER TABLE fct_benefit_realization DROP CONSTRAINT fct_benefit_realization_bc_version_id_fkey;
ALTER TABLE fct_benefit_realization DROP CONSTRAINT fct_benefit_realization_actual_id_fkey;
ALTER TABLE fct_benefit_realization DROP CONSTRAINT fct_benefit_realization_run_id_fkey;

CREATE FUNCTION ri_raw_business_case_value_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM ri_refuse_missing('raw_business_case_value', 'raw_business_case_value_file_id_fkey', 'file_id', 'etl_file',
        (SELECT n.file_id::text FROM ri_new n WHERE n.file_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM etl_file p WHERE p.file_id = n.file_id) LIMIT 1));
    RETURN NULL;
END
$$;
CREATE TRIGGER ri_inserted AFTER INSERT ON raw_business_case_value REFERENCING NEW TABLE AS ri_new
    FOR EACH STATEMENT EXECUTE FUNCTION ri_raw_business_case_value_inserted();
CREATE TRIGGER ri_updated_file_id AFTER UPDATE OF file_id ON raw_business_case_value
    FOR EACH ROW WHEN (OLD.file_id IS DISTINCT FROM NEW.file_id) EXECUTE FUNCTION ri_check_reference('file_id', 'etl_file', 'file_id', 'raw_business_case_value_file_id_fkey');

CREATE FUNCTION ri_raw_business_case_attribute_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM ri_refuse_missing('raw_business_case_attribute', 'raw_business_case_attribute_file_id_fkey', 'file_id', 'etl_file',
        (SELECT n.file_id::text FROM ri_new n WHERE n.file_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM etl_file p WHERE p.file_id = n.file_id) LIMIT 1));
    RETURN NULL;
END
$$;
CREATE TRIGGER ri_inserted AFTER INSERT ON raw_business_case_attribute REFERENCING NEW TABLE AS ri_new
    FOR EACH STATEMENT EXECUTE FUNCTION ri_raw_business_case_attribute_inserted();
CREATE TRIGGER ri_updated_file_id AFTER UPDATE OF file_id ON raw_business_case_attribute
    FOR EACH ROW WHEN (OLD.file_id IS DISTINCT FROM NEW.file_id) EXECUTE FUNCTION ri_check_reference('file_id', 'etl_file', 'file_id', 'raw_business_case_attribute_file_id_fkey');

CREATE FUNCTION ri_raw_business_case_line_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM ri_refuse_missing('raw_business_case_line', 'raw_business_case_line_file_id_fkey', 'file_id', 'etl_file',
        (SELECT n.file_id::text FROM ri_new n WHERE n.file_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM etl_file p WHERE p.file_id = n.file_id) LIMIT 1));
    RETURN NULL;
END
$$;
CREATE TRIGGER ri_inserted AFTER INSERT ON raw_business_case_line REFERENCING NEW TABLE AS ri_new
    FOR EACH STATEMENT EXECUTE FUNCTION ri_raw_business_case_line_inserted();
CREATE TRIGGER ri_updated_file_id AFTER UPDATE OF file_id ON raw_business_case_line
    FOR EACH ROW WHEN (OLD.file_id IS DISTINCT FROM NEW.file_id) EXECUTE FUNCTION ri_check_reference('file_id', 'etl_file', 'file_id', 'raw_business_case_line_file_id_fkey');

CREATE FUNCTION ri_raw_business_case_sensitivity_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM ri_refuse_missing('raw_business_case_sensitivity', 'raw_business_case_sensitivity_file_id_fkey', 'file_id', 'etl_file',
        (SELECT n.file_id::text FROM ri_new n WHERE n.file_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM etl_file p WHERE p.file_id = n.file_id) LIMIT 1));
    RETURN NULL;
END
$$;
CREATE TRIGGER ri_inserted AFTER INSERT ON raw_business_case_sensitivity REFERENCING NEW TABLE AS ri_new
    FOR EACH STATEMENT EXECUTE FUNCTION ri_raw_business_case_sensitivity_inserted();
CREATE TRIGGER ri_updated_file_id AFTER UPDATE OF file_id ON raw_business_case_sensitivity
    FOR EACH ROW WHEN (OLD.file_id IS DISTINCT FROM NEW.file_id) EXECUTE FUNCTION ri_check_reference('file_id', 'etl_file', 'file_id', 'raw_business_case_sensitivity_file_id_fkey');

CREATE FUNCTION ri_raw_actual_row_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM ri_refuse_missing('raw_actual_row', 'raw_actual_row_file_id_fkey', 'file_id', 'etl_file',
        (SELECT n.file_id::text FROM ri_new n WHERE n.file_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM etl_file p WHERE p.file_id = n.file_id) LIMIT 1));
    RETURN NULL;
END
$$;
CREATE TRIGGER ri_inserted AFTER INSERT ON raw_actual_row REFERENCING NEW TABLE AS ri_new
    FOR EACH STATEMENT EXECUTE FUNCTION ri_raw_actual_row_inserted();
CREATE TRIGGER ri_updated_file_id AFTER UPDATE OF file_id ON raw_actual_row
    FOR EACH ROW WHEN (OLD.file_id IS DISTINCT FROM NEW.file_id) EXECUTE FUNCTION ri_check_reference('file_id', 'etl_file', 'file_id', 'raw_actual_row_file_id_fkey');

CREATE FUNCTION ri_raw_list_item_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM ri_refuse_missing('raw_list_item', 'raw_list_item_run_id_fkey', 'run_id', 'etl_run',
        (SELECT n.run_id::text FROM ri_new n WHERE n.run_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM etl_run p WHERE p.run_id = n.run_id) LIMIT 1));
    RETURN NULL;
END
$$;
CREATE TRIGGER ri_inserted AFTER INSERT ON raw_list_item REFERENCING NEW TABLE AS ri_new
    FOR EACH STATEMENT EXECUTE FUNCTION ri_raw_list_item_inserted();
CREATE TRIGGER ri_updated_run_id AFTER UPDATE OF run_id ON raw_list_item
    FOR EACH ROW WHEN (OLD.run_id IS DISTINCT FROM NEW.run_id) EXECUTE FUNCTION ri_check_reference('run_id', 'etl_run', 'run_id', 'raw_list_item_run_id_fkey');

CREATE FUNCTION ri_fct_business_case_version_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM ri_refuse_missing('fct_business_case_version', 'fct_business_case_version_file_id_fkey', 'file_id', 'etl_file',
        (SELECT n.file_id::text FROM ri_new n WHERE n.file_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM etl_file p WHERE p.file_id = n.file_id) LIMIT 1));
    PERFORM ri_refuse_missing('fct_business_case_version', 'fct_business_case_version_run_id_fkey', 'run_id', 'etl_run',
        (SELECT n.run_id::text FROM ri_new n WHERE n.run_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM etl_run p WHERE p.run_id = n.run_id) LIMIT 1));
    RETURN NULL;
END
$$;
CREATE TRIGGER ri_inserted AFTER INSERT ON fct_business_case_version REFERENCING NEW TABLE AS ri_new
    FOR EACH STATEMENT EXECUTE FUNCTION ri_fct_business_case_version_inserted();
CREATE TRIGGER ri_updated_file_id AFTER UPDATE OF file_id ON fct_business_case_version
    FOR EACH ROW WHEN (OLD.file_id IS DISTINCT FROM NEW.file_id) EXECUTE FUNCTION ri_check_reference('file_id', 'etl_file', 'file_id', 'fct_business_case_version_file_id_fkey');
CREATE TRIGGER ri_updated_run_id AFTER UPDATE OF run_id ON fct_business_case_version
    FOR EACH ROW WHEN (OLD.run_id IS DISTINCT FROM NEW.run_id) EXECUTE FUNCTION ri_check_reference('run_id', 'etl_run', 'run_id', 'fct_business_case_version_run_id_fkey');

CREATE FUNCTION ri_fct_business_case_year_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM ri_refuse_missing('fct_business_case_year', 'fct_business_case_year_bc_version_id_fkey', 'bc_version_id', 'fct_business_case_version',
        (SELECT n.bc_version_id::text FROM ri_new n WHERE n.bc_version_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM fct_business_case_version p WHERE p.bc_version_id = n.bc_version_id) LIMIT 1));
    RETURN NULL;
END
$$;
CREATE TRIGGER ri_inserted AFTER INSERT ON fct_business_case_year REFERENCING NEW TABLE AS ri_new
    FOR EACH STATEMENT EXECUTE FUNCTION ri_fct_business_case_year_inserted();
CREATE TRIGGER ri_updated_bc_version_id AFTER UPDATE OF bc_version_id ON fct_business_case_year
    FOR EACH ROW WHEN (OLD.bc_version_id IS DISTINCT FROM NEW.bc_version_id) EXECUTE FUNCTION ri_check_reference('bc_version_id', 'fct_business_case_version', 'bc_version_id', 'fct_business_case_year_bc_version_id_fkey');

CREATE FUNCTION ri_fct_business_case_sensitivity_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM ri_refuse_missing('fct_business_case_sensitivity', 'fct_business_case_sensitivity_bc_version_id_fkey', 'bc_version_id', 'fct_business_case_version',
        (SELECT n.bc_version_id::text FROM ri_new n WHERE n.bc_version_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM fct_business_case_version p WHERE p.bc_version_id = n.bc_version_id) LIMIT 1));
    PERFORM ri_refuse_missing('fct_business_case_sensitivity', 'fct_business_case_sensitivity_run_id_fkey', 'run_id', 'etl_run',
        (SELECT n.run_id::text FROM ri_new n WHERE n.run_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM etl_run p WHERE p.run_id = n.run_id) LIMIT 1));
    RETURN NULL;
END
$$;
CREATE TRIGGER ri_inserted AFTER INSERT ON fct_business_case_sensitivity REFERENCING NEW TABLE AS ri_new
    FOR EACH STATEMENT EXECUTE FUNCTION ri_fct_business_case_sensitivity_inserted();
CREATE TRIGGER ri_updated_bc_version_id AFTER UPDATE OF bc_version_id ON fct_business_case_sensitivity
    FOR EACH ROW WHEN (OLD.bc_version_id IS DISTINCT FROM NEW.bc_version_id) EXECUTE FUNCTION ri_check_reference('bc_version_id', 'fct_business_case_version', 'bc_version_id', 'fct_business_case_sensitivity_bc_version_id_fkey');
CREATE TRIGGER ri_updated_run_id AFTER UPDATE OF run_id ON fct_business_case_sensitivity
    FOR EACH ROW WHEN (OLD.run_id IS DISTINCT FROM NEW.run_id) EXECUTE FUNCTION ri_check_reference('run_id', 'etl_run', 'run_id', 'fct_business_case_sensitivity_run_id_fkey');

CREATE FUNCTION ri_fct_business_case_range_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM ri_refuse_missing('fct_business_case_range', 'fct_business_case_range_bc_version_id_fkey', 'bc_version_id', 'fct_business_case_version',
        (SELECT n.bc_version_id::text FROM ri_new n WHERE n.bc_version_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM fct_business_case_version p WHERE p.bc_version_id = n.bc_version_id) LIMIT 1));
    PERFORM ri_refuse_missing('fct_business_case_range', 'fct_business_case_range_run_id_fkey', 'run_id', 'etl_run',
        (SELECT n.run_id::text FROM ri_new n WHERE n.run_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM etl_run p WHERE p.run_id = n.run_id) LIMIT 1));
    RETURN NULL;
END
$$;
CREATE TRIGGER ri_inserted AFTER INSERT ON fct_business_case_range REFERENCING NEW TABLE AS ri_new
    FOR EACH STATEMENT EXECUTE FUNCTION ri_fct_business_case_range_inserted();
CREATE TRIGGER ri_updated_bc_version_id AFTER UPDATE OF bc_version_id ON fct_business_case_range
    FOR EACH ROW WHEN (OLD.bc_version_id IS DISTINCT FROM NEW.bc_version_id) EXECUTE FUNCTION ri_check_reference('bc_version_id', 'fct_business_case_version', 'bc_version_id', 'fct_business_case_range_bc_version_id_fkey');
CREATE TRIGGER ri_updated_run_id AFTER UPDATE OF run_id ON fct_business_case_range
    FOR EACH ROW WHEN (OLD.run_id IS DISTINCT FROM NEW.run_id) EXECUTE FUNCTION ri_check_reference('run_id', 'etl_run', 'run_id', 'fct_business_case_range_run_id_fkey');

CREATE FUNCTION ri_fct_benefit_actual_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM ri_refuse_missing('fct_benefit_actual', 'fct_benefit_actual_file_id_fkey', 'file_id', 'etl_file',
        (SELECT n.file_id::text FROM ri_new n WHERE n.file_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM etl_file p WHERE p.file_id = n.file_id) LIMIT 1));
    PERFORM ri_refuse_missing('fct_benefit_actual', 'fct_benefit_actual_run_id_fkey', 'run_id', 'etl_run',
        (SELECT n.run_id::text FROM ri_new n WHERE n.run_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM etl_run p WHERE p.run_id = n.run_id) LIMIT 1));
    RETURN NULL;
END
$$;
CREATE TRIGGER ri_inserted AFTER INSERT ON fct_benefit_actual REFERENCING NEW TABLE AS ri_new
    FOR EACH STATEMENT EXECUTE FUNCTION ri_fct_benefit_actual_inserted();
CREATE TRIGGER ri_updated_file_id AFTER UPDATE OF file_id ON fct_benefit_actual
    FOR EACH ROW WHEN (OLD.file_id IS DISTINCT FROM NEW.file_id) EXECUTE FUNCTION ri_check_reference('file_id', 'etl_file', 'file_id', 'fct_benefit_actual_file_id_fkey');
CREATE TRIGGER ri_updated_run_id AFTER UPDATE OF run_id ON fct_benefit_actual
    FOR EACH ROW WHEN (OLD.run_id IS DISTINCT FROM NEW.run_id) EXECUTE FUNCTION ri_check_reference('run_id', 'etl_run', 'run_id', 'fct_benefit_actual_run_id_fkey');

CREATE FUNCTION ri_fct_benefit_realization_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM ri_refuse_missing('fct_benefit_realization', 'fct_benefit_realization_bc_version_id_fkey', 'bc_version_id', 'fct_business_case_version',
        (SELECT n.bc_version_id::text FROM ri_new n WHERE n.bc_version_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM fct_business_case_version p WHERE p.bc_version_id = n.bc_version_id) LIMIT 1));
    PERFORM ri_refuse_missing('fct_benefit_realization', 'fct_benefit_realization_actual_id_fkey', 'actual_id', 'fct_benefit_actual',
        (SELECT n.actual_id::text FROM ri_new n WHERE n.actual_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM fct_benefit_actual p WHERE p.actual_id = n.actual_id) LIMIT 1));
    PERFORM ri_refuse_missing('fct_benefit_realization', 'fct_benefit_realization_run_id_fkey', 'run_id', 'etl_run',
        (SELECT n.run_id::text FROM ri_new n WHERE n.run_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM etl_run p WHERE p.run_id = n.run_id) LIMIT 1));
    RETURN NULL;
END
$$;
CREATE TRIGGER ri_inserted AFTER INSERT ON fct_benefit_realization REFERENCING NEW TABLE AS ri_new
    FOR EACH STATEMENT EXECUTE FUNCTION ri_fct_benefit_realization_inserted();
CREATE TRIGGER ri_updated_bc_version_id AFTER UPDATE OF bc_version_id ON fct_benefit_realization
    FOR EACH ROW WHEN (OLD.bc_version_id IS DISTINCT FROM NEW.bc_version_id) EXECUTE FUNCTION ri_check_reference('bc_version_id', 'fct_business_case_version', 'bc_version_id', 'fct_benefit_realization_bc_version_id_fkey');
CREATE TRIGGER ri_updated_actual_id AFTER UPDATE OF actual_id ON fct_benefit_realization
    FOR EACH ROW WHEN (OLD.actual_id IS DISTINCT FROM NEW.actual_id) EXECUTE FUNCTION ri_check_reference('actual_id', 'fct_benefit_actual', 'actual_id', 'fct_benefit_realization_actual_id_fkey');
CREATE TRIGGER ri_updated_run_id AFTER UPDATE OF run_id ON fct_benefit_realization
    FOR EACH ROW WHEN (OLD.run_id IS DISTINCT FROM NEW.run_id) EXECUTE FUNCTION ri_check_reference('run_id', 'etl_run', 'run_id', 'fct_benefit_realization_run_id_fkey');

CREATE TRIGGER ri_deleted AFTER DELETE ON etl_file REFERENCING OLD TABLE AS ri_old
    FOR EACH STATEMENT EXECUTE FUNCTION ri_refuse_orphans('file_id', 'raw_business_case_value', 'file_id', 'raw_business_case_value_file_id_fkey', 'raw_business_case_attribute', 'file_id', 'raw_business_case_attribute_file_id_fkey', 'raw_business_case_line', 'file_id', 'raw_business_case_line_file_id_fkey', 'raw_business_case_sensitivity', 'file_id', 'raw_business_case_sensitivity_file_id_fkey', 'raw_actual_row', 'file_id', 'raw_actual_row_file_id_fkey', 'fct_business_case_version', 'file_id', 'fct_business_case_version_file_id_fkey', 'fct_benefit_actual', 'file_id', 'fct_benefit_actual_file_id_fkey');
CREATE TRIGGER ri_updated_file_id AFTER UPDATE OF file_id ON etl_file
    FOR EACH ROW WHEN (OLD.file_id IS DISTINCT FROM NEW.file_id) EXECUTE FUNCTION ri_refuse_orphans('file_id', 'raw_business_case_value', 'file_id', 'raw_business_case_value_file_id_fkey', 'raw_business_case_attribute', 'file_id', 'raw_business_case_attribute_file_id_fkey', 'raw_business_case_line', 'file_id', 'raw_business_case_line_file_id_fkey', 'raw_business_case_sensitivity', 'file_id', 'raw_business_case_sensitivity_file_id_fkey', 'raw_actual_row', 'file_id', 'raw_actual_row_file_id_fkey', 'fct_business_case_version', 'file_id', 'fct_business_case_version_file_id_fkey', 'fct_benefit_actual', 'file_id', 'fct_benefit_actual_file_id_fkey');
CREATE TRIGGER ri_truncated AFTER TRUNCATE ON etl_file
    FOR EACH STATEMENT EXECUTE FUNCTION ri_refuse_orphans('file_id', 'raw_business_case_value', 'file_id', 'raw_business_case_value_file_id_fkey', 'raw_business_case_attribute', 'file_id', 'raw_business_case_attribute_file_id_fkey', 'raw_business_case_line', 'file_id', 'raw_business_case_line_file_id_fkey', 'raw_business_case_sensitivity', 'file_id', 'raw_business_case_sensitivity_file_id_fkey', 'raw_actual_row', 'file_id', 'raw_actual_row_file_id_fkey', 'fct_business_case_version', 'file_id', 'fct_business_case_version_file_id_fkey', 'fct_benefit_actual', 'file_id', 'fct_benefit_actual_file_id_fkey');

CREATE TRIGGER ri_deleted AFTER DELETE ON etl_run REFERENCING OLD TABLE AS ri_old
    FOR EACH STATEMENT EXECUTE FUNCTION ri_refuse_orphans('run_id', 'raw_list_item', 'run_id', 'raw_list_item_run_id_fkey', 'fct_business_case_version', 'run_id', 'fct_business_case_version_run_id_fkey', 'fct_business_case_sensitivity', 'run_id', 'fct_business_case_sensitivity_run_id_fkey', 'fct_business_case_range', 'run_id', 'fct_business_case_range_run_id_fkey', 'fct_benefit_actual', 'run_id', 'fct_benefit_actual_run_id_fkey', 'fct_benefit_realization', 'run_id', 'fct_benefit_realization_run_id_fkey');
CREATE TRIGGER ri_updated_run_id AFTER UPDATE OF run_id ON etl_run
    FOR EACH ROW WHEN (OLD.run_id IS DISTINCT FROM NEW.run_id) EXECUTE FUNCTION ri_refuse_orphans('run_id', 'raw_list_item', 'run_id', 'raw_list_item_run_id_fkey', 'fct_business_case_version', 'run_id', 'fct_business_case_version_run_id_fkey', 'fct_business_case_sensitivity', 'run_id', 'fct_business_case_sensitivity_run_id_fkey', 'fct_business_case_range', 'run_id', 'fct_business_case_range_run_id_fkey', 'fct_benefit_actual', 'run_id', 'fct_benefit_actual_run_id_fkey', 'fct_benefit_realization', 'run_id', 'fct_benefit_realization_run_id_fkey');
CREATE TRIGGER ri_truncated AFTER TRUNCATE ON etl_run
    FOR EACH STATEMENT EXECUTE FUNCTION ri_refuse_orphans('run_id', 'raw_list_item', 'run_id', 'raw_list_item_run_id_fkey', 'fct_business_case_version', 'run_id', 'fct_business_case_version_run_id_fkey', 'fct_business_case_sensitivity', 'run_id', 'fct_business_case_sensitivity_run_id_fkey', 'fct_business_case_range', 'run_id', 'fct_business_case_range_run_id_fkey', 'fct_benefit_actual', 'run_id', 'fct_benefit_actual_run_id_fkey', 'fct_benefit_realization', 'run_id', 'fct_benefit_realization_run_id_fkey');

CREATE TRIGGER ri_deleted AFTER DELETE ON fct_business_case_version REFERENCING OLD TABLE AS ri_old
    FOR EACH STATEMENT EXECUTE FUNCTION ri_refuse_orphans('bc_version_id', 'fct_business_case_year', 'bc_version_id', 'fct_business_case_year_bc_version_id_fkey', 'fct_business_case_sensitivity', 'bc_version_id', 'fct_business_case_sensitivity_bc_version_id_fkey', 'fct_business_case_range', 'bc_version_id', 'fct_business_case_range_bc_version_id_fkey', 'fct_benefit_realization', 'bc_version_id', 'fct_benefit_realization_bc_version_id_fkey');
CREATE TRIGGER ri_updated_bc_version_id AFTER UPDATE OF bc_version_id ON fct_business_case_version
    FOR EACH ROW WHEN (OLD.bc_version_id IS DISTINCT FROM NEW.bc_version_id) EXECUTE FUNCTION ri_refuse_orphans('bc_version_id', 'fct_business_case_year', 'bc_version_id', 'fct_business_case_year_bc_version_id_fkey', 'fct_business_case_sensitivity', 'bc_version_id', 'fct_business_case_sensitivity_bc_version_id_fkey', 'fct_business_case_range', 'bc_version_id', 'fct_business_case_range_bc_version_id_fkey', 'fct_benefit_realization', 'bc_version_id', 'fct_benefit_realization_bc_version_id_fkey');
CREATE TRIGGER ri_truncated AFTER TRUNCATE ON fct_business_case_version
    FOR EACH STATEMENT EXECUTE FUNCTION ri_refuse_orphans('bc_version_id', 'fct_business_case_year', 'bc_version_id', 'fct_business_case_year_bc_version_id_fkey', 'fct_business_case_sensitivity', 'bc_version_id', 'fct_business_case_sensitivity_bc_version_id_fkey', 'fct_business_case_range', 'bc_version_id', 'fct_business_case_range_bc_version_id_fkey', 'fct_benefit_realization', 'bc_version_id', 'fct_benefit_realization_bc_version_id_fkey');

CREATE TRIGGER ri_deleted AFTER DELETE ON fct_benefit_actual REFERENCING OLD TABLE AS ri_old
    FOR EACH STATEMENT EXECUTE FUNCTION ri_refuse_orphans('actual_id', 'fct_benefit_realization', 'actual_id', 'fct_benefit_realization_actual_id_fkey');
CREATE TRIGGER ri_updated_actual_id AFTER UPDATE OF actual_id ON fct_benefit_actual
    FOR EACH ROW WHEN (OLD.actual_id IS DISTINCT FROM NEW.actual_id) EXECUTE FUNCTION ri_refuse_orphans('actual_id', 'fct_benefit_realization', 'actual_id', 'fct_benefit_realization_actual_id_fkey');
CREATE TRIGGER ri_truncated AFTER TRUNCATE ON fct_benefit_actual
    FOR EACH STATEMENT EXECUTE FUNCTION ri_refuse_orphans('actual_id', 'fct_benefit_realization', 'actual_id', 'fct_benefit_realization_actual_id_fkey');


-- Which version of an initiative is the latest: the marts' MAX(bc_version_id) per initiative reads one index entry,
-- where PostgreSQL otherwise walked the primary key backwards past thousands of other initiatives' versions (4.5 s at
-- scale 4, when the run's statistics were a sample of its own uncommitted rows).
CREATE INDEX ix_fct_business_case_version_latest ON fct_business_case_version (initiative_id, bc_version_id);
