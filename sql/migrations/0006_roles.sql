-- 0006 roles and row-level security.
--   dti_etl      loads and rolls up (reads and writes the base tables)
--   dti_analyst  reads every view (sql/views) and nothing else
--   dti_district reads only its own district and communes, in the views and the base tables alike:
--                row-level security on the base tables, keyed by the district code bound to the login
--                (dti.district_logins). The views run as dti_viewer, which is subject to those policies,
--                and the policies look at current_user, the person logged in.

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'dti_etl') THEN CREATE ROLE dti_etl NOLOGIN; END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'dti_analyst') THEN CREATE ROLE dti_analyst NOLOGIN; END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'dti_district') THEN CREATE ROLE dti_district NOLOGIN; END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'dti_viewer') THEN CREATE ROLE dti_viewer NOLOGIN; END IF;
END
$$;
COMMENT ON ROLE dti_etl IS 'dti: loads and roll-ups';
COMMENT ON ROLE dti_analyst IS 'dti: reads every view';
COMMENT ON ROLE dti_district IS 'dti: reads its own district and communes (row-level security)';
COMMENT ON ROLE dti_viewer IS 'dti: owner of the views; subject to row-level security';

CREATE TABLE dti.district_logins (
    role_name     name PRIMARY KEY,
    district_code text COLLATE "C" NOT NULL REFERENCES dti.units (code),
    created_at    timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE dti.district_logins IS 'Login roles of district staff and the district each may see (created by `dti db create-login`).';

-- The district a login is restricted to, or NULL for an unrestricted role. SECURITY DEFINER so that every role
-- can consult the mapping; the caller passes current_user (inside a definer function current_user would be
-- the owner), and current_user is not changed by views, so a district login reading a view is still itself.
CREATE FUNCTION dti.restricted_district(login name) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, dti AS $$
    SELECT district_code FROM dti.district_logins WHERE role_name = login
$$;

-- Codes a login may see: every unit for an unrestricted role (NULL: no filter); for a district login its
-- district and every unit below it.
CREATE FUNCTION dti.visible_unit_codes(login name) RETURNS TABLE (code text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, dti AS $$
    SELECT s.code FROM dti.unit_subtree(dti.restricted_district(login)) s
$$;

CREATE FUNCTION dti.visible_unit_ids(login name) RETURNS TABLE (unit_id integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, dti AS $$
    SELECT u.unit_id FROM dti.units u JOIN dti.unit_subtree(dti.restricted_district(login)) s ON s.code = u.code
$$;
COMMENT ON FUNCTION dti.visible_unit_codes(name) IS 'Row-level security: the units a district login may see (its district and everything below it).';

ALTER TABLE dti.units ENABLE ROW LEVEL SECURITY;
ALTER TABLE dti.unit_lineage ENABLE ROW LEVEL SECURITY;
ALTER TABLE dti.submission_values ENABLE ROW LEVEL SECURITY;
ALTER TABLE dti.derived_values ENABLE ROW LEVEL SECURITY;
ALTER TABLE dti.indicator_scores ENABLE ROW LEVEL SECURITY;
ALTER TABLE dti.pillar_scores ENABLE ROW LEVEL SECURITY;
ALTER TABLE dti.unit_index ENABLE ROW LEVEL SECURITY;

CREATE POLICY visible ON dti.units USING ((SELECT dti.restricted_district(current_user)) IS NULL
    OR code IN (SELECT v.code FROM dti.visible_unit_codes(current_user) v));
CREATE POLICY visible ON dti.unit_lineage USING ((SELECT dti.restricted_district(current_user)) IS NULL
    OR unit_code IN (SELECT v.code FROM dti.visible_unit_codes(current_user) v));
CREATE POLICY visible ON dti.submission_values USING ((SELECT dti.restricted_district(current_user)) IS NULL
    OR unit_id IN (SELECT v.unit_id FROM dti.visible_unit_ids(current_user) v));
CREATE POLICY visible ON dti.derived_values USING ((SELECT dti.restricted_district(current_user)) IS NULL
    OR unit_code IN (SELECT v.code FROM dti.visible_unit_codes(current_user) v));
CREATE POLICY visible ON dti.indicator_scores USING ((SELECT dti.restricted_district(current_user)) IS NULL
    OR unit_code IN (SELECT v.code FROM dti.visible_unit_codes(current_user) v));
CREATE POLICY visible ON dti.pillar_scores USING ((SELECT dti.restricted_district(current_user)) IS NULL
    OR unit_code IN (SELECT v.code FROM dti.visible_unit_codes(current_user) v));
CREATE POLICY visible ON dti.unit_index USING ((SELECT dti.restricted_district(current_user)) IS NULL
    OR unit_code IN (SELECT v.code FROM dti.visible_unit_codes(current_user) v));

GRANT USAGE ON SCHEMA dti TO dti_etl, dti_analyst, dti_district, dti_viewer;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA dti TO dti_etl;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA dti TO dti_etl;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA dti TO dti_etl, dti_analyst, dti_district, dti_viewer;
-- The view owner reads the base tables (under row-level security); districts read the unit-keyed base tables
-- directly too, and see only their rows.
GRANT SELECT ON ALL TABLES IN SCHEMA dti TO dti_viewer;
GRANT SELECT ON dti.units, dti.unit_lineage, dti.submission_values, dti.derived_values, dti.indicator_scores,
                dti.pillar_scores, dti.unit_index, dti.catalogues, dti.catalogue_versions, dti.pillars,
                dti.indicators, dti.catalogue_items, dti.indicator_variables, dti.peer_groups TO dti_district;
