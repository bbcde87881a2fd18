-- A member of dti_district with no row in dti.district_logins was treated as unrestricted (NULL: no filter):
-- it must see nothing instead. restricted_district now returns '' for such a login; no unit has code ''.
-- Superusers count as members of every role in pg_has_role, so they are excluded explicitly.
CREATE OR REPLACE FUNCTION dti.restricted_district(login name) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, dti AS $$
    SELECT coalesce((SELECT district_code FROM dti.district_logins WHERE role_name = login),
                    CASE WHEN EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = login AND NOT r.rolsuper)
                              AND pg_has_role(login, 'dti_district', 'MEMBER') THEN '' END)
$$;
COMMENT ON FUNCTION dti.restricted_district(name) IS
    'Row-level security: the district a login is bound to; '''' (nothing visible) for a dti_district member without a binding; NULL for unrestricted roles.';
