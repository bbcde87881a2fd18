DROP VIEW IF EXISTS dti.v_indicator_scores_all_stages CASCADE;
CREATE VIEW dti.v_indicator_scores_all_stages AS
SELECT s.unit_code, u.name AS unit_name, u.level, s.year, s.stage, s.catalogue_id, i.pillar_code, s.indicator_code,
       i.name AS indicator_name, i.parent_code, s.points, s.max_points, s.status, s.ratio, s.notes, i.rule_kind, i.lead,
       i.supporting, i.is_leaf, i.ordinal AS indicator_ordinal, s.version_id, s.run_id,
       coalesce(i.display_name, i.name) AS indicator_display_name, coalesce(i.display_lead, i.lead) AS lead_display, s.reason
  FROM dti.indicator_scores s
  JOIN dti.units u ON u.code = s.unit_code
  JOIN dti.indicators i ON i.version_id = s.version_id AND i.indicator_code = s.indicator_code;
ALTER VIEW dti.v_indicator_scores_all_stages OWNER TO dti_viewer;
COMMENT ON VIEW dti.v_indicator_scores_all_stages IS 'Điểm từng chỉ số, mọi giai đoạn / points per unit, year, stage and indicator, every stage (self-assessment, appraisal rounds, final).';

DROP VIEW IF EXISTS dti.v_indicator_scores CASCADE;
CREATE VIEW dti.v_indicator_scores AS
SELECT a.* FROM dti.v_indicator_scores_all_stages a
  JOIN dti.v_effective_stage e USING (unit_code, year, catalogue_id, stage);
ALTER VIEW dti.v_indicator_scores OWNER TO dti_viewer;
COMMENT ON VIEW dti.v_indicator_scores IS 'Điểm từng chỉ số / points per unit, year and indicator at the shown stage (final when published; see v_indicator_scores_all_stages for every stage). One row per unit, year, stage, indicator.';
COMMENT ON COLUMN dti.v_indicator_scores.unit_code IS 'Mã đơn vị (dti.units.code).';
COMMENT ON COLUMN dti.v_indicator_scores.unit_name IS 'Tên đơn vị, verbatim.';
COMMENT ON COLUMN dti.v_indicator_scores.level IS 'Cấp: province, district, commune, department.';
COMMENT ON COLUMN dti.v_indicator_scores.year IS 'Năm đánh giá.';
COMMENT ON COLUMN dti.v_indicator_scores.stage IS 'Giai đoạn: self, round1, round2, final.';
COMMENT ON COLUMN dti.v_indicator_scores.catalogue_id IS 'Bộ chỉ số (etl/catalogues/<id>.yaml).';
COMMENT ON COLUMN dti.v_indicator_scores.pillar_code IS 'Mã chỉ số chính (trụ cột) chứa chỉ số.';
COMMENT ON COLUMN dti.v_indicator_scores.indicator_code IS 'Mã chỉ số thành phần as printed (1.2.1).';
COMMENT ON COLUMN dti.v_indicator_scores.indicator_name IS 'Tên chỉ số, verbatim from the source.';
COMMENT ON COLUMN dti.v_indicator_scores.parent_code IS 'Chỉ số cha of a sub-indicator; the parent''s points are the sum of its children.';
COMMENT ON COLUMN dti.v_indicator_scores.points IS 'Điểm đạt được, full precision (round only for display). NULL when not scored: see status and notes.';
COMMENT ON COLUMN dti.v_indicator_scores.max_points IS 'Điểm tối đa of the indicator; NULL where the source prints none.';
COMMENT ON COLUMN dti.v_indicator_scores.status IS 'scored; not_scored (a variable missing, a zero denominator … see notes, counted as 0 in the pillar); not_applicable; no_points (data items).';
COMMENT ON COLUMN dti.v_indicator_scores.ratio IS 'The ratio, count or amount the rule looked at (e.g. a/b = 0.75), where there is one.';
COMMENT ON COLUMN dti.v_indicator_scores.notes IS 'Why an indicator was not scored or was capped, in Vietnamese.';
COMMENT ON COLUMN dti.v_indicator_scores.rule_kind IS 'How points are computed: ratio, target, tiers, yesno, choice, composite, per_item, minmax, growth, deduction, direct, bonus.';
COMMENT ON COLUMN dti.v_indicator_scores.lead IS 'Cơ quan chủ trì (lead agency), verbatim.';
COMMENT ON COLUMN dti.v_indicator_scores.supporting IS 'Cơ quan phối hợp (supporting agencies), verbatim.';
COMMENT ON COLUMN dti.v_indicator_scores.is_leaf IS 'true for indicators that take data (no sub-indicators).';
COMMENT ON COLUMN dti.v_indicator_scores.indicator_ordinal IS 'Position of the indicator in its catalogue (for sorting).';
COMMENT ON COLUMN dti.v_indicator_scores.version_id IS 'The catalogue version the points were computed with (dti.catalogue_versions).';
COMMENT ON COLUMN dti.v_indicator_scores.run_id IS 'The roll-up that computed the row (dti.rollup_runs).';
COMMENT ON COLUMN dti.v_indicator_scores.indicator_display_name IS 'Tên chỉ số as reports for people print it: the catalogue''s display_name where the source''s text has a typo, else the verbatim name.';
COMMENT ON COLUMN dti.v_indicator_scores.lead_display IS 'Cơ quan chủ trì as reports print it (display_lead where the verbatim lead has a typo, e.g. HỘND for HĐND).';
COMMENT ON COLUMN dti.v_indicator_scores.reason IS 'Cờ / why the points are flagged: single_unit_peer_group = min–max in a peer group of one unit (full marks whatever the data; the rule cannot apply as written). NULL when the rule applied as written. Exports print it beside the points.';
