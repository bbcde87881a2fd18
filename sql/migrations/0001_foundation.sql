-- 0001_foundation: the schema every warehouse object lives in.
--
-- Migrations are numbered (NNNN_name.sql), applied in order, each in its own transaction, and recorded with the
-- SHA-256 of their bytes in dti.schema_migrations (which `dti db migrate` creates). They are forward-only: never
-- edit an applied file; write the next number instead. Views live in sql/views/ and are recreated on every migrate.
CREATE SCHEMA IF NOT EXISTS dti;
