-- Analysts read every view and nothing else; district staff read the views too (row-level security limits
-- them to their district). dti_etl reads them as well. Every view `\dv dti.*` lists is readable by an analyst
-- (issue 16, AccessTests.analystReadsEveryView): dti.submission_values too, the history read one row per value
-- (migration 0012). It shows nothing an analyst could not read already: v_value_history is the same rows with their
-- loads, and row-level security of the sheets still limits a district login to its own units.
DO $$
DECLARE v record;
BEGIN
    FOR v IN SELECT viewname FROM pg_views WHERE schemaname = 'dti' LOOP
        EXECUTE format('ALTER VIEW dti.%I OWNER TO dti_viewer', v.viewname);
        EXECUTE format('GRANT SELECT ON dti.%I TO dti_analyst, dti_district, dti_etl', v.viewname);
    END LOOP;
END
$$;
