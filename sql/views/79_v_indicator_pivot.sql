-- Shapes for Excel and BI tools (issue 16 point 3). Indicators differ per catalogue and year, so no view can have one
-- fixed column per indicator for every catalogue. Three shapes instead:
-- 1. v_indicator_pivot: long and pivot-ready, one row per unit, year and indicator with every dimension a PivotTable
--    (or Power BI, or psql's \crosstabview) needs as a column: unit, district, province, peer group, pillar, indicator,
--    points, max, percent, and the unit's index and rank. Excel: Data → Get Data → PostgreSQL, then a PivotTable with
--    the unit in Rows, indicator_label in Columns and points in Values.
-- 2. dti.indicator_table(year, catalogue [, stage]): the wide table as one row per unit, the indicators in catalogue order
--    as aligned arrays (indicator_codes[k] is the code of points[k], the same list on every row) and as a JSON object
--    (Power Query: Parse JSON, Expand to columns).
-- 3. dti.indicator_table_sql(year, catalogue [, stage]): the text of a SELECT over (2) with one named column per
--    indicator ("1.1", "1.2" …): psql runs it with \gexec, Excel's "SQL statement" box takes it as it is.
-- All three run as the login that reads them (SECURITY INVOKER over the views): a district login gets its own units.
DROP VIEW IF EXISTS dti.v_indicator_pivot CASCADE;
CREATE VIEW dti.v_indicator_pivot AS
SELECT s.unit_code, s.unit_name, s.level, u.parent_code, p.name AS parent_name,
       CASE WHEN u.level = 'province' THEN u.code
            WHEN u.level IN ('district', 'department') OR p.level = 'province' THEN u.parent_code
            ELSE p.parent_code END AS province_code,
       x.peer_group, x.peer_group_name, s.year, s.stage, s.catalogue_id,
       s.pillar_code, coalesce(pl.display_name, pl.name) AS pillar_display_name, pl.ordinal AS pillar_ordinal,
       s.indicator_code, s.indicator_display_name, s.indicator_ordinal,
       lpad(s.indicator_ordinal::text, 3, '0') || ' ' || s.indicator_code AS indicator_label,
       s.is_leaf, s.status, s.points, s.max_points, s.points / nullif(s.max_points, 0) * 100 AS percent_of_max,
       s.max_points - s.points AS points_lost,
       x.points AS index_points, x.max_points AS index_max_points, x.percent AS index_percent, x.rank AS index_rank
  FROM dti.v_indicator_scores s
  JOIN dti.units u ON u.code = s.unit_code
  LEFT JOIN dti.units p ON p.code = u.parent_code
  LEFT JOIN dti.v_unit_index x ON x.unit_code = s.unit_code AND x.year = s.year AND x.stage = s.stage AND x.catalogue_id = s.catalogue_id
  LEFT JOIN dti.pillars pl ON pl.version_id = s.version_id AND pl.pillar_code = s.pillar_code;
ALTER VIEW dti.v_indicator_pivot OWNER TO dti_viewer;
COMMENT ON VIEW dti.v_indicator_pivot IS 'Bảng xoay / pivot-ready points: one row per unit, year and indicator at the shown stage, with every dimension as a column (unit, district, province, peer group, pillar, indicator) for an Excel PivotTable, Power BI or psql \crosstabview. The wide table per unit: dti.indicator_table(year, catalogue) and dti.indicator_table_sql(year, catalogue).';
COMMENT ON COLUMN dti.v_indicator_pivot.unit_code IS 'Mã đơn vị.';
COMMENT ON COLUMN dti.v_indicator_pivot.unit_name IS 'Tên đơn vị, verbatim.';
COMMENT ON COLUMN dti.v_indicator_pivot.level IS 'Cấp: province, district, commune, department.';
COMMENT ON COLUMN dti.v_indicator_pivot.parent_code IS 'Mã đơn vị cấp trên (the district of a commune, the province of a district).';
COMMENT ON COLUMN dti.v_indicator_pivot.parent_name IS 'Tên đơn vị cấp trên (NULL where the login may not read it: a district login does not read its province).';
COMMENT ON COLUMN dti.v_indicator_pivot.province_code IS 'Mã tỉnh the unit is in (itself for a province).';
COMMENT ON COLUMN dti.v_indicator_pivot.peer_group IS 'Nhóm so sánh the unit is ranked in.';
COMMENT ON COLUMN dti.v_indicator_pivot.peer_group_name IS 'Tên nhóm so sánh.';
COMMENT ON COLUMN dti.v_indicator_pivot.year IS 'Năm đánh giá.';
COMMENT ON COLUMN dti.v_indicator_pivot.stage IS 'Giai đoạn shown (final when published).';
COMMENT ON COLUMN dti.v_indicator_pivot.catalogue_id IS 'Bộ chỉ số.';
COMMENT ON COLUMN dti.v_indicator_pivot.pillar_code IS 'Mã chỉ số chính (trụ cột).';
COMMENT ON COLUMN dti.v_indicator_pivot.pillar_display_name IS 'Tên chỉ số chính as reports print it.';
COMMENT ON COLUMN dti.v_indicator_pivot.pillar_ordinal IS 'Position of the pillar in its catalogue (sort key).';
COMMENT ON COLUMN dti.v_indicator_pivot.indicator_code IS 'Mã chỉ số (1.4, 5.8.1).';
COMMENT ON COLUMN dti.v_indicator_pivot.indicator_display_name IS 'Tên chỉ số as reports print it.';
COMMENT ON COLUMN dti.v_indicator_pivot.indicator_ordinal IS 'Position of the indicator in its catalogue (sort key).';
COMMENT ON COLUMN dti.v_indicator_pivot.indicator_label IS 'Column header for a pivot that sorts as the catalogue does: the ordinal on three digits and the code (''004 1.2.1''), since a pivot sorts text and 10.1 would come before 2.1.';
COMMENT ON COLUMN dti.v_indicator_pivot.is_leaf IS 'true for an indicator scored itself; false for one whose points are the sum of its sub-indicators (leave those out of a sum to avoid counting twice).';
COMMENT ON COLUMN dti.v_indicator_pivot.status IS 'scored, not_scored, not_applicable, no_points (v_indicator_scores.status).';
COMMENT ON COLUMN dti.v_indicator_pivot.points IS 'Điểm, full precision (exact numeric).';
COMMENT ON COLUMN dti.v_indicator_pivot.max_points IS 'Điểm tối đa.';
COMMENT ON COLUMN dti.v_indicator_pivot.percent_of_max IS 'points ÷ max_points × 100, unrounded; NULL without a maximum.';
COMMENT ON COLUMN dti.v_indicator_pivot.points_lost IS 'Điểm bị mất: max_points − points.';
COMMENT ON COLUMN dti.v_indicator_pivot.index_points IS 'The unit''s index (v_unit_index.points) in the year, on every row of the unit.';
COMMENT ON COLUMN dti.v_indicator_pivot.index_max_points IS 'The index''s maximum.';
COMMENT ON COLUMN dti.v_indicator_pivot.index_percent IS 'The index as a percent of its maximum, unrounded.';
COMMENT ON COLUMN dti.v_indicator_pivot.index_rank IS 'The unit''s rank in its peer group (1 = best).';

DROP FUNCTION IF EXISTS dti.indicator_table(integer, text, dti.stage);
CREATE FUNCTION dti.indicator_table(p_year integer, p_catalogue text, p_stage dti.stage DEFAULT NULL)
RETURNS TABLE (unit_code text, unit_name text, level text, parent_code text, province_code text, peer_group text, year integer,
               stage dti.stage, catalogue_id text, index_points numeric, index_max_points numeric, index_percent numeric,
               index_rank integer, indicator_codes text[], points numeric[], by_indicator jsonb)
LANGUAGE sql STABLE SECURITY INVOKER
SET search_path = pg_catalog, dti, pg_temp
AS $$
    WITH rows AS (
        SELECT s.unit_code, s.unit_name, s.level::text AS level, u.parent_code,
               CASE WHEN u.level = 'province' THEN u.code
                    WHEN u.level IN ('district', 'department') OR p.level = 'province' THEN u.parent_code
                    ELSE p.parent_code END AS province_code,
               x.peer_group, s.year, s.stage, s.catalogue_id, s.indicator_code, s.indicator_ordinal, s.points,
               x.points AS index_points, x.max_points AS index_max_points, x.percent AS index_percent, x.rank AS index_rank
          FROM dti.v_indicator_scores_all_stages s
          JOIN dti.units u ON u.code = s.unit_code
          LEFT JOIN dti.units p ON p.code = u.parent_code
          LEFT JOIN dti.v_unit_index_all_stages x ON x.unit_code = s.unit_code AND x.year = s.year AND x.stage = s.stage AND x.catalogue_id = s.catalogue_id
         WHERE s.year = p_year AND s.catalogue_id = p_catalogue
           AND s.stage = coalesce(p_stage, (SELECT e.stage FROM dti.v_effective_stage e
                                             WHERE e.unit_code = s.unit_code AND e.year = s.year AND e.catalogue_id = s.catalogue_id))
    ),
    -- the same indicators on every row, in catalogue order: every indicator any unit was scored on
    codes AS (
        SELECT c.indicator_code AS code, row_number() OVER (ORDER BY c.o, c.indicator_code) AS n
          FROM (SELECT r.indicator_code, min(r.indicator_ordinal) AS o FROM rows r GROUP BY r.indicator_code) c
    ),
    units AS (
        SELECT DISTINCT ON (r.unit_code) r.unit_code, r.unit_name, r.level, r.parent_code, r.province_code, r.peer_group, r.year, r.stage,
               r.catalogue_id, r.index_points, r.index_max_points, r.index_percent, r.index_rank
          FROM rows r ORDER BY r.unit_code
    )
    SELECT un.unit_code, un.unit_name, un.level, un.parent_code, un.province_code, un.peer_group, un.year, un.stage, un.catalogue_id,
           un.index_points, un.index_max_points, un.index_percent, un.index_rank,
           array_agg(k.code ORDER BY k.n), array_agg(r.points ORDER BY k.n),
           jsonb_object_agg(k.code, r.points)
      FROM units un
     CROSS JOIN codes k
      LEFT JOIN rows r ON r.unit_code = un.unit_code AND r.indicator_code = k.code
     GROUP BY un.unit_code, un.unit_name, un.level, un.parent_code, un.province_code, un.peer_group, un.year, un.stage, un.catalogue_id,
              un.index_points, un.index_max_points, un.index_percent, un.index_rank
     ORDER BY un.unit_code
$$;
REVOKE ALL ON FUNCTION dti.indicator_table(integer, text, dti.stage) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION dti.indicator_table(integer, text, dti.stage) TO dti_analyst, dti_district, dti_etl, dti_viewer;
COMMENT ON FUNCTION dti.indicator_table(integer, text, dti.stage) IS 'Bảng đơn vị × chỉ số / one row per unit of the year and catalogue (at the shown stage, or at p_stage): its index, rank, and every indicator''s points in catalogue order as an array aligned with indicator_codes (the same list on every row; NULL where the unit has no score) and as a JSON object code → points. Run as the login that calls it: row-level security applies. A table with one column per indicator: dti.indicator_table_sql.';

DROP FUNCTION IF EXISTS dti.indicator_table_sql(integer, text, dti.stage);
CREATE FUNCTION dti.indicator_table_sql(p_year integer, p_catalogue text, p_stage dti.stage DEFAULT NULL)
RETURNS text
LANGUAGE sql STABLE SECURITY INVOKER
SET search_path = pg_catalog, dti, pg_temp
AS $$
    SELECT 'SELECT unit_code, unit_name, level, parent_code, province_code, peer_group, year, stage, index_points, index_percent, index_rank'
           || coalesce(string_agg(format(', points[%s] AS %I', k.n, k.code), '' ORDER BY k.n), '')
           || format(' FROM dti.indicator_table(%s, %L, %s) ORDER BY unit_code', p_year, p_catalogue,
                     coalesce(quote_literal(p_stage::text) || '::dti.stage', 'NULL'))
      FROM (SELECT t.indicator_codes FROM dti.indicator_table(p_year, p_catalogue, p_stage) t LIMIT 1) t
      LEFT JOIN LATERAL unnest(t.indicator_codes) WITH ORDINALITY AS k (code, n) ON true
    HAVING count(k.code) > 0
$$;
REVOKE ALL ON FUNCTION dti.indicator_table_sql(integer, text, dti.stage) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION dti.indicator_table_sql(integer, text, dti.stage) TO dti_analyst, dti_district, dti_etl, dti_viewer;
COMMENT ON FUNCTION dti.indicator_table_sql(integer, text, dti.stage) IS 'The SELECT, as text, of a wide table with one named column per indicator ("1.1", "1.2" … in catalogue order) over dti.indicator_table: in psql SELECT dti.indicator_table_sql(2024, ''bac-giang-district-2022'') \gexec; in Excel or a BI tool paste its text as the SQL statement. NULL when nothing is scored for the year and catalogue.';
