-- 0022 What a CLI session needs to know before it runs a command, readable by every kind of login (issue 19, point 4).
-- Found: every non-owner login failed in the CLI before doing anything, with a raw "permission denied for table
-- schema_migrations": the schema-version check read dti.schema_migrations and dti.schema_state, which only the
-- owner may read (and should: they are the audit trail of the schema). These definer functions give out exactly
-- what the check needs and nothing else, and say which kind of login the session is, so a command can refuse a
-- login of the wrong kind with a message naming the kind it needs, before any statement meets a 42501.

CREATE FUNCTION dti.schema_version() RETURNS TABLE (versions integer[], views_sha256 text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, dti, pg_temp AS $$
BEGIN
    versions := (SELECT coalesce(pg_catalog.array_agg(m.version ORDER BY m.version), '{}') FROM dti.schema_migrations m);
    -- dti.schema_state is made by the migrator once it installs the views, after the migrations.
    IF pg_catalog.to_regclass('dti.schema_state') IS NOT NULL THEN
        views_sha256 := (SELECT s.value FROM dti.schema_state s WHERE s.key = 'views_sha256');
    END IF;
    RETURN NEXT;
END
$$;
COMMENT ON FUNCTION dti.schema_version() IS
    'The versions of the applied migrations and the digest of the installed views: what `dti` compares with its own files before running a command, for logins that may not read dti.schema_migrations.';

-- The session's login, by session_user (SET ROLE cannot change it): owner (a superuser or the database's owner),
-- etl, analyst, district (with its district), viewer, or NULL for a role in no dti group.
CREATE FUNCTION dti.session_login() RETURNS TABLE (kind text, district text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, dti, pg_temp AS $$
    SELECT CASE WHEN r.rolsuper OR r.oid = d.datdba THEN 'owner'
                WHEN pg_catalog.pg_has_role(r.oid, 'dti_etl', 'MEMBER') THEN 'etl'
                WHEN pg_catalog.pg_has_role(r.oid, 'dti_analyst', 'MEMBER') THEN 'analyst'
                WHEN pg_catalog.pg_has_role(r.oid, 'dti_district', 'MEMBER') THEN 'district'
                WHEN pg_catalog.pg_has_role(r.oid, 'dti_viewer', 'MEMBER') THEN 'viewer' END,
           (SELECT l.district_code FROM dti.district_logins l WHERE l.role_name = r.rolname)
      FROM pg_catalog.pg_roles r, pg_catalog.pg_database d
     WHERE r.rolname = session_user AND d.datname = pg_catalog.current_database()
$$;
COMMENT ON FUNCTION dti.session_login() IS
    'The kind of the session''s login (owner, etl, analyst, district, viewer; NULL outside the dti groups) and the district a district login is bound to. Decided by session_user; tells nothing about other logins.';

REVOKE EXECUTE ON FUNCTION dti.schema_version(), dti.session_login() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION dti.schema_version(), dti.session_login() TO dti_etl, dti_analyst, dti_district, dti_viewer;

-- Analysts ran no CLI command at all: `dti units list` and `dti catalogue list|show` read the reference tables, which
-- only district logins could read. Units and catalogues are public reference data (official documents and the
-- administrative map), not anybody's submission, so analysts read them like districts do (districts under
-- row-level security, analysts all of it, as in the views). Submitted values, scores, batches and runs stay views
-- only for analysts.
GRANT SELECT ON dti.units, dti.unit_lineage, dti.peer_groups, dti.catalogues, dti.catalogue_versions, dti.pillars,
                dti.indicators, dti.catalogue_items, dti.indicator_variables TO dti_analyst;
