-- 0017 display names: the text reports for people print where a source's verbatim text has a typo ("Thẻ chế số"
-- for Thể chế số, "HỘND" for HĐND), and the decimal places a catalogue's published results carry. The verbatim
-- name and lead stay in their columns; views show both.

ALTER TABLE dti.pillars ADD COLUMN display_name text;
COMMENT ON COLUMN dti.pillars.display_name IS 'Tên hiển thị / the name reports print where the verbatim name has a typo of the source (catalogue display_name); NULL = the verbatim name.';

ALTER TABLE dti.indicators ADD COLUMN display_name text, ADD COLUMN display_lead text;
COMMENT ON COLUMN dti.indicators.display_name IS 'Tên hiển thị / the name reports print where the verbatim name has a typo (catalogue display_name); NULL = verbatim.';
COMMENT ON COLUMN dti.indicators.display_lead IS 'Cơ quan chủ trì as reports print it where the verbatim lead has a typo (catalogue display_lead); NULL = verbatim.';

ALTER TABLE dti.catalogue_versions
    ADD COLUMN points_places integer NOT NULL DEFAULT 3 CHECK (points_places BETWEEN 0 AND 6),
    ADD COLUMN percent_places integer NOT NULL DEFAULT 2 CHECK (percent_places BETWEEN 0 AND 6);
COMMENT ON COLUMN dti.catalogue_versions.points_places IS 'Decimal places points are published with (catalogue display_precision.points, default 3); display only.';
COMMENT ON COLUMN dti.catalogue_versions.percent_places IS 'Decimal places percents are published with (display_precision.percent, default 2); display only.';
