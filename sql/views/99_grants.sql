-- Analysts read every view and nothing else; district staff read the views too (row-level security limits
-- them to their district). dti_etl reads them as well.
DO $$
DECLARE v record;
BEGIN
    FOR v IN SELECT viewname FROM pg_views WHERE schemaname = 'dti' LOOP
        EXECUTE format('ALTER VIEW dti.%I OWNER TO dti_viewer', v.viewname);
        EXECUTE format('GRANT SELECT ON dti.%I TO dti_analyst, dti_district, dti_etl', v.viewname);
    END LOOP;
END
$$;
