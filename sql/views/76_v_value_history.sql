-- Every value ever loaded, not only the current one, with the load it came from: what `dti history` shows, for every
-- kind of login (row-level security of the values applies: a district login sees its district and communes only).
-- Which row is current is left to the reader (the newest value_id per unit, year, item and stage): a window here
-- would stop a filter on one unit from reaching the base tables.
DROP VIEW IF EXISTS dti.v_value_history CASCADE;
CREATE VIEW dti.v_value_history AS
SELECT sv.value_id, u.code AS unit_code, sv.year, sv.stage, i.catalogue_id, i.indicator_code, i.variable, sv.item_id,
       sv.value, sv.value_text, sv.evidence, sv.source_ref, sv.batch_id, b.file_name, b.loaded_at, b.loaded_by, b.os_user,
       (sv.value IS NULL AND sv.value_text IS NULL) AS withdrawn
  FROM dti.submission_values sv
  JOIN dti.units u ON u.unit_id = sv.unit_id
  JOIN dti.catalogue_items i ON i.item_id = sv.item_id
  JOIN dti.load_batches b ON b.batch_id = sv.batch_id;
ALTER VIEW dti.v_value_history OWNER TO dti_viewer;
COMMENT ON VIEW dti.v_value_history IS 'Lịch sử số liệu / every value ever loaded for a unit, year, stage, catalogue, indicator and variable, with the load it came from (dti history). The current value is the newest value_id.';
COMMENT ON COLUMN dti.v_value_history.value_id IS 'The value''s number: a later load has a larger one; the largest per unit, year, item and stage is current.';
COMMENT ON COLUMN dti.v_value_history.unit_code IS 'Mã đơn vị.';
COMMENT ON COLUMN dti.v_value_history.year IS 'Năm số liệu.';
COMMENT ON COLUMN dti.v_value_history.stage IS 'Giai đoạn: self, round1, round2, final.';
COMMENT ON COLUMN dti.v_value_history.catalogue_id IS 'Bộ chỉ số.';
COMMENT ON COLUMN dti.v_value_history.indicator_code IS 'Mã chỉ số (1.4, 5.8.1).';
COMMENT ON COLUMN dti.v_value_history.variable IS 'Biến của chỉ số (a, b, answer, points).';
COMMENT ON COLUMN dti.v_value_history.item_id IS 'The catalogue item (catalogue, indicator, variable) as a number.';
COMMENT ON COLUMN dti.v_value_history.value IS 'The number (yes/no as 1/0), exact.';
COMMENT ON COLUMN dti.v_value_history.value_text IS 'The text as submitted for answers and text fields.';
COMMENT ON COLUMN dti.v_value_history.evidence IS 'Minh chứng: the evidence reference given with the value.';
COMMENT ON COLUMN dti.v_value_history.source_ref IS 'Where in its file: CSV line, Sheet!cell or [JSON element].';
COMMENT ON COLUMN dti.v_value_history.batch_id IS 'The load batch the value came from.';
COMMENT ON COLUMN dti.v_value_history.file_name IS 'Tệp đã nạp.';
COMMENT ON COLUMN dti.v_value_history.loaded_at IS 'Thời điểm nạp.';
COMMENT ON COLUMN dti.v_value_history.loaded_by IS 'The login that loaded it.';
COMMENT ON COLUMN dti.v_value_history.withdrawn IS 'Rút lại: this row withdraws the value before it ("#rút" in the file); when it is the newest row, the unit has no current value for the item.';
COMMENT ON COLUMN dti.v_value_history.os_user IS 'The operating-system user who ran dti load.';
