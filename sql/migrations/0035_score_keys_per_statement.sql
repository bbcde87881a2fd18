-- 0035 the roll-up's references checked once per statement, not once per row (issue 16 point 2).
--
-- The score tables' foreign keys to dti.rollup_runs and dti.catalogue_versions were checked by PostgreSQL's
-- per-row triggers: one lookup and row lock per row written. A roll-up of the bench's 25 provinces writes 27,140
-- indicator scores in one COPY, and the two checks took 200 of its 265 ms (the same COPY into the same table
-- without them: 69 ms). Here the same rules hold, checked in one set-based query per statement over the rows it
-- wrote (a transition table):
-- - every run_id / version_id written must exist, and the rows it names are locked FOR KEY SHARE, as a foreign key
--   locks them, so a concurrent delete of a run or version either waits for this transaction or makes it fail;
-- - a run or version that a score row still names cannot be deleted, nor its key changed (as NO ACTION would refuse).
-- The error is a foreign_key_violation (23503) naming the table, the column and the key, as the foreign key's was.

-- After INSERT or UPDATE of a child table. Arguments: pairs of (column, parent table in dti) whose key column has
-- the same name. NULL keys are not checked (as a foreign key does not).
CREATE FUNCTION dti.check_keys_exist() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, dti, pg_temp AS $$
DECLARE
    k integer := 0;
    missing text;
BEGIN
    WHILE k + 1 < TG_NARGS LOOP
        -- lock what the rows refer to, then look for a key with no row (a row deleted meanwhile is not locked)
        EXECUTE format('SELECT count(*) FROM (SELECT 1 FROM dti.%2$I p WHERE p.%1$I IN (SELECT n.%1$I FROM new_rows n) FOR KEY SHARE OF p) l',
                       TG_ARGV[k], TG_ARGV[k + 1]);
        EXECUTE format('SELECT n.%1$I::text FROM new_rows n WHERE n.%1$I IS NOT NULL
                          AND NOT EXISTS (SELECT 1 FROM dti.%2$I p WHERE p.%1$I = n.%1$I) LIMIT 1', TG_ARGV[k], TG_ARGV[k + 1])
           INTO missing;
        IF missing IS NOT NULL THEN
            RAISE EXCEPTION 'insert or update on table "%" violates foreign key "%": Key (%)=(%) is not present in table "%".',
                TG_TABLE_NAME, TG_TABLE_NAME || '_' || TG_ARGV[k] || '_fkey', TG_ARGV[k], missing, TG_ARGV[k + 1]
                USING ERRCODE = 'foreign_key_violation', SCHEMA = TG_TABLE_SCHEMA, TABLE = TG_TABLE_NAME, COLUMN = TG_ARGV[k],
                      CONSTRAINT = TG_TABLE_NAME || '_' || TG_ARGV[k] || '_fkey';
        END IF;
        k := k + 2;
    END LOOP;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION dti.check_keys_exist() IS
    'Khóa ngoại kiểm theo câu lệnh / the foreign keys of a score table, checked once per statement over the rows it wrote (arguments: column, parent table; …).';

-- After DELETE or UPDATE of a parent table. Arguments: the key column, then the child tables in dti that name it.
CREATE FUNCTION dti.check_keys_unreferenced() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, dti, pg_temp AS $$
DECLARE
    k integer := 1;
    gone text;
    any_gone boolean;
    still text;
BEGIN
    IF TG_OP = 'DELETE' THEN
        gone := format('SELECT o.%1$I FROM old_rows o', TG_ARGV[0]);
    ELSE
        gone := format('SELECT o.%1$I FROM old_rows o EXCEPT SELECT n.%1$I FROM new_rows n', TG_ARGV[0]);
    END IF;
    -- nothing re-keyed (finish_rollup_run's update of a run): no child table is read
    EXECUTE format('SELECT EXISTS (%s)', gone) INTO any_gone;
    IF NOT any_gone THEN
        RETURN NULL;
    END IF;
    WHILE k < TG_NARGS LOOP
        EXECUTE format('SELECT c.%1$I::text FROM dti.%2$I c WHERE c.%1$I IN (%3$s) LIMIT 1', TG_ARGV[0], TG_ARGV[k], gone) INTO still;
        IF still IS NOT NULL THEN
            RAISE EXCEPTION 'update or delete on table "%" violates foreign key "%" on table "%": Key (%)=(%) is still referenced from table "%".',
                TG_TABLE_NAME, TG_ARGV[k] || '_' || TG_ARGV[0] || '_fkey', TG_ARGV[k], TG_ARGV[0], still, TG_ARGV[k]
                USING ERRCODE = 'foreign_key_violation', SCHEMA = TG_TABLE_SCHEMA, TABLE = TG_ARGV[k], COLUMN = TG_ARGV[0],
                      CONSTRAINT = TG_ARGV[k] || '_' || TG_ARGV[0] || '_fkey';
        END IF;
        k := k + 1;
    END LOOP;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION dti.check_keys_unreferenced() IS
    'Khóa ngoại kiểm theo câu lệnh / a run or catalogue version that score rows still name cannot be deleted or re-keyed (arguments: key column, child tables …).';

REVOKE EXECUTE ON FUNCTION dti.check_keys_exist(), dti.check_keys_unreferenced() FROM PUBLIC;

ALTER TABLE dti.indicator_scores DROP CONSTRAINT indicator_scores_run_id_fkey, DROP CONSTRAINT indicator_scores_version_id_fkey;
ALTER TABLE dti.pillar_scores DROP CONSTRAINT pillar_scores_run_id_fkey, DROP CONSTRAINT pillar_scores_version_id_fkey;
ALTER TABLE dti.unit_index DROP CONSTRAINT unit_index_run_id_fkey, DROP CONSTRAINT unit_index_version_id_fkey;
ALTER TABLE dti.derived_values DROP CONSTRAINT derived_values_run_id_fkey;

CREATE TRIGGER indicator_scores_keys_on_insert AFTER INSERT ON dti.indicator_scores REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dti.check_keys_exist('run_id', 'rollup_runs', 'version_id', 'catalogue_versions');
CREATE TRIGGER indicator_scores_keys_on_update AFTER UPDATE ON dti.indicator_scores REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dti.check_keys_exist('run_id', 'rollup_runs', 'version_id', 'catalogue_versions');
CREATE TRIGGER pillar_scores_keys_on_insert AFTER INSERT ON dti.pillar_scores REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dti.check_keys_exist('run_id', 'rollup_runs', 'version_id', 'catalogue_versions');
CREATE TRIGGER pillar_scores_keys_on_update AFTER UPDATE ON dti.pillar_scores REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dti.check_keys_exist('run_id', 'rollup_runs', 'version_id', 'catalogue_versions');
CREATE TRIGGER unit_index_keys_on_insert AFTER INSERT ON dti.unit_index REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dti.check_keys_exist('run_id', 'rollup_runs', 'version_id', 'catalogue_versions');
CREATE TRIGGER unit_index_keys_on_update AFTER UPDATE ON dti.unit_index REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dti.check_keys_exist('run_id', 'rollup_runs', 'version_id', 'catalogue_versions');
CREATE TRIGGER derived_values_keys_on_insert AFTER INSERT ON dti.derived_values REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dti.check_keys_exist('run_id', 'rollup_runs');
CREATE TRIGGER derived_values_keys_on_update AFTER UPDATE ON dti.derived_values REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dti.check_keys_exist('run_id', 'rollup_runs');

CREATE TRIGGER rollup_runs_keys_on_delete AFTER DELETE ON dti.rollup_runs REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dti.check_keys_unreferenced('run_id', 'indicator_scores', 'pillar_scores', 'unit_index', 'derived_values');
CREATE TRIGGER rollup_runs_keys_on_update AFTER UPDATE ON dti.rollup_runs REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dti.check_keys_unreferenced('run_id', 'indicator_scores', 'pillar_scores', 'unit_index', 'derived_values');
CREATE TRIGGER catalogue_versions_keys_on_delete AFTER DELETE ON dti.catalogue_versions REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dti.check_keys_unreferenced('version_id', 'indicator_scores', 'pillar_scores', 'unit_index');
CREATE TRIGGER catalogue_versions_keys_on_update AFTER UPDATE ON dti.catalogue_versions REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dti.check_keys_unreferenced('version_id', 'indicator_scores', 'pillar_scores', 'unit_index');
