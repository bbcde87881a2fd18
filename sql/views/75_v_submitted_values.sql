DROP VIEW IF EXISTS dti.v_submitted_values CASCADE;
CREATE VIEW dti.v_submitted_values AS
SELECT u.code AS unit_code, u.name AS unit_name, u.level, u.parent_code, cv.year, cv.stage, i.catalogue_id, i.indicator_code,
       i.variable, iv.meaning, cv.value, cv.value_text, cv.evidence, cv.batch_id, cv.source_ref
  FROM dti.current_values cv
  JOIN dti.units u ON u.unit_id = cv.unit_id
  JOIN dti.catalogue_items i ON i.item_id = cv.item_id
  LEFT JOIN dti.catalogues c ON c.catalogue_id = i.catalogue_id
  LEFT JOIN dti.indicator_variables iv ON iv.version_id = c.current_version AND iv.indicator_code = i.indicator_code AND iv.variable = i.variable;
ALTER VIEW dti.v_submitted_values OWNER TO dti_viewer;
COMMENT ON VIEW dti.v_submitted_values IS 'Số liệu hiện hành / the current submitted value of every unit, year, stage, catalogue, indicator and variable (the newest load wins; history in dti history).';
COMMENT ON COLUMN dti.v_submitted_values.value IS 'The number (yes/no as 1/0), exact.';
COMMENT ON COLUMN dti.v_submitted_values.value_text IS 'The text as submitted for answers and text fields.';
COMMENT ON COLUMN dti.v_submitted_values.batch_id IS 'The load batch the value came from (dti.load_batches: file, sha256, who, when).';
COMMENT ON COLUMN dti.v_submitted_values.source_ref IS 'Where in its file: CSV line, Sheet!cell or [JSON element].';

DROP VIEW IF EXISTS dti.v_commune_contributions CASCADE;
CREATE VIEW dti.v_commune_contributions AS
SELECT u.code AS commune_code, u.name AS commune_name, u.parent_code AS district_code, cv.year, cv.stage,
       i.catalogue_id AS source_catalogue, i.indicator_code AS source_indicator, i.variable AS source_variable,
       f.target_catalogue, f.target_indicator, f.target_variable, f.how, cv.value, tv.meaning AS target_meaning
  FROM dti.current_values cv
  JOIN dti.units u ON u.unit_id = cv.unit_id AND u.level = 'commune'
  JOIN dti.catalogue_items i ON i.item_id = cv.item_id
  JOIN dti.catalogues c ON c.catalogue_id = i.catalogue_id
  JOIN dti.feeds f ON f.version_id = c.current_version AND f.source_item_id = cv.item_id
  LEFT JOIN dti.catalogues tc ON tc.catalogue_id = f.target_catalogue
  LEFT JOIN dti.indicator_variables tv ON tv.version_id = tc.current_version AND tv.indicator_code = f.target_indicator AND tv.variable = f.target_variable;
ALTER VIEW dti.v_commune_contributions OWNER TO dti_viewer;
COMMENT ON VIEW dti.v_commune_contributions IS 'Đóng góp của từng xã / each commune''s current value for every data item that feeds a district variable, with the district variable it feeds and how (sum, count of yes …).';
