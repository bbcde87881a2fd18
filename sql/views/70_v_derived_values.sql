DROP VIEW IF EXISTS dti.v_derived_values CASCADE;
CREATE VIEW dti.v_derived_values AS
SELECT d.unit_code, u.name AS unit_name, d.year, d.stage, d.catalogue_id, d.indicator_code, d.variable, iv.meaning,
       d.how, d.children_count, d.derived_value, d.submitted_value, d.used, d.mismatch, d.run_id
  FROM dti.derived_values d
  JOIN dti.units u ON u.code = d.unit_code
  LEFT JOIN dti.catalogues c ON c.catalogue_id = d.catalogue_id
  LEFT JOIN dti.indicator_variables iv ON iv.version_id = c.current_version AND iv.indicator_code = d.indicator_code AND iv.variable = d.variable;
ALTER VIEW dti.v_derived_values OWNER TO dti_viewer;
COMMENT ON VIEW dti.v_derived_values IS 'Biến cấp huyện tổng hợp từ xã / district variables derived from the communes'' data (sum, count of yes …), with the district''s own submitted value, which one was used, and whether they differ (mismatch).';
COMMENT ON COLUMN dti.v_derived_values.how IS 'sum, count_yes, count_no, count_answers, min, max or mean over the district''s communes.';
COMMENT ON COLUMN dti.v_derived_values.children_count IS 'Số xã contributing.';
COMMENT ON COLUMN dti.v_derived_values.derived_value IS 'The value computed from the communes.';
COMMENT ON COLUMN dti.v_derived_values.submitted_value IS 'The value the district submitted itself, if any.';
COMMENT ON COLUMN dti.v_derived_values.used IS 'derived or submitted: which one scored, by the catalogue''s declared precedence.';
COMMENT ON COLUMN dti.v_derived_values.mismatch IS 'true when the district submitted a value different from the derived one.';

DROP VIEW IF EXISTS dti.v_unit_profiles CASCADE;
CREATE VIEW dti.v_unit_profiles AS
SELECT u.code AS unit_code, u.name AS unit_name, u.level, cv.year, i.indicator_code AS field, ind.name AS field_name,
       cv.value, cv.value_text, iv.unit_of_measure, cv.stage, cv.batch_id
  FROM dti.current_values cv
  JOIN dti.units u ON u.unit_id = cv.unit_id
  JOIN dti.catalogue_items i ON i.item_id = cv.item_id
  JOIN dti.catalogues c ON c.catalogue_id = i.catalogue_id
  JOIN dti.catalogue_versions v ON v.version_id = c.current_version AND v.kind = 'profile'
  JOIN dti.indicators ind ON ind.version_id = v.version_id AND ind.indicator_code = i.indicator_code
  LEFT JOIN dti.indicator_variables iv ON iv.version_id = v.version_id AND iv.indicator_code = i.indicator_code AND iv.variable = i.variable;
ALTER VIEW dti.v_unit_profiles OWNER TO dti_viewer;
COMMENT ON VIEW dti.v_unit_profiles IS 'Thông tin chung / yearly unit profiles (population, households, communes, villages, civil servants, enterprises, budget …) as loaded through `dti load`; used as denominators by catalogue variables that name a profile field.';
