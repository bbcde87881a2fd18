-- 0013 Definer functions that a login's own objects cannot steer, and bindings read from session_user.
-- Found (issue 19): the SECURITY DEFINER functions of 0006/0008/0010 set search_path = pg_catalog, dti without
-- pg_temp, so pg_temp was searched FIRST; a district login that created `CREATE TEMP VIEW pg_roles AS SELECT rolname,
-- true AS rolsuper …` made restricted_district see itself as a superuser (unrestricted) and read every district.
-- Now every definer function sets search_path = pg_catalog, dti, pg_temp (pg_temp last), names catalog relations
-- with their schema, and EXECUTE is revoked from PUBLIC.
-- Bindings: the policies pass current_user, which SET ROLE changes. restricted_district now decides by session_user
-- (which SET ROLE cannot change) for every session but a superuser's; a superuser (the cluster owner, tests that
-- `SET ROLE` to a login) keeps the old meaning, the argument. A login asking about another login gets its own
-- binding back, so nothing about other logins leaks.

CREATE OR REPLACE FUNCTION dti.restricted_district(login name) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, dti, pg_temp AS $$
    WITH who AS (
        SELECT CASE WHEN coalesce((SELECT r.rolsuper FROM pg_catalog.pg_roles r WHERE r.rolname = session_user), false)
                    THEN login ELSE session_user END AS name
    )
    SELECT coalesce((SELECT d.district_code FROM dti.district_logins d, who WHERE d.role_name = who.name),
                    (SELECT CASE WHEN EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.rolname = who.name AND NOT r.rolsuper)
                                      AND pg_catalog.pg_has_role(who.name, 'dti_district', 'MEMBER') THEN '' END
                       FROM who))
$$;
COMMENT ON FUNCTION dti.restricted_district(name) IS
    'Row-level security: the district the session''s login is bound to ('''' — nothing visible — for a dti_district member without a binding, NULL for unrestricted roles). Decided by session_user, so SET ROLE cannot widen it; only a superuser session may ask about another login.';

CREATE OR REPLACE FUNCTION dti.visible_unit_codes(login name) RETURNS TABLE (code text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, dti, pg_temp AS $$
    SELECT s.code FROM dti.unit_subtree(dti.restricted_district(login)) s
$$;

CREATE OR REPLACE FUNCTION dti.visible_unit_ids(login name) RETURNS TABLE (unit_id integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, dti, pg_temp AS $$
    SELECT u.unit_id FROM dti.units u JOIN dti.unit_subtree(dti.restricted_district(login)) s ON s.code = u.code
$$;

-- The ancestry of a unit the session may see; an empty chain for any other unit (a district login learns nothing
-- about units outside its district by asking).
CREATE OR REPLACE FUNCTION dti.unit_ancestry(start text) RETURNS text[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, dti, pg_temp AS $$
    WITH RECURSIVE up(code, parent, depth) AS (
        SELECT u.code, u.parent_code, 0 FROM dti.units u WHERE u.code = start
        UNION ALL
        SELECT u.code, u.parent_code, up.depth + 1 FROM dti.units u JOIN up ON u.code = up.parent
    ), restriction AS (
        SELECT dti.restricted_district(session_user) AS district
    )
    SELECT CASE WHEN (SELECT district FROM restriction) IS NULL
                  OR start IN (SELECT s.code FROM dti.unit_subtree((SELECT district FROM restriction)) s)
                THEN (SELECT coalesce(array_agg(code ORDER BY depth), '{}') FROM up)
                ELSE '{}'::text[] END
$$;
COMMENT ON FUNCTION dti.unit_ancestry(text) IS
    'The unit''s code followed by its parent''s, grandparent''s … up to the province; empty for a unit the session may not see.';

DO $$
DECLARE f regprocedure;
BEGIN
    FOR f IN SELECT p.oid::regprocedure FROM pg_catalog.pg_proc p
              WHERE p.pronamespace = 'dti'::regnamespace AND p.prosecdef LOOP
        EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
        EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO dti_etl, dti_analyst, dti_district, dti_viewer', f);
    END LOOP;
END
$$;

-- Append-only where the writer never needs more than INSERT: the rejects, the sheets, the warnings of a load and
-- the bindings of logins (written by the owner's `dti db create-login` only). load_batches and rollup_runs are still
-- updated by the loader and the roll-up inside their own transaction (left for a later migration).
REVOKE UPDATE, DELETE, TRUNCATE ON dti.load_rejects, dti.submission_sheets FROM dti_etl, PUBLIC;
-- (dti.check_warnings, created by 0014, is granted SELECT and INSERT only.)
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON dti.district_logins FROM dti_etl, PUBLIC;
