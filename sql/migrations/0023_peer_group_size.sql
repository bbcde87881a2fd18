-- 0023 the "N" of a rank "x/N": how many units were ranked in a peer group for a year, stage and catalogue (and
-- pillar). A district login sees only its own district, so counting the rows it can see would print "1/1"; the
-- count of a peer group is published with every ranking and reveals no unit's data, so the function counts with
-- its owner's rights.
CREATE FUNCTION dti.peer_group_size(p_peer_group text, p_year integer, p_stage dti.stage, p_catalogue text, p_pillar text DEFAULT NULL)
RETURNS integer
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, dti, pg_temp
AS $$
    SELECT CASE WHEN p_pillar IS NULL THEN
               (SELECT count(*)::integer FROM dti.unit_index x
                 WHERE x.peer_group = p_peer_group AND x.year = p_year AND x.stage = p_stage AND x.catalogue_id = p_catalogue
                   AND x.rank IS NOT NULL)
           ELSE
               (SELECT count(*)::integer FROM dti.pillar_scores s
                 WHERE s.peer_group = p_peer_group AND s.year = p_year AND s.stage = p_stage AND s.catalogue_id = p_catalogue
                   AND s.pillar_code = p_pillar AND s.rank IS NOT NULL)
           END
$$;
COMMENT ON FUNCTION dti.peer_group_size(text, integer, dti.stage, text, text) IS 'Số đơn vị được xếp hạng / units ranked in a peer group for a year, stage and catalogue (and pillar, when given): the N of a rank x/N. Counts every unit whatever the caller may see.';
REVOKE EXECUTE ON FUNCTION dti.peer_group_size(text, integer, dti.stage, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION dti.peer_group_size(text, integer, dti.stage, text, text) TO dti_etl, dti_analyst, dti_district, dti_viewer;
