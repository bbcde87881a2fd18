-- 0021 audit trail: load_batches and rollup_runs become write-once for every login but the owner (issue 19, point 5).
-- The loader inserts its batch first (the sheets reference it) and fills in the counts at the end of the same
-- transaction; the roll-up does the same with its run. Those two last writes now go through definer functions that
-- touch only a row still unfinished, so dti_etl keeps INSERT but loses UPDATE, DELETE and TRUNCATE on the trail,
-- and on the migrator's own tables. A batch committed is finished (the finish runs before COMMIT; a crash rolls
-- the whole load back), so a committed row can never be rewritten through these functions.

ALTER TABLE dti.load_batches ADD COLUMN finished boolean NOT NULL DEFAULT true;   -- every existing batch is finished
ALTER TABLE dti.load_batches ALTER COLUMN finished SET DEFAULT false;
COMMENT ON COLUMN dti.load_batches.finished IS
    'Đã hoàn tất / the load filled in its counts (dti.finish_load_batch, once, in the load''s own transaction).';

CREATE FUNCTION dti.finish_load_batch(p_batch_id bigint, p_total integer, p_accepted integer, p_rejected integer,
                                      p_unchanged integer)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, dti, pg_temp AS $$
BEGIN
    UPDATE dti.load_batches
       SET rows_total = p_total, rows_accepted = p_accepted, rows_rejected = p_rejected, rows_unchanged = p_unchanged,
           finished = true
     WHERE batch_id = p_batch_id AND NOT finished;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'lô % không có hoặc đã hoàn tất / batch % does not exist or is already finished', p_batch_id, p_batch_id
              USING ERRCODE = '55000';
    END IF;
END
$$;
COMMENT ON FUNCTION dti.finish_load_batch(bigint, integer, integer, integer, integer) IS
    'Ghi số bản ghi của một lô đang nạp, một lần / the counts of a batch still being loaded, written once.';

CREATE FUNCTION dti.finish_rollup_run(p_run_id bigint, p_duration_ms integer, p_catalogue_versions integer[],
                                      p_batches bigint[], p_input_digest text, p_units integer, p_indicators integer,
                                      p_derived integer, p_mismatches integer)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, dti, pg_temp AS $$
BEGIN
    UPDATE dti.rollup_runs
       SET finished_at = pg_catalog.clock_timestamp(), duration_ms = p_duration_ms, catalogue_versions = p_catalogue_versions,
           batches = p_batches, input_digest = p_input_digest, units_scored = p_units, indicators_scored = p_indicators,
           derived_values = p_derived, mismatches = p_mismatches
     WHERE run_id = p_run_id AND finished_at IS NULL;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'lượt tổng hợp % không có hoặc đã hoàn tất / roll-up run % does not exist or is already finished', p_run_id, p_run_id
              USING ERRCODE = '55000';
    END IF;
END
$$;
COMMENT ON FUNCTION dti.finish_rollup_run(bigint, integer, integer[], bigint[], text, integer, integer, integer, integer) IS
    'Ghi kết quả của một lượt tổng hợp đang chạy, một lần / the outcome of a running roll-up, written once.';

REVOKE EXECUTE ON FUNCTION dti.finish_load_batch(bigint, integer, integer, integer, integer),
                           dti.finish_rollup_run(bigint, integer, integer[], bigint[], text, integer, integer, integer, integer)
    FROM PUBLIC, dti_analyst, dti_district, dti_viewer;
GRANT EXECUTE ON FUNCTION dti.finish_load_batch(bigint, integer, integer, integer, integer),
                          dti.finish_rollup_run(bigint, integer, integer[], bigint[], text, integer, integer, integer, integer)
    TO dti_etl;

REVOKE UPDATE, DELETE, TRUNCATE ON dti.load_batches, dti.rollup_runs, dti.schema_migrations FROM dti_etl, PUBLIC;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON dti.schema_migrations FROM dti_etl, PUBLIC;
DO $$
BEGIN
    IF pg_catalog.to_regclass('dti.schema_state') IS NOT NULL THEN
        EXECUTE 'REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON dti.schema_state FROM dti_etl, PUBLIC';
    END IF;
END
$$;

-- Every sheet names a batch that exists (the loader always wrote one; now the server says so too).
ALTER TABLE dti.submission_sheets
    ADD CONSTRAINT submission_sheets_batch_fk FOREIGN KEY (batch_id) REFERENCES dti.load_batches (batch_id);
