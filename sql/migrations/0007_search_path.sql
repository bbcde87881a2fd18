-- Analysts type `select * from v_unit_index`, not `dti.v_unit_index`: every new session of this database and of the
-- dti roles finds the warehouse's views and tables first.
DO $$
BEGIN
  EXECUTE format('ALTER DATABASE %I SET search_path = dti, public', current_database());
END $$;
ALTER ROLE dti_etl SET search_path = dti, public;
ALTER ROLE dti_analyst SET search_path = dti, public;
ALTER ROLE dti_district SET search_path = dti, public;
