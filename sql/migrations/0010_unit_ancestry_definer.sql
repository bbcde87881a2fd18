-- Views call dti.unit_ancestry to place a unit under its province (scope of a catalogue, the province that uses a
-- catalogue). A function runs with the caller's rights, so an analyst (no SELECT on dti.units) got "permission
-- denied" from v_submission_status, and a district login, which sees no row above its district, got a chain cut
-- at its district. The chain of a unit's ancestors' codes is not confidential: the function now runs with its
-- owner's rights, like dti.restricted_district.
ALTER FUNCTION dti.unit_ancestry(text) SECURITY DEFINER SET search_path = pg_catalog, dti;
