-- Warnings of declared checks (catalogue `checks:` of severity warning) whose values are still current, and the
-- roll-up's mismatches between a district's own submitted value and the one derived from its communes.
DROP VIEW IF EXISTS dti.v_check_warnings CASCADE;
CREATE VIEW dti.v_check_warnings AS
SELECT 'check'::text AS source, u.code AS unit_code, u.name AS unit_name, w.year::integer AS year, w.stage, w.catalogue_id,
       w.indicator_code, NULL::text AS variable, w.expression AS check_expression, w.left_side, w.right_side,
       w.message_vi, w.message_en, w.batch_id, NULL::bigint AS run_id
  FROM (SELECT DISTINCT ON (cw.unit_id, cw.year, cw.stage, cw.catalogue_id, cw.indicator_code, cw.expression) cw.*
          FROM dti.check_warnings cw
         ORDER BY cw.unit_id, cw.year, cw.stage, cw.catalogue_id, cw.indicator_code, cw.expression, cw.warning_id DESC) w
  JOIN dti.units u ON u.unit_id = w.unit_id
 -- current while every value it read is still the current value of its item
 WHERE NOT EXISTS (SELECT 1 FROM unnest(w.item_ids, w.item_values) AS x (item_id, value)
                    WHERE NOT EXISTS (SELECT 1 FROM dti.current_values cv
                                       WHERE cv.unit_id = w.unit_id AND cv.year = w.year AND cv.stage = w.stage
                                         AND cv.item_id = x.item_id AND cv.value = x.value))
UNION ALL
SELECT 'rollup', d.unit_code, u.name, d.year, d.stage, d.catalogue_id, d.indicator_code, d.variable,
       d.variable || ' = ' || d.how || ' (xã / communes)',
       d.variable || ' = ' || coalesce(d.submitted_value::text, '—') || ' (huyện nộp / submitted)',
       d.how || ' = ' || coalesce(d.derived_value::text, '—') || ' (' || d.children_count || ' xã / communes)',
       'huyện ' || d.unit_code || ', chỉ số ' || d.indicator_code || ', biến ' || d.variable || ': số huyện tự nộp ' ||
           coalesce(d.submitted_value::text, '—') || ' khác số tổng hợp từ ' || d.children_count || ' xã (' || d.how || ') ' ||
           coalesce(d.derived_value::text, '—') || '; dùng số ' || CASE d.used WHEN 'derived' THEN 'tổng hợp' ELSE 'tự nộp' END,
       'district ' || d.unit_code || ', indicator ' || d.indicator_code || ', variable ' || d.variable || ': its own value ' ||
           coalesce(d.submitted_value::text, '—') || ' differs from the ' || d.how || ' of its ' || d.children_count || ' communes, ' ||
           coalesce(d.derived_value::text, '—') || '; the ' || d.used || ' value is used',
       NULL::bigint, d.run_id
  FROM dti.derived_values d
  JOIN dti.units u ON u.code = d.unit_code
 WHERE d.mismatch;
ALTER VIEW dti.v_check_warnings OWNER TO dti_viewer;
COMMENT ON VIEW dti.v_check_warnings IS 'Cảnh báo kiểm tra / warnings: declared checks of severity warning that current values fail (source check; they loaded, listed in the load summary too), and the roll-up''s mismatches between a district''s own value and the one derived from its communes (source rollup).';
COMMENT ON COLUMN dti.v_check_warnings.source IS 'check (a declared check of the catalogue, at load) or rollup (a district''s own value against the sum of its communes).';
COMMENT ON COLUMN dti.v_check_warnings.unit_code IS 'The unit whose values fail the check.';
COMMENT ON COLUMN dti.v_check_warnings.unit_name IS 'Its name, verbatim.';
COMMENT ON COLUMN dti.v_check_warnings.year IS 'Year of the data.';
COMMENT ON COLUMN dti.v_check_warnings.stage IS 'Stage of the data (self, round1, round2, final).';
COMMENT ON COLUMN dti.v_check_warnings.catalogue_id IS 'The catalogue that declares the check (or of the derived variable).';
COMMENT ON COLUMN dti.v_check_warnings.indicator_code IS 'The indicator.';
COMMENT ON COLUMN dti.v_check_warnings.variable IS 'The derived variable (rollup); NULL for a declared check.';
COMMENT ON COLUMN dti.v_check_warnings.check_expression IS 'The check as declared (a <= b …), or what the roll-up compares.';
COMMENT ON COLUMN dti.v_check_warnings.left_side IS 'The left side with its value (a = 9), or the district''s own value.';
COMMENT ON COLUMN dti.v_check_warnings.right_side IS 'The right side with its value (b = 4), or the value derived from the communes.';
COMMENT ON COLUMN dti.v_check_warnings.message_vi IS 'The warning for people, in Vietnamese.';
COMMENT ON COLUMN dti.v_check_warnings.message_en IS 'The warning in English.';
COMMENT ON COLUMN dti.v_check_warnings.batch_id IS 'The load that found it (check).';
COMMENT ON COLUMN dti.v_check_warnings.run_id IS 'The roll-up run that found it (rollup).';
