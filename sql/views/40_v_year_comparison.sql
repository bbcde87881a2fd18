DROP VIEW IF EXISTS dti.v_year_comparison CASCADE;
CREATE VIEW dti.v_year_comparison AS
-- NOT MATERIALIZED: referenced twice, the CTE would otherwise be computed whole, for every unit, before a caller's
-- unit_code condition could apply (make bench: 97 ms for one district's export table, 5 ms with the condition inside).
WITH rows AS NOT MATERIALIZED (
    SELECT unit_code, NULL::text AS pillar_code, year, stage, catalogue_id, points, max_points, percent, rank, derived, complete, coverage
      FROM dti.v_unit_index
    UNION ALL
    SELECT p.unit_code, p.pillar_code, p.year, p.stage, p.catalogue_id, p.points, p.max_points, p.percent, p.rank, false, cov.complete, cov.coverage
      FROM dti.v_pillar_scores p
      -- as in v_unit_index, over the pillar's own variables derived from communes (NULL for a pillar with none)
      LEFT JOIN LATERAL (SELECT bool_and(d.children_count >= d.expected_children) AS complete,
                                least(1, sum(d.children_count)::numeric / nullif(sum(d.expected_children), 0)) AS coverage
                           FROM dti.derived_values d
                           JOIN dti.indicators i ON i.version_id = p.version_id AND i.indicator_code = d.indicator_code
                          WHERE d.unit_code = p.unit_code AND d.year = p.year AND d.stage = p.stage AND d.catalogue_id = p.catalogue_id
                            AND i.pillar_code = p.pillar_code
                            AND d.used = 'derived' AND d.how <> 'count_units' AND d.expected_children IS NOT NULL
                         HAVING count(*) > 0) cov ON true
)
SELECT c.unit_code, c.pillar_code, c.year, c.stage, c.catalogue_id, c.points, c.max_points, c.percent, c.rank,
       p.year AS prev_year, p.catalogue_id AS prev_catalogue_id, p.points AS prev_points, c.points - p.points AS delta_points,
       p.percent AS prev_percent, c.percent - p.percent AS delta_percent, p.rank AS prev_rank, p.rank - c.rank AS delta_rank,
       (p.catalogue_id IS NULL OR p.catalogue_id = c.catalogue_id) AS same_catalogue,
       c.derived, coalesce(p.derived, false) AS prev_derived, c.complete, c.coverage, p.complete AS prev_complete, p.coverage AS prev_coverage,
       u.name AS unit_name, u.level, u.parent_code   -- issue 16: who the row is about, without a join by the reader
  FROM rows c
  LEFT JOIN rows p ON p.unit_code = c.unit_code AND p.year = c.year - 1 AND p.pillar_code IS NOT DISTINCT FROM c.pillar_code
  LEFT JOIN dti.units u ON u.code = c.unit_code;
ALTER VIEW dti.v_year_comparison OWNER TO dti_viewer;
COMMENT ON VIEW dti.v_year_comparison IS 'So sánh qua các năm / each unit''s total (pillar_code NULL) and each pillar, year by year, with the previous year''s points, percent and rank and the change. When the catalogue changed between the years (same_catalogue false) compare percent, which is always comparable; points and pillar codes may mean different things.';
COMMENT ON COLUMN dti.v_year_comparison.unit_code IS 'Mã đơn vị.';
COMMENT ON COLUMN dti.v_year_comparison.pillar_code IS 'Mã chỉ số chính; NULL = the whole index.';
COMMENT ON COLUMN dti.v_year_comparison.year IS 'Năm.';
COMMENT ON COLUMN dti.v_year_comparison.stage IS 'Giai đoạn shown (final when published).';
COMMENT ON COLUMN dti.v_year_comparison.catalogue_id IS 'Bộ chỉ số of this year.';
COMMENT ON COLUMN dti.v_year_comparison.points IS 'Điểm this year, full precision.';
COMMENT ON COLUMN dti.v_year_comparison.max_points IS 'Điểm tối đa this year.';
COMMENT ON COLUMN dti.v_year_comparison.percent IS 'Percent of max this year, unrounded.';
COMMENT ON COLUMN dti.v_year_comparison.rank IS 'Thứ hạng in the peer group this year.';
COMMENT ON COLUMN dti.v_year_comparison.prev_year IS 'The previous year (NULL when the unit has no result for it).';
COMMENT ON COLUMN dti.v_year_comparison.prev_catalogue_id IS 'Bộ chỉ số of the previous year.';
COMMENT ON COLUMN dti.v_year_comparison.prev_points IS 'Điểm of the previous year.';
COMMENT ON COLUMN dti.v_year_comparison.delta_points IS 'points − prev_points (meaningful when same_catalogue).';
COMMENT ON COLUMN dti.v_year_comparison.prev_percent IS 'Percent of the previous year.';
COMMENT ON COLUMN dti.v_year_comparison.delta_percent IS 'percent − prev_percent, in percentage points: comparable across catalogue changes.';
COMMENT ON COLUMN dti.v_year_comparison.prev_rank IS 'Thứ hạng of the previous year.';
COMMENT ON COLUMN dti.v_year_comparison.delta_rank IS 'prev_rank − rank: positive = moved up.';
COMMENT ON COLUMN dti.v_year_comparison.same_catalogue IS 'false when the two years were scored with different catalogues.';
COMMENT ON COLUMN dti.v_year_comparison.derived IS 'true when this year''s value is derived from merged predecessors (not an evaluation).';
COMMENT ON COLUMN dti.v_year_comparison.prev_derived IS 'true when the previous year''s value is derived from merged predecessors.';
COMMENT ON COLUMN dti.v_year_comparison.complete IS 'false when this year''s index (or, on a pillar row, the pillar) was computed from incomplete commune data (see v_unit_index.coverage); NULL when no commune data is involved.';
COMMENT ON COLUMN dti.v_year_comparison.coverage IS 'Share of the expected commune data present this year, 0–1.';
COMMENT ON COLUMN dti.v_year_comparison.prev_complete IS 'complete of the previous year: a partial previous year makes delta_points misleading.';
COMMENT ON COLUMN dti.v_year_comparison.prev_coverage IS 'coverage of the previous year.';
COMMENT ON COLUMN dti.v_year_comparison.unit_name IS 'Tên đơn vị, verbatim.';
COMMENT ON COLUMN dti.v_year_comparison.level IS 'Cấp: province, district, commune or department.';
COMMENT ON COLUMN dti.v_year_comparison.parent_code IS 'Mã đơn vị cấp trên (the district of a commune, the province of a district).';
