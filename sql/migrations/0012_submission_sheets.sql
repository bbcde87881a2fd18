-- 0012 submitted values are stored as sheets: one row per unit, year, stage and catalogue of one batch (what one unit
-- answered on one form in one file), its values in arrays. dti.submission_values stays, as a view with the same columns
-- and the same rows, so every reader (roll-up, history, status, the views) reads what it read before.
--
-- Why: with one row per value, a million-row load wrote a million tuples and a million entries of the key B-tree. Those
-- writes alone cost 3.3 times a psql \copy of the file into a plain table (make bench, "floor"), whatever the loader
-- did. A commune form holds 86 values, so the same file is about 12,900 sheets, each 86 values packed in arrays. That is a
-- quarter of the bytes and 1/86 of the index entries. Binary COPY of those sheets costs the server about a third of that
-- \copy (measured on the 1,109,400-row bench file: 0.36–0.42 s against 1.15–1.45 s).
--
-- History is unchanged: values are never updated or deleted. A correction is a newer sheet holding the key's new
-- values, and the current value of a (unit, year, item, stage) is the element of its newest sheet.

CREATE TABLE dti.submission_sheets (
    sheet_id     bigint GENERATED ALWAYS AS IDENTITY (CACHE 100),
    batch_id     bigint NOT NULL,
    unit_id      integer NOT NULL,
    year         smallint NOT NULL,
    stage        dti.stage NOT NULL,
    item_ids     integer[] NOT NULL,
    "values"     numeric[] NOT NULL,
    value_texts  text[],
    evidences    text[],
    source_refs  text[],
    source_lines integer[],
    CHECK (array_ndims(item_ids) = 1 AND array_lower(item_ids, 1) = 1 AND cardinality(item_ids) BETWEEN 1 AND 65535),
    CHECK (cardinality("values") = cardinality(item_ids)),
    CHECK (value_texts IS NULL OR cardinality(value_texts) = cardinality(item_ids)),
    CHECK (evidences IS NULL OR cardinality(evidences) = cardinality(item_ids)),
    CHECK (source_refs IS NULL OR cardinality(source_refs) = cardinality(item_ids)),
    CHECK (source_lines IS NULL OR cardinality(source_lines) = cardinality(item_ids))
);
-- A sheet of 86 values is about 2 KB; kept in the row, uncompressed, up to nearly a page (compression cost more time
-- in make bench than the bytes it saved).
ALTER TABLE dti.submission_sheets SET (toast_tuple_target = 8160);
CREATE UNIQUE INDEX submission_sheets_key ON dti.submission_sheets (unit_id, year, stage, sheet_id DESC);
CREATE INDEX submission_sheets_batch ON dti.submission_sheets (batch_id);
COMMENT ON TABLE dti.submission_sheets IS 'Số liệu đã nạp, theo phiếu / every submitted value ever loaded, append-only, one row per unit, year, stage and catalogue of a batch: element k of item_ids, values, value_texts, evidences and source_refs/source_lines is one value. Read it through dti.submission_values (one row per value). A correction is a newer sheet; earlier sheets stay for history.';
COMMENT ON COLUMN dti.submission_sheets.sheet_id IS 'Load order: a larger id is newer. value_id of an element = sheet_id × 65536 + its position.';
COMMENT ON COLUMN dti.submission_sheets.item_ids IS 'dti.catalogue_items of the values: distinct within a sheet, and all of one catalogue (a sheet is one unit, year, catalogue and stage of a file; v_submission_status reads the catalogue of item_ids[1]).';
COMMENT ON COLUMN dti.submission_sheets."values" IS 'The numbers, exact (yes/no as 1/0); NULL elements for text answers.';
COMMENT ON COLUMN dti.submission_sheets.value_texts IS 'The text as submitted for answers and text fields; NULL when every value of the sheet is a number.';
COMMENT ON COLUMN dti.submission_sheets.evidences IS 'Evidence as submitted; NULL when no value of the sheet has any.';
COMMENT ON COLUMN dti.submission_sheets.source_refs IS 'Where each value came from: "Sheet!D7" (XLSX cell), "[3]" (JSON element); NULL for a CSV (see source_lines).';
COMMENT ON COLUMN dti.submission_sheets.source_lines IS 'The CSV line of each value; NULL for other formats.';

-- The values loaded so far, as sheets in their load order.
INSERT INTO dti.submission_sheets (batch_id, unit_id, year, stage, item_ids, "values", value_texts, evidences, source_refs)
SELECT sv.batch_id, sv.unit_id, sv.year, sv.stage,
       array_agg(sv.item_id ORDER BY sv.value_id), array_agg(sv.value ORDER BY sv.value_id),
       CASE WHEN count(sv.value_text) > 0 THEN array_agg(sv.value_text ORDER BY sv.value_id) END,
       CASE WHEN count(sv.evidence) > 0 THEN array_agg(sv.evidence ORDER BY sv.value_id) END,
       array_agg(sv.source_ref ORDER BY sv.value_id)
  FROM dti.submission_values sv JOIN dti.catalogue_items i ON i.item_id = sv.item_id
 GROUP BY sv.batch_id, sv.unit_id, sv.year, sv.stage, i.catalogue_id
 ORDER BY min(sv.value_id);

-- The table goes, and with it the views that read it (the view files of sql/views are run again after every
-- migration and create them anew).
DROP TABLE dti.submission_values CASCADE;

CREATE VIEW dti.submission_values AS
SELECT s.sheet_id * 65536 + v.ord AS value_id, s.batch_id, s.unit_id, s.year, v.item_id, s.stage,
       v.value, v.value_text, v.evidence, coalesce(v.source_ref, v.source_line::text) AS source_ref
  FROM dti.submission_sheets s
 CROSS JOIN LATERAL unnest(s.item_ids, s."values", s.value_texts, s.evidences, s.source_refs, s.source_lines)
       WITH ORDINALITY AS v (item_id, value, value_text, evidence, source_ref, source_line, ord);
COMMENT ON VIEW dti.submission_values IS 'Số liệu đã nạp / every submitted value ever loaded, one row per value (the elements of dti.submission_sheets). A correction is a newer row for the same (unit, year, item, stage); earlier rows stay for history.';
COMMENT ON COLUMN dti.submission_values.value_id IS 'Load order within a key: the newest value of a (unit, year, item, stage) has the largest value_id.';
COMMENT ON COLUMN dti.submission_values.value IS 'The number (counts, amounts, ratios, points; yes/no as 1/0), exact.';
COMMENT ON COLUMN dti.submission_values.value_text IS 'The text as submitted for answers (có, a choice option) and text fields.';
COMMENT ON COLUMN dti.submission_values.source_ref IS 'Where the value came from in its file: "12" (CSV line), "Sheet!D7" (XLSX cell) or "[3]" (JSON element).';

-- The current value of every key: the elements of each sheet whose item no newer sheet of the same unit, year and
-- stage holds. The newer sheets are looked up once per sheet (through submission_sheets_key), not once per value.
CREATE VIEW dti.current_values AS
SELECT s.sheet_id * 65536 + v.ord AS value_id, s.batch_id, s.unit_id, s.year, v.item_id, s.stage,
       v.value, v.value_text, v.evidence, coalesce(v.source_ref, v.source_line::text) AS source_ref
  FROM dti.submission_sheets s
 CROSS JOIN LATERAL (SELECT array_agg(x.item_id) AS item_ids
                       FROM dti.submission_sheets n CROSS JOIN LATERAL unnest(n.item_ids) AS x (item_id)
                      WHERE n.unit_id = s.unit_id AND n.year = s.year AND n.stage = s.stage AND n.sheet_id > s.sheet_id) newer
 CROSS JOIN LATERAL unnest(s.item_ids, s."values", s.value_texts, s.evidences, s.source_refs, s.source_lines)
       WITH ORDINALITY AS v (item_id, value, value_text, evidence, source_ref, source_line, ord)
 WHERE newer.item_ids IS NULL OR v.item_id <> ALL (newer.item_ids);
COMMENT ON VIEW dti.current_values IS 'Giá trị hiện hành / the newest value of every (unit, year, item, stage).';

-- Row-level security as on the table it replaces: a district login sees its district and the units below it.
ALTER TABLE dti.submission_sheets ENABLE ROW LEVEL SECURITY;
CREATE POLICY visible ON dti.submission_sheets USING ((SELECT dti.restricted_district(current_user)) IS NULL
    OR unit_id IN (SELECT v.unit_id FROM dti.visible_unit_ids(current_user) v));
GRANT SELECT, INSERT ON dti.submission_sheets TO dti_etl;
GRANT SELECT ON dti.submission_sheets TO dti_viewer, dti_district;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA dti TO dti_etl;
