-- 0019 the ancestry of every unit in one pass, for views that place many units under their province at once.
--
-- Why: v_submission_status called dti.unit_ancestry(code) once per unit and once per (unit, year, catalogue) with
-- sheets: a recursive query per call, about 25,000 calls at bench scale 0.4, most of its 3 s. dti.unit_chains()
-- returns the same chains for every unit with one recursive walk down from the provinces (a few ms for 4,600 units).
--
-- The same rule as unit_ancestry (0013): a chain for the units the session may see, decided by session_user; the
-- units a district login may not see have no row. SECURITY DEFINER so that a district login's chain still reaches
-- its province (the province row itself is hidden from it by row-level security on dti.units).

CREATE FUNCTION dti.unit_chains() RETURNS TABLE (unit_id integer, code text, chain text[])
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, dti, pg_temp AS $$
    WITH RECURSIVE down(unit_id, code, chain) AS (
        SELECT u.unit_id, u.code, ARRAY[u.code::text] FROM dti.units u WHERE u.parent_code IS NULL
        UNION ALL
        SELECT u.unit_id, u.code, pg_catalog.array_prepend(u.code::text, d.chain) FROM dti.units u JOIN down d ON u.parent_code = d.code
    ), restriction AS (
        SELECT dti.restricted_district(session_user) AS district
    )
    SELECT d.unit_id, d.code, d.chain FROM down d
     WHERE (SELECT r.district FROM restriction r) IS NULL
        OR d.code IN (SELECT s.code FROM dti.unit_subtree((SELECT r.district FROM restriction r)) s)
$$;
REVOKE EXECUTE ON FUNCTION dti.unit_chains() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION dti.unit_chains() TO dti_viewer, dti_analyst, dti_district, dti_etl;
COMMENT ON FUNCTION dti.unit_chains() IS
    'Every unit the session may see with its chain: its code, its parent''s … up to the province (the chain dti.unit_ancestry gives one unit), computed in one pass.';
