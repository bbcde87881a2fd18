-- 0014 warnings of declared checks (catalogue `checks:` of severity warning, DTICore.Check): the values loaded, and
-- the failed check is kept here, one row per check, unit, year and stage of a batch, so that nothing that fails a
-- check reaches a published index unnoticed. v_check_warnings (sql/views) shows the ones whose values are still
-- current, with the roll-up's mismatches between a district's own value and the sum of its communes.
-- Checks of severity error never get here: the load refuses the record.

CREATE TABLE dti.check_warnings (
    warning_id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    batch_id       bigint NOT NULL REFERENCES dti.load_batches,
    unit_id        integer NOT NULL REFERENCES dti.units (unit_id),
    year           smallint NOT NULL,
    stage          dti.stage NOT NULL,
    catalogue_id   text COLLATE "C" NOT NULL,
    indicator_code text COLLATE "C" NOT NULL,
    expression     text NOT NULL,
    left_side      text NOT NULL,
    right_side     text NOT NULL,
    item_ids       integer[],
    item_values    numeric[],
    source_ref     text,
    message_vi     text NOT NULL,
    message_en     text NOT NULL,
    CHECK (cardinality(item_ids) IS NOT DISTINCT FROM cardinality(item_values))
);
CREATE INDEX check_warnings_key ON dti.check_warnings (unit_id, year, stage, catalogue_id, indicator_code);
COMMENT ON TABLE dti.check_warnings IS 'Cảnh báo kiểm tra / a declared check of severity warning that a load''s values failed (they loaded): append-only; v_check_warnings shows the ones whose values are still current.';
COMMENT ON COLUMN dti.check_warnings.expression IS 'The check as the catalogue writes it (a <= b, a + b <= c, a <= profile.communes).';
COMMENT ON COLUMN dti.check_warnings.left_side IS 'The left side with its value, e.g. "a = 9".';
COMMENT ON COLUMN dti.check_warnings.right_side IS 'The right side with its value, e.g. "b = 4".';
COMMENT ON COLUMN dti.check_warnings.item_ids IS 'The catalogue items whose values the check read (constants and profile fields are not items).';
COMMENT ON COLUMN dti.check_warnings.item_values IS 'Their values when the check failed: the warning is current while every one of them is.';

-- Append-only like the other audit tables; a district login sees its district and the units below it.
ALTER TABLE dti.check_warnings ENABLE ROW LEVEL SECURITY;
CREATE POLICY visible ON dti.check_warnings USING ((SELECT dti.restricted_district(current_user)) IS NULL
    OR unit_id IN (SELECT v.unit_id FROM dti.visible_unit_ids(current_user) v));
GRANT SELECT, INSERT ON dti.check_warnings TO dti_etl;
GRANT SELECT ON dti.check_warnings TO dti_viewer, dti_district;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA dti TO dti_etl;
