-- Analysts read every view and nothing else; district staff read the views too (row-level security limits
-- them to their district). dti_etl reads them as well. dti.submission_values is the storage read one row per value
-- (migration 0012), not a view for analysts: they read the same values through v_submitted_values, as before.
DO $$
DECLARE v record;
BEGIN
    FOR v IN SELECT viewname FROM pg_views WHERE schemaname = 'dti' LOOP
        EXECUTE format('ALTER VIEW dti.%I OWNER TO dti_viewer', v.viewname);
        IF v.viewname = 'submission_values' THEN
            EXECUTE format('GRANT SELECT ON dti.%I TO dti_district, dti_etl', v.viewname);
        ELSE
            EXECUTE format('GRANT SELECT ON dti.%I TO dti_analyst, dti_district, dti_etl', v.viewname);
        END IF;
    END LOOP;
END
$$;
