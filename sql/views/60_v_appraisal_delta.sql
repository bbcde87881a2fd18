DROP VIEW IF EXISTS dti.v_appraisal_delta CASCADE;
CREATE VIEW dti.v_appraisal_delta AS
SELECT d.*, coalesce(d.final_points, d.round2_points, d.round1_points) AS appraised_points,
       coalesce(d.final_points, d.round2_points, d.round1_points) - d.self_points AS appraised_delta
  FROM (SELECT s.unit_code, u.name AS unit_name, s.year, s.catalogue_id, s.indicator_code, i.name AS indicator_name, i.pillar_code,
               max(s.points) FILTER (WHERE s.stage = 'self') AS self_points,
               max(s.points) FILTER (WHERE s.stage = 'round1') AS round1_points,
               max(s.points) FILTER (WHERE s.stage = 'round2') AS round2_points,
               max(s.points) FILTER (WHERE s.stage = 'final') AS final_points,
               max(s.max_points) AS max_points
          FROM dti.indicator_scores s
          JOIN dti.units u ON u.code = s.unit_code
          JOIN dti.indicators i ON i.version_id = s.version_id AND i.indicator_code = s.indicator_code
         GROUP BY s.unit_code, u.name, s.year, s.catalogue_id, s.indicator_code, i.name, i.pillar_code) d;
ALTER VIEW dti.v_appraisal_delta OWNER TO dti_viewer;
COMMENT ON VIEW dti.v_appraisal_delta IS 'Chênh lệch tự đánh giá – thẩm định / per unit, year and indicator, the self-assessed points beside each appraisal round (001 Điều 5: tự đánh giá, vòng 1, giải trình, vòng 2, công bố). Needs a roll-up of each stage (dti rollup --stage self, round1 …).';
COMMENT ON COLUMN dti.v_appraisal_delta.unit_code IS 'Mã đơn vị.';
COMMENT ON COLUMN dti.v_appraisal_delta.unit_name IS 'Tên đơn vị.';
COMMENT ON COLUMN dti.v_appraisal_delta.year IS 'Năm.';
COMMENT ON COLUMN dti.v_appraisal_delta.catalogue_id IS 'Bộ chỉ số.';
COMMENT ON COLUMN dti.v_appraisal_delta.indicator_code IS 'Mã chỉ số.';
COMMENT ON COLUMN dti.v_appraisal_delta.indicator_name IS 'Tên chỉ số, verbatim.';
COMMENT ON COLUMN dti.v_appraisal_delta.pillar_code IS 'Mã chỉ số chính.';
COMMENT ON COLUMN dti.v_appraisal_delta.self_points IS 'Điểm tự đánh giá.';
COMMENT ON COLUMN dti.v_appraisal_delta.round1_points IS 'Điểm thẩm định vòng 1.';
COMMENT ON COLUMN dti.v_appraisal_delta.round2_points IS 'Điểm thẩm định vòng 2.';
COMMENT ON COLUMN dti.v_appraisal_delta.final_points IS 'Điểm công bố.';
COMMENT ON COLUMN dti.v_appraisal_delta.max_points IS 'Điểm tối đa.';
COMMENT ON COLUMN dti.v_appraisal_delta.appraised_points IS 'The latest appraisal: final, else round 2, else round 1.';
COMMENT ON COLUMN dti.v_appraisal_delta.appraised_delta IS 'appraised_points − self_points: negative = the council gave fewer points than the unit claimed.';
