-- Analysts type `select * from v_unit_index`, not `dti.v_unit_index`: every new session of this database finds the
-- warehouse's views and tables first. (A setting on the group roles dti_analyst … would not reach their members'
-- logins, so the database is where it belongs.)
DO $$
BEGIN
  EXECUTE format('ALTER DATABASE %I SET search_path = dti, public', current_database());
END $$;
