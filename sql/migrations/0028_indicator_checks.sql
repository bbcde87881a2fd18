-- 0028 declared checks as data (issue 16 point 3): the catalogues' `checks:` per indicator (DTICore.Check, parsed by
-- CatalogueParser) were read back from each version's YAML by the loader and stored nowhere an analyst could query.
-- `dti catalogue load` now writes them here, one row per check of an indicator of a version, and v_catalogue_indicators
-- lists them. Versions loaded before this migration get theirs the next time `dti catalogue load` runs (even with
-- every file unchanged): it parses the stored YAML (catalogue_versions.source_text) of every version whose
-- checks_stored is false. The SQL of a migration cannot parse YAML, so the flag says what has been filled.
CREATE TABLE dti.indicator_checks (
    version_id     integer NOT NULL REFERENCES dti.catalogue_versions ON DELETE CASCADE,
    indicator_code text COLLATE "C" NOT NULL,
    ordinal        integer NOT NULL CHECK (ordinal >= 1),
    expression     text NOT NULL,
    severity       text NOT NULL CHECK (severity IN ('error', 'warning')),
    note           text,
    source_line    integer,
    PRIMARY KEY (version_id, indicator_code, ordinal),
    FOREIGN KEY (version_id, indicator_code) REFERENCES dti.indicators (version_id, indicator_code) ON DELETE CASCADE
);
COMMENT ON TABLE dti.indicator_checks IS 'Phép kiểm tra / the declared consistency checks of every indicator of every catalogue version (checks: in the YAML): an error refuses the record at load, a warning loads it and is listed in v_check_warnings.';
COMMENT ON COLUMN dti.indicator_checks.ordinal IS 'Its place among the indicator''s checks, as the catalogue lists them (1 = first).';
COMMENT ON COLUMN dti.indicator_checks.expression IS 'The check as the catalogue writes it (a <= b, b + c <= a, a <= profile.households).';
COMMENT ON COLUMN dti.indicator_checks.severity IS 'error (the record is refused) or warning (it loads and is listed).';
COMMENT ON COLUMN dti.indicator_checks.note IS 'Why the check holds, in the catalogue''s words (NULL when it gives none).';
COMMENT ON COLUMN dti.indicator_checks.source_line IS 'Line of the check in the catalogue''s YAML (catalogue_versions.source_text).';

ALTER TABLE dti.catalogue_versions ADD COLUMN checks_stored boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN dti.catalogue_versions.checks_stored IS 'true once the version''s checks are in dti.indicator_checks (every version dti catalogue load has seen since migration 0028); false: not yet known, run dti catalogue load.';
-- A version whose YAML never mentions checks has none: nothing to fill.
UPDATE dti.catalogue_versions SET checks_stored = true WHERE source_text NOT LIKE '%checks:%';

-- Public reference data like the other catalogue tables (0006, 0022): readable by every kind of login, no row-level
-- security (a catalogue is an official document, not a unit's data). Only the ETL kind (dti catalogue load) writes.
GRANT SELECT ON dti.indicator_checks TO dti_viewer, dti_analyst, dti_district, dti_etl;
GRANT INSERT ON dti.indicator_checks TO dti_etl;
