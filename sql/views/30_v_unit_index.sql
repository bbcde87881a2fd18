DROP VIEW IF EXISTS dti.v_unit_index_all_stages CASCADE;
CREATE VIEW dti.v_unit_index_all_stages AS
SELECT x.unit_code, u.name AS unit_name, u.level, u.parent_code, x.year, x.stage, x.catalogue_id, x.points, x.max_points,
       x.percent, x.rating, x.peer_group, g.name AS peer_group_name, x.rank, x.bonus_points, x.derived, x.derived_from,
       x.version_id, x.run_id, cov.complete, cov.coverage
  FROM dti.unit_index x
  JOIN dti.units u ON u.code = x.unit_code
  LEFT JOIN dti.peer_groups g ON g.code = x.peer_group
  -- an index computed from commune data: the share of it present (issue 15 point 6); NULL when none is involved
  LEFT JOIN LATERAL (SELECT bool_and(d.children_count >= d.expected_children) AS complete,
                            least(1, sum(d.children_count)::numeric / nullif(sum(d.expected_children), 0)) AS coverage
                       FROM dti.derived_values d
                      WHERE d.unit_code = x.unit_code AND d.year = x.year AND d.stage = x.stage AND d.catalogue_id = x.catalogue_id
                        AND d.used = 'derived' AND d.how <> 'count_units' AND d.expected_children IS NOT NULL
                     HAVING count(*) > 0) cov ON true;
ALTER VIEW dti.v_unit_index_all_stages OWNER TO dti_viewer;
COMMENT ON VIEW dti.v_unit_index_all_stages IS 'Chỉ số DTI của đơn vị, mọi giai đoạn / the index per unit, year and stage, every stage.';

DROP VIEW IF EXISTS dti.v_unit_index CASCADE;
CREATE VIEW dti.v_unit_index AS
SELECT a.* FROM dti.v_unit_index_all_stages a
  JOIN dti.v_effective_stage e USING (unit_code, year, catalogue_id, stage);
ALTER VIEW dti.v_unit_index OWNER TO dti_viewer;
COMMENT ON VIEW dti.v_unit_index IS 'Chỉ số DTI của đơn vị / the index per unit and year at the shown stage (final when published): points, max, percent, rating band and rank in the peer group. One row per unit, year, stage.';
COMMENT ON COLUMN dti.v_unit_index.unit_code IS 'Mã đơn vị.';
COMMENT ON COLUMN dti.v_unit_index.unit_name IS 'Tên đơn vị, verbatim.';
COMMENT ON COLUMN dti.v_unit_index.level IS 'Cấp: province, district, commune, department.';
COMMENT ON COLUMN dti.v_unit_index.parent_code IS 'Mã đơn vị cấp trên.';
COMMENT ON COLUMN dti.v_unit_index.year IS 'Năm đánh giá.';
COMMENT ON COLUMN dti.v_unit_index.stage IS 'Giai đoạn: self, round1, round2, final.';
COMMENT ON COLUMN dti.v_unit_index.catalogue_id IS 'Bộ chỉ số the unit was evaluated with.';
COMMENT ON COLUMN dti.v_unit_index.points IS 'Tổng điểm: sum of the pillar totals plus bonus points, full precision (published tables round for display only).';
COMMENT ON COLUMN dti.v_unit_index.max_points IS 'Tổng điểm tối đa for this unit (pillars that do not apply, e.g. 001''s economy pillar, are left out).';
COMMENT ON COLUMN dti.v_unit_index.percent IS 'points ÷ max_points × 100, unrounded; ranks and rating bands use it.';
COMMENT ON COLUMN dti.v_unit_index.rating IS 'Xếp loại from the catalogue''s rating bands (Xuất sắc, Tốt, Khá, Trung bình, Yếu kém), where it has bands.';
COMMENT ON COLUMN dti.v_unit_index.peer_group IS 'Nhóm so sánh: the code of the group the unit is ranked in (or parent:level).';
COMMENT ON COLUMN dti.v_unit_index.peer_group_name IS 'Tên nhóm so sánh.';
COMMENT ON COLUMN dti.v_unit_index.rank IS 'Thứ hạng within the peer group on unrounded percent (1 = best; ties share a rank; NULL for derived rows).';
COMMENT ON COLUMN dti.v_unit_index.bonus_points IS 'Điểm khuyến khích included in points, outside the max.';
COMMENT ON COLUMN dti.v_unit_index.derived IS 'true: not an evaluation but a comparison value of a merged unit, the mean of its predecessors'' indices (the rule of the national DTI 2024 report).';
COMMENT ON COLUMN dti.v_unit_index.derived_from IS 'The predecessors a derived row averages.';
COMMENT ON COLUMN dti.v_unit_index.version_id IS 'Catalogue version used.';
COMMENT ON COLUMN dti.v_unit_index.complete IS 'Đủ số liệu xã: false when a district variable used was derived from fewer communes than the district has that year (NULL: no commune data involved).';
COMMENT ON COLUMN dti.v_unit_index.coverage IS 'Độ bao phủ, 0–1: communes with a value ÷ communes expected, summed over the district variables derived from communes (5 of 22 communes: 0.227…).';
COMMENT ON COLUMN dti.v_unit_index.run_id IS 'Roll-up that computed the row (dti.rollup_runs: who, when, inputs).';
