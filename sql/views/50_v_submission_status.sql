DROP VIEW IF EXISTS dti.v_submission_status CASCADE;
CREATE VIEW dti.v_submission_status AS
-- Set-based (issue 16): the units' chains up to their province come from one recursive pass (dti.unit_chains, 0019),
-- not one dti.unit_ancestry call per unit and per sheet; the indicators a unit has data for come from the distinct
-- item lists of its sheets (a whole form is one list shared by every unit that sent it), not from unnesting every
-- value; and the expected list is built once per catalogue version and set of unit tags, not once per unit. The
-- comparison of expected and present indicators is made once per distinct (expected, sheets' lists, derived)
-- combination. Same rows and columns as the per-unit version (StatusTests compares them on the fixtures).
WITH versions AS (
    SELECT c.catalogue_id, v.version_id, v.levels, v.scope, v.kind, v.deadline, v.year_from, v.year_to
      FROM dti.catalogues c JOIN dti.catalogue_versions v ON v.version_id = c.current_version
),
chains AS MATERIALIZED (   -- the units the session may see, each with its chain (itself … its province)
    SELECT u.unit_id, u.code, u.name, u.level, u.tags, a.chain, a.chain[cardinality(a.chain)] AS root
      FROM dti.units u JOIN dti.unit_chains() a ON a.unit_id = u.unit_id
),
layouts AS MATERIALIZED (   -- every distinct item list of a sheet, numbered, with its catalogue
    SELECT l.item_ids, row_number() OVER (ORDER BY l.item_ids) AS layout_no,
           (SELECT i.catalogue_id FROM dti.catalogue_items i WHERE i.item_id = l.item_ids[1]) AS catalogue_id   -- a sheet is one catalogue
      FROM (SELECT DISTINCT s.item_ids FROM dti.submission_sheets s) l
),
required AS MATERIALIZED (   -- per catalogue version and leaf indicator: the items a unit must submit (issue 15 point 5)
    SELECT iv.version_id, iv.indicator_code,
           coalesce(array_agg(iv.item_id ORDER BY iv.ordinal) FILTER (WHERE iv.is_input AND iv.profile_field IS NULL AND iv.previous_year_of IS NULL
                                                                       AND iv.variable <> 'applicable'), '{}') AS items,
           coalesce(array_agg(iv.variable ORDER BY iv.ordinal) FILTER (WHERE iv.is_input AND iv.profile_field IS NULL AND iv.previous_year_of IS NULL
                                                                          AND iv.variable <> 'applicable'), '{}') AS variables,
           array_agg(iv.item_id) AS all_items
      FROM versions v JOIN dti.indicator_variables iv ON iv.version_id = v.version_id
     GROUP BY iv.version_id, iv.indicator_code
),
keys AS MATERIALIZED (   -- per unit, year and catalogue with sheets: the numbers of its sheets' item lists, the newest load
    SELECT s.unit_id, s.year::int AS year, l.catalogue_id, array_agg(DISTINCT l.layout_no) AS layout_nos, max(b.loaded_at) AS last_loaded_at
      FROM dti.submission_sheets s
      JOIN layouts l ON l.item_ids = s.item_ids
      JOIN dti.load_batches b ON b.batch_id = s.batch_id
     GROUP BY s.unit_id, s.year, l.catalogue_id
),
withdrawn AS MATERIALIZED (   -- per key: the items withdrawn with "#rút" (0032) that have no current value at any stage (0034)
    SELECT w.unit_id, w.year, w.catalogue_id, w.items FROM dti.withdrawn_items() w
),
used AS MATERIALIZED (   -- who submitted to which catalogue in which year: the provinces (roots) they are in
    SELECT DISTINCT k.catalogue_id, k.year, c.root
      FROM keys k JOIN chains c ON c.unit_id = k.unit_id
),
tag_lists AS MATERIALIZED (   -- the indicators a catalogue version expects from a unit with these tags, in catalogue order, numbered
    SELECT x.version_id, x.tags, x.indicators, row_number() OVER (ORDER BY x.version_id, x.tags) AS list_no
      FROM (SELECT v.version_id, t.tags, array_agg(ind.indicator_code ORDER BY ind.ordinal) AS indicators
              FROM versions v
             CROSS JOIN (SELECT DISTINCT c.tags FROM chains c) t
              JOIN dti.indicators ind ON ind.version_id = v.version_id AND ind.is_leaf AND NOT ind.is_bonus
                                     AND (ind.applies_to_tag IS NULL OR ind.applies_to_tag = ANY (t.tags))
                                     AND NOT EXISTS (SELECT 1 FROM dti.pillars p WHERE p.version_id = v.version_id AND p.pillar_code = ind.pillar_code
                                                       AND p.applies_to_tag IS NOT NULL AND NOT p.applies_to_tag = ANY (t.tags))
             GROUP BY v.version_id, t.tags) x
),
placed AS (   -- (catalogue, year, unit) expected before tags: a catalogue with a scope in every year it is valid, whether or not
              -- anybody submitted (issue 15 point 6), under its scope; one without a scope in the provinces where somebody
              -- used it that year
    SELECT v.catalogue_id, v.version_id, v.deadline, y.year, c.unit_id
      FROM versions v
     CROSS JOIN LATERAL generate_series(v.year_from, v.year_to) AS y (year)
      JOIN chains c ON c.level = ANY (v.levels) AND c.chain && v.scope
     WHERE cardinality(v.scope) > 0
    UNION ALL
    SELECT v.catalogue_id, v.version_id, v.deadline, r.year, c.unit_id
      FROM versions v
      JOIN used r ON r.catalogue_id = v.catalogue_id AND r.year BETWEEN v.year_from AND v.year_to
      JOIN chains c ON c.root = r.root AND c.level = ANY (v.levels)
     WHERE cardinality(v.scope) = 0
),
derived AS (   -- the district variables derived from communes count as submitted, item by item
    SELECT d.unit_code, d.year, d.catalogue_id, array_agg(DISTINCT i.item_id ORDER BY i.item_id) AS items
      FROM dti.derived_values d
      JOIN dti.catalogue_items i ON i.catalogue_id = d.catalogue_id AND i.indicator_code = d.indicator_code AND i.variable = d.variable
     GROUP BY d.unit_code, d.year, d.catalogue_id
),
status AS MATERIALIZED (   -- one row per expected (unit, year, catalogue) with what it has, by grouping rather than joins
    SELECT x.unit_code, x.year, x.catalogue_id, min(x.list_no) AS list_no, coalesce(min(x.layout_nos), '{}') AS layout_nos,
           coalesce(min(x.derived), '{}') AS derived, max(x.last_loaded_at) AS last_loaded_at, min(x.deadline) AS deadline,
           coalesce(min(x.withdrawn), '{}') AS withdrawn
      FROM (SELECT c.code AS unit_code, p.year, p.catalogue_id, t.list_no, NULL::bigint[] AS layout_nos, NULL::integer[] AS derived,
                   NULL::timestamptz AS last_loaded_at, p.deadline, NULL::integer[] AS withdrawn
              FROM placed p JOIN chains c ON c.unit_id = p.unit_id
              JOIN tag_lists t ON t.version_id = p.version_id AND t.tags = c.tags
            UNION ALL
            SELECT c.code, k.year, k.catalogue_id, NULL, k.layout_nos, NULL, k.last_loaded_at, NULL, w.items
              FROM keys k JOIN chains c ON c.unit_id = k.unit_id
              LEFT JOIN withdrawn w ON w.unit_id = k.unit_id AND w.year = k.year AND w.catalogue_id = k.catalogue_id
            UNION ALL
            SELECT d.unit_code, d.year::int, d.catalogue_id, NULL, NULL, d.items, NULL, NULL, NULL
              FROM derived d) x
     GROUP BY x.unit_code, x.year, x.catalogue_id
    HAVING count(x.list_no) > 0
),
combinations AS MATERIALIZED (   -- expected, submitted and missing, once per distinct (expected list, item lists, derived, withdrawn)
    -- An indicator counts as submitted when every item it requires has a value (any stage); one that requires none (all
    -- from the profile or last year) when any of its items has one. A partly submitted indicator is missing, and
    -- missing_variables names what it lacks: '1.2.1 (b)'. A withdrawn item with no current value is not present.
    SELECT x.list_no, x.layout_nos, x.derived, x.withdrawn, cardinality(t.indicators) AS expected, coalesce(q.submitted, 0) AS submitted,
           coalesce(q.missing, '{}') AS missing, coalesce(q.missing_variables, '{}') AS missing_variables
      FROM (SELECT DISTINCT st.list_no, st.layout_nos, st.derived, st.withdrawn FROM status st) x
      JOIN tag_lists t ON t.list_no = x.list_no
     CROSS JOIN LATERAL (SELECT ARRAY(SELECT li.item_id FROM layouts l CROSS JOIN LATERAL unnest(l.item_ids) AS li (item_id)
                                       WHERE l.layout_no = ANY (x.layout_nos) AND li.item_id <> ALL (x.withdrawn)) || x.derived AS present) h
     CROSS JOIN LATERAL (
        SELECT count(*) FILTER (WHERE e.done)::int AS submitted,
               array_agg(e.indicator_code ORDER BY e.n) FILTER (WHERE NOT e.done) AS missing,
               array_agg(e.indicator_code || ' (' || array_to_string(e.lacking, ', ') || ')' ORDER BY e.n)
                   FILTER (WHERE NOT e.done AND e.started) AS missing_variables
          FROM (SELECT o.indicator_code, o.n,
                       CASE WHEN cardinality(r.items) > 0 THEN r.items <@ h.present ELSE coalesce(r.all_items && h.present, false) END AS done,
                       coalesce(r.items && h.present, false) AS started,
                       ARRAY(SELECT v.variable FROM unnest(r.items, r.variables) AS v (item_id, variable) WHERE v.item_id <> ALL (h.present)) AS lacking
                  FROM unnest(t.indicators) WITH ORDINALITY AS o (indicator_code, n)
                  LEFT JOIN required r ON r.version_id = t.version_id AND r.indicator_code = o.indicator_code) e) q
)
SELECT st.unit_code, c.name AS unit_name, st.year, st.catalogue_id, m.expected, m.submitted, m.missing, st.last_loaded_at, st.deadline,
       d.deadline_date, coalesce(d.deadline_date < current_date AND m.submitted < m.expected, false) AS overdue, m.missing_variables
  FROM status st
  JOIN combinations m ON m.list_no = st.list_no AND m.layout_nos = st.layout_nos AND m.derived = st.derived AND m.withdrawn = st.withdrawn
  JOIN chains c ON c.code = st.unit_code
  -- the deadline's date, where its text gives one ("trước 11/11 của năm hiện tại": 11 November of the year; dd/mm/yyyy)
  LEFT JOIN LATERAL (SELECT CASE WHEN x IS NOT NULL AND x[2]::int BETWEEN 1 AND 12 AND x[1]::int BETWEEN 1 AND 31
                                  AND extract(month FROM make_date(coalesce(x[3]::int, st.year), x[2]::int, 1) + (x[1]::int - 1)) = x[2]::int
                                 THEN make_date(coalesce(x[3]::int, st.year), x[2]::int, 1) + (x[1]::int - 1) END AS deadline_date
                       FROM regexp_match(st.deadline, '([0-9]{1,2})[/.]([0-9]{1,2})(?:[/.]([0-9]{4}))?') AS x) d ON true;
ALTER VIEW dti.v_submission_status OWNER TO dti_viewer;
COMMENT ON VIEW dti.v_submission_status IS 'Tình hình nộp số liệu / per unit, year and catalogue: how many indicators are expected, how many have data (submitted, or derived from the communes), which are missing, the last load and the deadline. A catalogue with a scope expects the units under it in every year it is valid, whether or not anybody submitted; one without a scope expects the units of the provinces where somebody used it that year.';
COMMENT ON COLUMN dti.v_submission_status.unit_code IS 'Mã đơn vị.';
COMMENT ON COLUMN dti.v_submission_status.unit_name IS 'Tên đơn vị.';
COMMENT ON COLUMN dti.v_submission_status.year IS 'Năm.';
COMMENT ON COLUMN dti.v_submission_status.catalogue_id IS 'Bộ chỉ số.';
COMMENT ON COLUMN dti.v_submission_status.expected IS 'Số chỉ số phải nộp: leaf indicators that apply to the unit (bonus excluded).';
COMMENT ON COLUMN dti.v_submission_status.submitted IS 'Số chỉ số đã có đủ số liệu: every variable the unit submits has a current value (any stage), values derived from communes included; not the profile''s, last year''s, constants or aliases. A value withdrawn with "#rút" and not submitted again at any stage is missing.';
COMMENT ON COLUMN dti.v_submission_status.missing IS 'Mã các chỉ số còn thiếu (none or only some of their variables), in catalogue order.';
COMMENT ON COLUMN dti.v_submission_status.missing_variables IS 'Các biến còn thiếu của chỉ số đã nộp một phần: ''1.2.1 (b)'' for an indicator whose a is in and b is not.';
COMMENT ON COLUMN dti.v_submission_status.last_loaded_at IS 'Lần nạp gần nhất of any of the unit''s values for the catalogue and year.';
COMMENT ON COLUMN dti.v_submission_status.deadline IS 'Thời hạn nộp, verbatim from the catalogue where it gives one.';
COMMENT ON COLUMN dti.v_submission_status.deadline_date IS 'Ngày hết hạn: the date in the deadline''s text (dd/mm, in the year of the data, or dd/mm/yyyy); NULL when it gives none.';
COMMENT ON COLUMN dti.v_submission_status.overdue IS 'Quá hạn: the deadline date has passed and some expected indicator is still missing.';
