-- The loads: which file, when, by whom, with what counts. Analysts read every batch; a district login reads the
-- batches that hold values of its own district or communes (row-level security of the sheets decides), so it can
-- see where its numbers came from without learning about other districts' loads.
DROP VIEW IF EXISTS dti.v_load_batches CASCADE;
CREATE VIEW dti.v_load_batches AS
SELECT b.batch_id, b.file_name, b.file_sha256, b.file_bytes, b.format, b.default_stage, b.partial, b.loaded_by, b.os_user,
       b.host, b.loaded_at, b.finished, b.rows_total, b.rows_accepted, b.rows_rejected, b.rows_unchanged
  FROM dti.load_batches b
 WHERE (SELECT dti.restricted_district(current_user)) IS NULL
    OR EXISTS (SELECT 1 FROM dti.submission_sheets s WHERE s.batch_id = b.batch_id);
ALTER VIEW dti.v_load_batches OWNER TO dti_viewer;
COMMENT ON VIEW dti.v_load_batches IS 'Lô nạp / every load of a file (dti load): file, digest, who, when and its counts; a district login sees the loads that hold its own units'' values.';
COMMENT ON COLUMN dti.v_load_batches.batch_id IS 'The batch''s number (v_value_history.batch_id, v_submitted_values.batch_id).';
COMMENT ON COLUMN dti.v_load_batches.file_name IS 'Tệp đã nạp, as given to dti load.';
COMMENT ON COLUMN dti.v_load_batches.file_sha256 IS 'SHA-256 of the file''s bytes: the same file is loaded once per stage.';
COMMENT ON COLUMN dti.v_load_batches.file_bytes IS 'Kích thước tệp (byte).';
COMMENT ON COLUMN dti.v_load_batches.format IS 'csv, xlsx or json.';
COMMENT ON COLUMN dti.v_load_batches.default_stage IS 'Giai đoạn of the records that name none (dti load --stage).';
COMMENT ON COLUMN dti.v_load_batches.partial IS 'Loaded with --partial: the refused records were left out, the rest loaded.';
COMMENT ON COLUMN dti.v_load_batches.loaded_by IS 'The login that loaded it.';
COMMENT ON COLUMN dti.v_load_batches.os_user IS 'The operating-system user who ran dti load.';
COMMENT ON COLUMN dti.v_load_batches.host IS 'The machine dti load ran on.';
COMMENT ON COLUMN dti.v_load_batches.loaded_at IS 'Thời điểm nạp.';
COMMENT ON COLUMN dti.v_load_batches.finished IS 'The load finished its bookkeeping (always true for a committed batch).';
COMMENT ON COLUMN dti.v_load_batches.rows_total IS 'Records in the file.';
COMMENT ON COLUMN dti.v_load_batches.rows_accepted IS 'Records written (new or changed values).';
COMMENT ON COLUMN dti.v_load_batches.rows_rejected IS 'Records refused (kept in the load''s rejects).';
COMMENT ON COLUMN dti.v_load_batches.rows_unchanged IS 'Records equal to the current value (not written again).';
