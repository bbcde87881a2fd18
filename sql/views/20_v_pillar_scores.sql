DROP VIEW IF EXISTS dti.v_pillar_scores_all_stages CASCADE;
CREATE VIEW dti.v_pillar_scores_all_stages AS
SELECT s.unit_code, u.name AS unit_name, s.year, s.stage, s.catalogue_id, s.pillar_code, p.name AS pillar_name, s.points,
       s.max_points, s.percent, s.rank, s.peer_group, s.raw_points, coalesce(p.total_policy, v.total_policy) AS total_policy,
       s.unscored, p.ordinal AS pillar_ordinal, s.version_id, s.run_id,
       coalesce(p.display_name, p.name) AS pillar_display_name, v.points_places, v.percent_places, v.title AS catalogue_title
  FROM dti.pillar_scores s
  JOIN dti.units u ON u.code = s.unit_code
  JOIN dti.pillars p ON p.version_id = s.version_id AND p.pillar_code = s.pillar_code
  JOIN dti.catalogue_versions v ON v.version_id = s.version_id;
ALTER VIEW dti.v_pillar_scores_all_stages OWNER TO dti_viewer;
COMMENT ON VIEW dti.v_pillar_scores_all_stages IS 'Điểm từng chỉ số chính (trụ cột), mọi giai đoạn / pillar totals per unit, year and stage, every stage.';

DROP VIEW IF EXISTS dti.v_pillar_scores CASCADE;
CREATE VIEW dti.v_pillar_scores AS
SELECT a.* FROM dti.v_pillar_scores_all_stages a
  JOIN dti.v_effective_stage e USING (unit_code, year, catalogue_id, stage);
ALTER VIEW dti.v_pillar_scores OWNER TO dti_viewer;
COMMENT ON VIEW dti.v_pillar_scores IS 'Điểm từng chỉ số chính / pillar totals per unit, year and pillar at the shown stage (final when published). One row per unit, year, stage, pillar.';
COMMENT ON COLUMN dti.v_pillar_scores.unit_code IS 'Mã đơn vị.';
COMMENT ON COLUMN dti.v_pillar_scores.unit_name IS 'Tên đơn vị, verbatim.';
COMMENT ON COLUMN dti.v_pillar_scores.year IS 'Năm đánh giá.';
COMMENT ON COLUMN dti.v_pillar_scores.stage IS 'Giai đoạn: self, round1, round2, final.';
COMMENT ON COLUMN dti.v_pillar_scores.catalogue_id IS 'Bộ chỉ số.';
COMMENT ON COLUMN dti.v_pillar_scores.pillar_code IS 'Mã chỉ số chính as printed (1 … 9, or I … VI).';
COMMENT ON COLUMN dti.v_pillar_scores.pillar_name IS 'Tên chỉ số chính, verbatim (Nhận thức số …).';
COMMENT ON COLUMN dti.v_pillar_scores.points IS 'Điểm of the pillar after the catalogue''s total policy (sum, capped at the pillar max, or rescaled to it), full precision.';
COMMENT ON COLUMN dti.v_pillar_scores.max_points IS 'Điểm tối đa of the pillar for this unit (indicators that do not apply are left out).';
COMMENT ON COLUMN dti.v_pillar_scores.percent IS 'points ÷ max_points × 100, unrounded.';
COMMENT ON COLUMN dti.v_pillar_scores.rank IS 'Thứ hạng of the pillar percent within the peer group (1 = best; ties share a rank).';
COMMENT ON COLUMN dti.v_pillar_scores.peer_group IS 'Nhóm so sánh the unit is ranked in (dti.peer_groups, or parent:level).';
COMMENT ON COLUMN dti.v_pillar_scores.raw_points IS 'Plain sum of the indicators'' points before the total policy.';
COMMENT ON COLUMN dti.v_pillar_scores.total_policy IS 'sum, capped or rescaled: how points was formed from raw_points.';
COMMENT ON COLUMN dti.v_pillar_scores.unscored IS 'Indicators of the pillar that could not be scored (counted as 0).';
COMMENT ON COLUMN dti.v_pillar_scores.pillar_ordinal IS 'Position of the pillar in its catalogue (for sorting).';
COMMENT ON COLUMN dti.v_pillar_scores.version_id IS 'Catalogue version used.';
COMMENT ON COLUMN dti.v_pillar_scores.run_id IS 'Roll-up that computed the row.';
COMMENT ON COLUMN dti.v_pillar_scores.pillar_display_name IS 'Tên chỉ số chính as reports print it: display_name where the verbatim name has a typo (Thẻ chế số → Thể chế số), else verbatim.';
COMMENT ON COLUMN dti.v_pillar_scores.points_places IS 'Decimal places the catalogue publishes points with (display only).';
COMMENT ON COLUMN dti.v_pillar_scores.percent_places IS 'Decimal places the catalogue publishes percents with (display only).';
COMMENT ON COLUMN dti.v_pillar_scores.catalogue_title IS 'Tên bộ chỉ số (the catalogue''s title as printed), to name the catalogue in a report.';
