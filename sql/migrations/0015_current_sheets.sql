-- 0015 a store of current values for readers, beside the append-only history of 0012.
--
-- Why: dti.submission_sheets (0012) made loads cheap (one row per unit, year, stage and catalogue of a batch), but
-- every reader had to find a key's newest sheet and unnest every sheet: one indicator across all units of a year was a
-- sequential scan of the whole history (290 ms at bench scale 0.1), dti.current_values 378 ms, v_submission_status 9–12 s.
--
-- What: dti.current_sheets, one row per (unit, year, stage, catalogue) — the key of a sheet without its batch — that
-- names where the key's current values are:
--   * sheet_id alone (item_ids … NULL) when every current value of the key is in its newest sheet. That is every key
--     loaded once, and every key re-submitted whole: a load writes one small row per sheet (about 40 bytes), not a
--     second copy of its values.
--   * the merged current values in its own arrays (item_ids, values, …, value_ids, batch_ids) when a later sheet
--     corrected only some of them, so they come from several sheets.
-- It is maintained in the load's own transaction by a statement-level trigger on dti.submission_sheets (the loader's
-- COPY fires it once, with every new sheet in its transition table), so no writer can forget it and a rolled-back load
-- leaves it as it was.
--
-- Why not a flat table of one row per current value: make bench measured writing the 1,109,400 values of the
-- million-row file one row per value with its key B-tree at 5.51 s, 4.12× the \copy of the file; the target is a load
-- ≤ 1.25× the \copy. One row per sheet costs 1/86 of that.

CREATE TABLE dti.current_sheets (
    unit_id      integer NOT NULL,
    year         smallint NOT NULL,
    stage        dti.stage NOT NULL,
    catalogue_id text COLLATE "C" NOT NULL,
    sheet_id     bigint NOT NULL,
    item_ids     integer[],
    "values"     numeric[],
    value_texts  text[],
    evidences    text[],
    source_refs  text[],
    value_ids    bigint[],
    batch_ids    bigint[],
    PRIMARY KEY (unit_id, year, stage, catalogue_id),
    CHECK ((item_ids IS NULL) = ("values" IS NULL) AND (item_ids IS NULL) = (value_ids IS NULL) AND (item_ids IS NULL) = (batch_ids IS NULL)),
    CHECK (item_ids IS NULL OR (cardinality("values") = cardinality(item_ids) AND cardinality(value_ids) = cardinality(item_ids)
                                AND cardinality(batch_ids) = cardinality(item_ids)
                                AND (value_texts IS NULL OR cardinality(value_texts) = cardinality(item_ids))
                                AND (evidences IS NULL OR cardinality(evidences) = cardinality(item_ids))
                                AND (source_refs IS NULL OR cardinality(source_refs) = cardinality(item_ids))))
);
ALTER TABLE dti.current_sheets SET (toast_tuple_target = 8160);
-- "one indicator across all units of a year": the catalogue's sheets of the year.
CREATE INDEX current_sheets_catalogue_year ON dti.current_sheets (catalogue_id, year);
-- ... and then each of those sheets by its id (v_submitted_values), so that no reader scans the history: without it
-- the planner hashed every sheet of the year, a scan that grows with every correction and every year loaded.
-- One entry per sheet (about 12,900 for the million-row file), not per value.
CREATE UNIQUE INDEX submission_sheets_id ON dti.submission_sheets (sheet_id);
COMMENT ON TABLE dti.current_sheets IS 'Giá trị hiện hành, theo phiếu / where the current values of each (unit, year, stage, catalogue) are: its newest sheet (sheet_id, arrays NULL) when that sheet holds them all, else the merged values in this row''s arrays. Kept by the trigger current_sheets_follow on dti.submission_sheets in the load''s transaction; read through dti.current_values and v_submitted_values.';
COMMENT ON COLUMN dti.current_sheets.sheet_id IS 'The newest sheet of the key (dti.submission_sheets, found with submission_sheets_key).';
COMMENT ON COLUMN dti.current_sheets.item_ids IS 'NULL: every current value is in sheet sheet_id. Otherwise the items of the merged current values (and values, value_texts, evidences, source_refs, value_ids, batch_ids element by element).';
COMMENT ON COLUMN dti.current_sheets.value_ids IS 'value_id of each merged value (sheet_id × 65536 + its position in that sheet): which sheet it came from.';
COMMENT ON COLUMN dti.current_sheets.batch_ids IS 'The load batch of each merged value.';

-- The trigger: for the sheets one statement inserted (the loader's one COPY), set-based.
CREATE FUNCTION dti.current_sheets_follow() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, dti, pg_temp AS $$
DECLARE
    -- The keys of the new sheets, read once: the transition table holds whole sheets (about 2 KB each, spilled to a
    -- temporary file for a big load) and each scan of it costs as much as reading the values again.
    sheet_ids bigint[]; unit_ids integer[]; years smallint[]; stages dti.stage[]; catalogue_ids text[];
BEGIN
    SELECT array_agg(n.sheet_id), array_agg(n.unit_id), array_agg(n.year), array_agg(n.stage), array_agg(i.catalogue_id)
      INTO sheet_ids, unit_ids, years, stages, catalogue_ids
      FROM new_sheets n JOIN dti.catalogue_items i ON i.item_id = n.item_ids[1];
    IF sheet_ids IS NULL THEN RETURN NULL; END IF;

    -- Two loads of the same year wait for each other here, until the first commits; each statement below then sees
    -- the other's committed rows (READ COMMITTED takes a new snapshot per statement), so no merge is lost.
    PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('dti.current_sheets'), y.year)
       FROM (SELECT DISTINCT y.year FROM unnest(years) AS y (year) ORDER BY y.year) y;

    -- Keys that already had current values, or got several sheets in this statement, merge element by element. A
    -- first load has none.
    PERFORM 1
       FROM (SELECT k.unit_id, k.year, k.stage, k.catalogue_id, count(*) AS sheets
               FROM unnest(unit_ids, years, stages, catalogue_ids) AS k (unit_id, year, stage, catalogue_id)
              GROUP BY k.unit_id, k.year, k.stage, k.catalogue_id) k
      WHERE k.sheets > 1
         OR EXISTS (SELECT 1 FROM dti.current_sheets c
                     WHERE c.unit_id = k.unit_id AND c.year = k.year AND c.stage = k.stage AND c.catalogue_id = k.catalogue_id)
      LIMIT 1;
    IF FOUND THEN
    -- A key re-submitted with at least every item it had (a whole form again): its new sheet holds all its values.
    UPDATE dti.current_sheets c
       SET sheet_id = x.sheet_id, item_ids = NULL, "values" = NULL, value_texts = NULL, evidences = NULL, source_refs = NULL,
           value_ids = NULL, batch_ids = NULL
      FROM (SELECT max(n.sheet_id) AS sheet_id, n.unit_id, n.year, n.stage, i.catalogue_id
              FROM new_sheets n JOIN dti.catalogue_items i ON i.item_id = n.item_ids[1]
             GROUP BY n.unit_id, n.year, n.stage, i.catalogue_id HAVING count(*) = 1) x
      JOIN new_sheets ns ON ns.sheet_id = x.sheet_id
     WHERE c.unit_id = x.unit_id AND c.year = x.year AND c.stage = x.stage AND c.catalogue_id = x.catalogue_id
       AND ns.item_ids @> coalesce(c.item_ids, (SELECT o.item_ids FROM dti.submission_sheets o
                                                  WHERE o.unit_id = c.unit_id AND o.year = c.year AND o.stage = c.stage AND o.sheet_id = c.sheet_id));

    -- The others: the newest element of every item, over the key's current values and its new sheets.
    WITH n AS MATERIALIZED (
        SELECT s.sheet_id, s.unit_id, s.year, s.stage, i.catalogue_id
          FROM new_sheets s JOIN dti.catalogue_items i ON i.item_id = s.item_ids[1]),
    m AS MATERIALIZED (
        SELECT k.unit_id, k.year, k.stage, k.catalogue_id, k.newest
          FROM (SELECT n.unit_id, n.year, n.stage, n.catalogue_id, max(n.sheet_id) AS newest, count(*) AS sheets
                  FROM n GROUP BY n.unit_id, n.year, n.stage, n.catalogue_id) k
         WHERE k.sheets > 1
            OR EXISTS (SELECT 1 FROM dti.current_sheets c
                        WHERE c.unit_id = k.unit_id AND c.year = k.year AND c.stage = k.stage AND c.catalogue_id = k.catalogue_id
                          AND c.sheet_id <> k.newest)),
    e AS (
        SELECT m.unit_id, m.year, m.stage, m.catalogue_id, v.item_id, n.sheet_id * 65536 + v.ord AS value_id, ns.batch_id,
               v.value, v.value_text, v.evidence, coalesce(v.source_ref, v.source_line::text) AS source_ref
          FROM m JOIN n ON n.unit_id = m.unit_id AND n.year = m.year AND n.stage = m.stage AND n.catalogue_id = m.catalogue_id
          JOIN new_sheets ns ON ns.sheet_id = n.sheet_id
         CROSS JOIN LATERAL unnest(ns.item_ids, ns."values", ns.value_texts, ns.evidences, ns.source_refs, ns.source_lines)
               WITH ORDINALITY AS v (item_id, value, value_text, evidence, source_ref, source_line, ord)
        UNION ALL
        SELECT m.unit_id, m.year, m.stage, m.catalogue_id, v.item_id, s.sheet_id * 65536 + v.ord, s.batch_id,
               v.value, v.value_text, v.evidence, coalesce(v.source_ref, v.source_line::text)
          FROM m JOIN dti.current_sheets c ON c.unit_id = m.unit_id AND c.year = m.year AND c.stage = m.stage AND c.catalogue_id = m.catalogue_id
                                          AND c.item_ids IS NULL
          JOIN dti.submission_sheets s ON s.unit_id = c.unit_id AND s.year = c.year AND s.stage = c.stage AND s.sheet_id = c.sheet_id
         CROSS JOIN LATERAL unnest(s.item_ids, s."values", s.value_texts, s.evidences, s.source_refs, s.source_lines)
               WITH ORDINALITY AS v (item_id, value, value_text, evidence, source_ref, source_line, ord)
        UNION ALL
        SELECT m.unit_id, m.year, m.stage, m.catalogue_id, v.item_id, v.value_id, v.batch_id, v.value, v.value_text, v.evidence, v.source_ref
          FROM m JOIN dti.current_sheets c ON c.unit_id = m.unit_id AND c.year = m.year AND c.stage = m.stage AND c.catalogue_id = m.catalogue_id
                                          AND c.item_ids IS NOT NULL
         CROSS JOIN LATERAL unnest(c.item_ids, c.value_ids, c.batch_ids, c."values", c.value_texts, c.evidences, c.source_refs)
               AS v (item_id, value_id, batch_id, value, value_text, evidence, source_ref)),
    w AS (
        SELECT DISTINCT ON (e.unit_id, e.year, e.stage, e.catalogue_id, e.item_id) e.*
          FROM e ORDER BY e.unit_id, e.year, e.stage, e.catalogue_id, e.item_id, e.value_id DESC),
    g AS (
        SELECT w.unit_id, w.year, w.stage, w.catalogue_id, m.newest,
               bool_and(w.value_id >> 16 = m.newest) AS in_newest,
               array_agg(w.item_id ORDER BY w.value_id) AS item_ids, array_agg(w.value ORDER BY w.value_id) AS "values",
               CASE WHEN count(w.value_text) > 0 THEN array_agg(w.value_text ORDER BY w.value_id) END AS value_texts,
               CASE WHEN count(w.evidence) > 0 THEN array_agg(w.evidence ORDER BY w.value_id) END AS evidences,
               CASE WHEN count(w.source_ref) > 0 THEN array_agg(w.source_ref ORDER BY w.value_id) END AS source_refs,
               array_agg(w.value_id ORDER BY w.value_id) AS value_ids, array_agg(w.batch_id ORDER BY w.value_id) AS batch_ids
          FROM w JOIN m ON m.unit_id = w.unit_id AND m.year = w.year AND m.stage = w.stage AND m.catalogue_id = w.catalogue_id
         GROUP BY w.unit_id, w.year, w.stage, w.catalogue_id, m.newest)
    INSERT INTO dti.current_sheets AS c (unit_id, year, stage, catalogue_id, sheet_id, item_ids, "values", value_texts, evidences,
                                         source_refs, value_ids, batch_ids)
    SELECT g.unit_id, g.year, g.stage, g.catalogue_id, g.newest,
           CASE WHEN NOT g.in_newest THEN g.item_ids END, CASE WHEN NOT g.in_newest THEN g."values" END,
           CASE WHEN NOT g.in_newest THEN g.value_texts END, CASE WHEN NOT g.in_newest THEN g.evidences END,
           CASE WHEN NOT g.in_newest THEN g.source_refs END, CASE WHEN NOT g.in_newest THEN g.value_ids END,
           CASE WHEN NOT g.in_newest THEN g.batch_ids END
      FROM g
    ON CONFLICT (unit_id, year, stage, catalogue_id) DO UPDATE
       SET sheet_id = EXCLUDED.sheet_id, item_ids = EXCLUDED.item_ids, "values" = EXCLUDED."values",
           value_texts = EXCLUDED.value_texts, evidences = EXCLUDED.evidences, source_refs = EXCLUDED.source_refs,
           value_ids = EXCLUDED.value_ids, batch_ids = EXCLUDED.batch_ids;
    END IF;

    -- Every other key (new, one sheet: the usual case, a whole first load): its new sheet holds all its values.
    INSERT INTO dti.current_sheets (unit_id, year, stage, catalogue_id, sheet_id)
    SELECT k.unit_id, k.year, k.stage, k.catalogue_id, k.sheet_id
      FROM unnest(unit_ids, years, stages, catalogue_ids, sheet_ids) AS k (unit_id, year, stage, catalogue_id, sheet_id)
    ON CONFLICT (unit_id, year, stage, catalogue_id) DO NOTHING;
    RETURN NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION dti.current_sheets_follow() FROM PUBLIC;
COMMENT ON FUNCTION dti.current_sheets_follow() IS 'Trigger: keeps dti.current_sheets in step with the sheets a statement inserted (SECURITY DEFINER: loaders insert sheets but cannot write current_sheets themselves).';

CREATE TRIGGER current_sheets_follow AFTER INSERT ON dti.submission_sheets
    REFERENCING NEW TABLE AS new_sheets FOR EACH STATEMENT EXECUTE FUNCTION dti.current_sheets_follow();

-- The store from the history alone: every key's current values merged from all its sheets (one statement). The
-- migration fills the store with it; the owner can run it again to check or repair the store (CurrentStoreTests
-- compares its rows with the ones the trigger kept).
CREATE FUNCTION dti.current_sheets_rebuild() RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, dti, pg_temp AS $$
DECLARE n_keys bigint;
BEGIN
    LOCK TABLE dti.submission_sheets IN SHARE MODE;   -- no load adds sheets meanwhile
    DELETE FROM dti.current_sheets;
    WITH n AS MATERIALIZED (
        SELECT s.sheet_id, s.batch_id, s.unit_id, s.year, s.stage, i.catalogue_id, s.item_ids, s."values", s.value_texts,
               s.evidences, s.source_refs, s.source_lines
          FROM dti.submission_sheets s JOIN dti.catalogue_items i ON i.item_id = s.item_ids[1]),
    m AS (SELECT n.unit_id, n.year, n.stage, n.catalogue_id, max(n.sheet_id) AS newest FROM n GROUP BY 1, 2, 3, 4),
    e AS (
        SELECT m.unit_id, m.year, m.stage, m.catalogue_id, v.item_id, n.sheet_id * 65536 + v.ord AS value_id, n.batch_id,
               v.value, v.value_text, v.evidence, coalesce(v.source_ref, v.source_line::text) AS source_ref
          FROM m JOIN n ON n.unit_id = m.unit_id AND n.year = m.year AND n.stage = m.stage AND n.catalogue_id = m.catalogue_id
         CROSS JOIN LATERAL unnest(n.item_ids, n."values", n.value_texts, n.evidences, n.source_refs, n.source_lines)
               WITH ORDINALITY AS v (item_id, value, value_text, evidence, source_ref, source_line, ord)),
    w AS (SELECT DISTINCT ON (e.unit_id, e.year, e.stage, e.catalogue_id, e.item_id) e.*
            FROM e ORDER BY e.unit_id, e.year, e.stage, e.catalogue_id, e.item_id, e.value_id DESC),
    g AS (
        SELECT w.unit_id, w.year, w.stage, w.catalogue_id, m.newest, bool_and(w.value_id >> 16 = m.newest) AS in_newest,
               array_agg(w.item_id ORDER BY w.value_id) AS item_ids, array_agg(w.value ORDER BY w.value_id) AS "values",
               CASE WHEN count(w.value_text) > 0 THEN array_agg(w.value_text ORDER BY w.value_id) END AS value_texts,
               CASE WHEN count(w.evidence) > 0 THEN array_agg(w.evidence ORDER BY w.value_id) END AS evidences,
               CASE WHEN count(w.source_ref) > 0 THEN array_agg(w.source_ref ORDER BY w.value_id) END AS source_refs,
               array_agg(w.value_id ORDER BY w.value_id) AS value_ids, array_agg(w.batch_id ORDER BY w.value_id) AS batch_ids
          FROM w JOIN m ON m.unit_id = w.unit_id AND m.year = w.year AND m.stage = w.stage AND m.catalogue_id = w.catalogue_id
         GROUP BY w.unit_id, w.year, w.stage, w.catalogue_id, m.newest)
    INSERT INTO dti.current_sheets (unit_id, year, stage, catalogue_id, sheet_id, item_ids, "values", value_texts, evidences,
                                    source_refs, value_ids, batch_ids)
    SELECT g.unit_id, g.year, g.stage, g.catalogue_id, g.newest,
           CASE WHEN NOT g.in_newest THEN g.item_ids END, CASE WHEN NOT g.in_newest THEN g."values" END,
           CASE WHEN NOT g.in_newest THEN g.value_texts END, CASE WHEN NOT g.in_newest THEN g.evidences END,
           CASE WHEN NOT g.in_newest THEN g.source_refs END, CASE WHEN NOT g.in_newest THEN g.value_ids END,
           CASE WHEN NOT g.in_newest THEN g.batch_ids END
      FROM g;
    GET DIAGNOSTICS n_keys = ROW_COUNT;
    RETURN n_keys;
END
$$;
REVOKE EXECUTE ON FUNCTION dti.current_sheets_rebuild() FROM PUBLIC;
COMMENT ON FUNCTION dti.current_sheets_rebuild() IS 'Rebuilds dti.current_sheets from dti.submission_sheets alone (the owner''s check or repair); returns the keys written.';
SELECT dti.current_sheets_rebuild();

-- Readers: the current value of every key, one row per value, from the current store (same columns and rows as the
-- view of 0012, which looked the newer sheets up for every sheet of the history).
CREATE OR REPLACE VIEW dti.current_values AS
SELECT coalesce(v.value_id, s.sheet_id * 65536 + v.ord) AS value_id, coalesce(v.batch_id, s.batch_id) AS batch_id, c.unit_id, c.year,
       v.item_id, c.stage, v.value, v.value_text, v.evidence, coalesce(v.source_ref, v.source_line::text) AS source_ref
  FROM dti.current_sheets c
  JOIN dti.submission_sheets s ON s.unit_id = c.unit_id AND s.year = c.year AND s.stage = c.stage AND s.sheet_id = c.sheet_id
 CROSS JOIN LATERAL unnest(CASE WHEN c.item_ids IS NULL THEN s.item_ids ELSE c.item_ids END,
                           CASE WHEN c.item_ids IS NULL THEN s."values" ELSE c."values" END,
                           CASE WHEN c.item_ids IS NULL THEN s.value_texts ELSE c.value_texts END,
                           CASE WHEN c.item_ids IS NULL THEN s.evidences ELSE c.evidences END,
                           CASE WHEN c.item_ids IS NULL THEN s.source_refs ELSE c.source_refs END,
                           CASE WHEN c.item_ids IS NULL THEN s.source_lines END, c.value_ids, c.batch_ids)
       WITH ORDINALITY AS v (item_id, value, value_text, evidence, source_ref, source_line, value_id, batch_id, ord);
COMMENT ON VIEW dti.current_values IS 'Giá trị hiện hành / the newest value of every (unit, year, item, stage), read from dti.current_sheets.';

-- Row-level security as on the history: a district login sees its district and the units below it. Readers (view
-- owner, districts, loaders and roll-ups) read it; only the trigger writes it.
ALTER TABLE dti.current_sheets ENABLE ROW LEVEL SECURITY;
CREATE POLICY visible ON dti.current_sheets USING ((SELECT dti.restricted_district(current_user)) IS NULL
    OR unit_id IN (SELECT v.unit_id FROM dti.visible_unit_ids(current_user) v));
GRANT SELECT ON dti.current_sheets TO dti_viewer, dti_district, dti_etl;
