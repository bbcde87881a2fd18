-- 0034 the withdrawn items that have no current value, for v_submission_status (issue 15 point 5).
--
-- Written into the view, the search for withdrawal sheets (0032) was costed per key of every unit and year, which
-- pushed the whole view past jit_above_cost: PostgreSQL then spent 2.3 s compiling it (make bench at scale 0.4:
-- v_submission_status 2.7 s instead of 0.29 s). Here it is one query of its own, through a partial index that holds
-- only the withdrawal sheets (empty where nobody has withdrawn anything), planned and run apart from the view.
CREATE INDEX submission_sheets_withdrawals ON dti.submission_sheets (unit_id, year)
    WHERE value_texts IS NULL AND "values"[1] IS NULL;

-- SECURITY DEFINER, as the view's other readers of the sheets (dti.unit_chains): an analyst reads v_submission_status
-- but not dti.submission_sheets. It answers only for the units the session's login may see (session_user, as
-- row-level security decides), and gives item numbers only, never a value.
CREATE FUNCTION dti.withdrawn_items() RETURNS TABLE (unit_id integer, year integer, catalogue_id text, items integer[])
LANGUAGE plpgsql STABLE SECURITY DEFINER ROWS 1 SET jit = off SET search_path = pg_catalog, dti, pg_temp AS $$
DECLARE restricted text := dti.restricted_district(session_user);
BEGIN
    RETURN QUERY
    SELECT s.unit_id, s.year::integer, i.catalogue_id::text, array_agg(DISTINCT w.item_id ORDER BY w.item_id)
      FROM dti.submission_sheets s
      JOIN dti.catalogue_items i ON i.item_id = s.item_ids[1]
     CROSS JOIN LATERAL unnest(s.item_ids) AS w (item_id)
     WHERE s.value_texts IS NULL AND s."values"[1] IS NULL
       AND (restricted IS NULL OR s.unit_id IN (SELECT v.unit_id FROM dti.visible_unit_ids(session_user) v))
       AND NOT EXISTS (SELECT 1 FROM dti.current_values cv WHERE cv.unit_id = s.unit_id AND cv.year = s.year AND cv.item_id = w.item_id)
     GROUP BY s.unit_id, s.year, i.catalogue_id;
END
$$;
COMMENT ON FUNCTION dti.withdrawn_items() IS 'Rút lại / per unit, year and catalogue: the items withdrawn with "#rút" that have no current value at any stage (v_submission_status counts them as missing). Only for the units the session''s login may see; item numbers only.';
REVOKE EXECUTE ON FUNCTION dti.withdrawn_items() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION dti.withdrawn_items() TO dti_viewer, dti_analyst, dti_district, dti_etl;
