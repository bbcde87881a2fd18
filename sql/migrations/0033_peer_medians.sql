-- 0033 what a district login may learn about its peer group (issue 18 point 3): the median percent of the index and
-- of each pillar, for the portal's pillar chart "against the peer group's median".
--
-- A district login reads only its own district (row-level security), so the medians come from this function, with
-- its owner's rights. The privacy decision (SECURITY.md, "Peer-group medians"):
--   * only medians and the count of ranked units, never a peer's code, name, points or rank;
--   * only for a peer group of at least 5 ranked units (dti.peer_median_min_group()). A median is one unit's percent
--     (or the mean of the two middle ones) and says nothing of who holds it; but with 3 units it is the one other
--     peer that is not first or last, and a district ranked 2nd gets its own percent back while one ranked 1st or
--     3rd learns the runner-up's exact percent. From 5 up the middle value belongs to one of at least 4 other units,
--     as in any published summary of a group. A smaller group gets its count and a NULL median, and the page says
--     why;
--   * only the year, stage and catalogue the caller's own unit was ranked in, for a unit the caller may see
--     (decided by session_user, as row-level security is: SET ROLE cannot widen it); nothing at all otherwise.
CREATE FUNCTION dti.peer_median_min_group() RETURNS integer
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, dti, pg_temp AS $$ SELECT 5 $$;
COMMENT ON FUNCTION dti.peer_median_min_group() IS 'Nhóm tối thiểu / the smallest peer group (ranked units) for which dti.peer_medians gives a median: 5 (SECURITY.md, "Peer-group medians").';
GRANT EXECUTE ON FUNCTION dti.peer_median_min_group() TO dti_etl, dti_analyst, dti_district, dti_viewer;

CREATE FUNCTION dti.peer_medians(p_unit text, p_year integer, p_stage dti.stage, p_catalogue text)
RETURNS TABLE (pillar_code text, peers integer, median_percent numeric)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, dti, pg_temp AS $$
    WITH me AS (   -- the caller's own ranked unit, or no row
        SELECT i.peer_group
          FROM dti.unit_index i
         WHERE i.unit_code = p_unit AND i.year = p_year AND i.stage = p_stage AND i.catalogue_id = p_catalogue
           AND i.rank IS NOT NULL AND NOT i.derived
           AND ((SELECT dti.restricted_district(session_user)) IS NULL
                OR p_unit IN (SELECT v.code FROM dti.visible_unit_codes(session_user) v))
    ), members AS (
        SELECT NULL::text AS pillar_code, x.percent
          FROM dti.unit_index x JOIN me ON x.peer_group = me.peer_group
         WHERE x.year = p_year AND x.stage = p_stage AND x.catalogue_id = p_catalogue AND x.rank IS NOT NULL AND NOT x.derived
           AND x.percent IS NOT NULL
        UNION ALL
        SELECT s.pillar_code, s.percent
          FROM dti.pillar_scores s JOIN me ON s.peer_group = me.peer_group
         WHERE s.year = p_year AND s.stage = p_stage AND s.catalogue_id = p_catalogue AND s.rank IS NOT NULL AND s.percent IS NOT NULL
    ), ordered AS (
        SELECT m.pillar_code, m.percent,
               row_number() OVER (PARTITION BY m.pillar_code ORDER BY m.percent) AS k,
               count(*) OVER (PARTITION BY m.pillar_code) AS n
          FROM members m
    )
    -- the middle value, or the mean of the two middle values (exact numeric)
    SELECT o.pillar_code, max(o.n)::integer AS peers,
           CASE WHEN max(o.n) >= dti.peer_median_min_group()
                THEN avg(o.percent) FILTER (WHERE o.k IN ((o.n + 1) / 2, (o.n + 2) / 2)) END AS median_percent
      FROM ordered o
     GROUP BY o.pillar_code
$$;
COMMENT ON FUNCTION dti.peer_medians(text, integer, dti.stage, text) IS
    'Trung vị nhóm so sánh / the median percent of the index (pillar_code NULL) and of each pillar in the peer group of a unit the caller may see, for the year, stage and catalogue it was ranked in, with the number of ranked units (peers); median_percent NULL for a group smaller than dti.peer_median_min_group(). No peer is named. No row for a unit the caller may not see.';
REVOKE EXECUTE ON FUNCTION dti.peer_medians(text, integer, dti.stage, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION dti.peer_medians(text, integer, dti.stage, text) TO dti_etl, dti_analyst, dti_district, dti_viewer;
