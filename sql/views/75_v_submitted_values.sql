DROP VIEW IF EXISTS dti.v_submitted_values CASCADE;
CREATE VIEW dti.v_submitted_values AS
-- Read from the current store (migration 0015) by position: the items asked for (an indicator, a catalogue) are found
-- first, then each current sheet of the year gives the element of that item (array_position), so one indicator across
-- every unit of a year reads one index range of dti.current_sheets and unnests nothing (make bench: target ≤ 20 ms at scale 0.4).
SELECT u.code AS unit_code, u.name AS unit_name, u.level, u.parent_code, c.year, c.stage, i.catalogue_id, i.indicator_code,
       i.variable, iv.meaning,
       (CASE WHEN c.item_ids IS NULL THEN s."values" ELSE c."values" END)[p.k] AS value,
       (CASE WHEN c.item_ids IS NULL THEN s.value_texts ELSE c.value_texts END)[p.k] AS value_text,
       (CASE WHEN c.item_ids IS NULL THEN s.evidences ELSE c.evidences END)[p.k] AS evidence,
       CASE WHEN c.item_ids IS NULL THEN s.batch_id ELSE c.batch_ids[p.k] END AS batch_id,
       CASE WHEN c.item_ids IS NULL THEN coalesce(s.source_refs[p.k], s.source_lines[p.k]::text) ELSE c.source_refs[p.k] END AS source_ref,
       CASE WHEN c.item_ids IS NULL THEN s.sheet_id * 65536 + p.k ELSE c.value_ids[p.k] END AS value_id
  FROM dti.current_sheets c
  -- Each current sheet's one sheet of the history, by its id (submission_sheets_id, 0015): a lateral lookup, so that
  -- no reader scans the history (joined as a table, the planner hashed every sheet of the year instead).
 CROSS JOIN LATERAL (SELECT x.* FROM dti.submission_sheets x WHERE x.sheet_id = c.sheet_id LIMIT 1) s
  JOIN dti.catalogue_items i ON i.catalogue_id = c.catalogue_id
 CROSS JOIN LATERAL (SELECT array_position(CASE WHEN c.item_ids IS NULL THEN s.item_ids ELSE c.item_ids END, i.item_id) AS k) p
  JOIN dti.units u ON u.unit_id = c.unit_id
  LEFT JOIN dti.catalogues cat ON cat.catalogue_id = i.catalogue_id
  LEFT JOIN dti.indicator_variables iv ON iv.version_id = cat.current_version AND iv.indicator_code = i.indicator_code AND iv.variable = i.variable
 WHERE p.k IS NOT NULL
   -- an item whose newest element is a withdrawal ("#rút": neither a number nor a text, migration 0032) has no current value
   AND ((CASE WHEN c.item_ids IS NULL THEN s."values" ELSE c."values" END)[p.k] IS NOT NULL
        OR (CASE WHEN c.item_ids IS NULL THEN s.value_texts ELSE c.value_texts END)[p.k] IS NOT NULL);
ALTER VIEW dti.v_submitted_values OWNER TO dti_viewer;
COMMENT ON VIEW dti.v_submitted_values IS 'Số liệu hiện hành / the current submitted value of every unit, year, stage, catalogue, indicator and variable (the newest load wins; history in dti history).';
COMMENT ON COLUMN dti.v_submitted_values.value IS 'The number (yes/no as 1/0), exact.';
COMMENT ON COLUMN dti.v_submitted_values.value_text IS 'The text as submitted for answers and text fields.';
COMMENT ON COLUMN dti.v_submitted_values.batch_id IS 'The load batch the value came from (dti.load_batches: file, sha256, who, when).';
COMMENT ON COLUMN dti.v_submitted_values.source_ref IS 'Where in its file: CSV line, Sheet!cell or [JSON element].';
COMMENT ON COLUMN dti.v_submitted_values.value_id IS 'The value''s identity in the history (sheet_id × 65536 + position): v_value_history lists the key''s earlier values.';

DROP VIEW IF EXISTS dti.v_commune_items CASCADE;
CREATE VIEW dti.v_commune_items AS
-- The current feeds (a few dozen rows) first, once: joined to the values by hash. Joined value by value instead, the
-- planner (which takes every sheet for 10 values) re-read them for each sheet: 63 ms instead of 12 ms for one district
-- at bench scale (make bench, export).
WITH feed AS MATERIALIZED (
    SELECT f.source_item_id, i.catalogue_id, i.indicator_code, i.variable, f.target_catalogue, f.target_indicator,
           f.target_variable, f.how, tv.meaning,
           sv.meaning AS source_meaning, sv.kind AS source_kind, ti.pillar_code AS target_pillar_code,
           coalesce(tp.display_name, tp.name) AS target_pillar_name
      FROM dti.feeds f
      JOIN dti.catalogue_items i ON i.item_id = f.source_item_id
      JOIN dti.catalogues c ON c.catalogue_id = i.catalogue_id AND c.current_version = f.version_id
      LEFT JOIN dti.catalogues tc ON tc.catalogue_id = f.target_catalogue
      LEFT JOIN dti.indicator_variables tv ON tv.version_id = tc.current_version AND tv.indicator_code = f.target_indicator AND tv.variable = f.target_variable
      LEFT JOIN dti.indicator_variables sv ON sv.version_id = f.version_id AND sv.indicator_code = i.indicator_code AND sv.variable = i.variable
      LEFT JOIN dti.indicators ti ON ti.version_id = tc.current_version AND ti.indicator_code = f.target_indicator
      LEFT JOIN dti.pillars tp ON tp.version_id = tc.current_version AND tp.pillar_code = ti.pillar_code)
SELECT u.code AS commune_code, u.name AS commune_name, u.parent_code AS district_code, cv.year, cv.stage,
       feed.catalogue_id AS source_catalogue, feed.indicator_code AS source_indicator, feed.variable AS source_variable,
       feed.target_catalogue, feed.target_indicator, feed.target_variable, feed.how, cv.value, feed.meaning AS target_meaning,
       feed.source_meaning, feed.source_kind, feed.target_pillar_code, feed.target_pillar_name, cv.unit_id, cv.item_id
  FROM dti.current_values cv
  JOIN dti.units u ON u.unit_id = cv.unit_id AND u.level = 'commune'
  JOIN feed ON feed.source_item_id = cv.item_id;
ALTER VIEW dti.v_commune_items OWNER TO dti_viewer;
COMMENT ON VIEW dti.v_commune_items IS 'Số liệu xã cấp cho huyện / each commune''s current value for every data item that feeds a district variable, with the variable it feeds and how: v_commune_contributions without the points and share, so that a reader who needs only the values (dti export''s commune tables) does not pay for the lookup of the district''s results on every row (make bench, export: about 10× faster for one district at scale 0.4).';

DROP VIEW IF EXISTS dti.v_commune_contributions CASCADE;
CREATE VIEW dti.v_commune_contributions AS
SELECT c.commune_code, c.commune_name, c.district_code, c.year, c.stage, c.source_catalogue, c.source_indicator, c.source_variable,
       c.target_catalogue, c.target_indicator, c.target_variable, c.how, c.value, c.target_meaning,
       c.source_meaning, c.source_kind, c.target_pillar_code, c.target_pillar_name,
       -- appended (issue 16): the value's part in the district's published results (see the column comments)
       r.rollup_stage, r.contribution, r.district_value, r.used, r.share, r.role, r.indicator_points, r.points
  FROM dti.v_commune_items c
  LEFT JOIN LATERAL (
      SELECT e.stage AS rollup_stage, k.contribution, dv.derived_value AS district_value, dv.used,
             k.contribution / nullif(dv.derived_value, 0) AS share, q.role, s.points AS indicator_points,
             CASE WHEN q.role = 'numerator' AND s.status = 'scored' AND n.all_derived AND n.total <> 0
                  THEN s.points * k.contribution / n.total END AS points
        -- the district's results shown by default: the most advanced stage with an index (v_effective_stage)
        FROM (SELECT max(ui.stage) AS stage FROM dti.unit_index ui
               WHERE ui.unit_code = c.district_code AND ui.year = c.year AND ui.catalogue_id = c.target_catalogue) e
        JOIN dti.derived_values dv ON dv.unit_code = c.district_code AND dv.year = c.year AND dv.stage = e.stage
                                  AND dv.catalogue_id = c.target_catalogue AND dv.indicator_code = c.target_indicator
                                  AND dv.variable = c.target_variable
        -- what the value adds to the derived value, by how it is derived (min and max: nothing additive)
       CROSS JOIN LATERAL (SELECT CASE c.how WHEN 'sum' THEN c.value
                                                WHEN 'count_yes' THEN CASE WHEN c.value = 1 THEN 1 ELSE 0 END
                                                WHEN 'count_no' THEN CASE WHEN c.value = 0 THEN 1 ELSE 0 END
                                                WHEN 'count_answers' THEN CASE WHEN c.value IS NOT NULL THEN 1 ELSE 0 END
                                                WHEN 'count_units' THEN 1
                                                WHEN 'mean' THEN c.value / nullif(dv.children_count, 0) END::numeric AS contribution) k
        LEFT JOIN dti.indicator_scores s ON s.unit_code = dv.unit_code AND s.year = dv.year AND s.stage = dv.stage
                                        AND s.catalogue_id = dv.catalogue_id AND s.indicator_code = dv.indicator_code
        LEFT JOIN dti.catalogues tc ON tc.catalogue_id = dv.catalogue_id
        LEFT JOIN dti.indicators ti ON ti.version_id = coalesce(s.version_id, tc.current_version) AND ti.indicator_code = dv.indicator_code
        -- the variable's place in a ratio or target rule whose formula is a sum of variables over a sum of variables
        -- (a/b, (b+c)/a, (a+b)/(c+d)), read from the formula as the catalogue store writes it (no spaces)
       CROSS JOIN LATERAL (SELECT regexp_match(ti.rule_formula,
                                  '^(?:\(([A-Za-z_]\w*(?:\+[A-Za-z_]\w*)+)\)|([A-Za-z_]\w*))/(?:\(([A-Za-z_]\w*(?:\+[A-Za-z_]\w*)+)\)|([A-Za-z_]\w*))$') AS m) f
       CROSS JOIN LATERAL (SELECT string_to_array(coalesce(f.m[1], f.m[2]), '+') AS num, string_to_array(coalesce(f.m[3], f.m[4]), '+') AS den) t
       CROSS JOIN LATERAL (SELECT CASE WHEN ti.rule_kind NOT IN ('ratio', 'target') OR f.m IS NULL THEN NULL
                                       WHEN dv.variable = ANY (t.num) AND dv.variable = ANY (t.den) THEN NULL
                                       WHEN dv.variable = ANY (t.num) THEN 'numerator'
                                       WHEN dv.variable = ANY (t.den) THEN 'denominator' END AS role) q
        -- the numerator's value: every numerator variable derived from the communes and used as derived
        LEFT JOIN LATERAL (SELECT sum(d2.derived_value) AS total,
                                  count(*) = cardinality(t.num) AND bool_and(d2.used = 'derived' AND d2.derived_value IS NOT NULL) AS all_derived
                             FROM dti.derived_values d2
                            WHERE q.role = 'numerator' AND d2.unit_code = dv.unit_code AND d2.year = dv.year AND d2.stage = dv.stage
                              AND d2.catalogue_id = dv.catalogue_id AND d2.indicator_code = dv.indicator_code AND d2.variable = ANY (t.num)) n ON true
        -- only the value that roll-up read: the commune's most advanced stage at or below the roll-up's
       WHERE c.stage <= e.stage
         AND NOT EXISTS (SELECT 1 FROM dti.current_values h
                          WHERE h.unit_id = c.unit_id AND h.year = c.year AND h.item_id = c.item_id AND h.stage > c.stage AND h.stage <= e.stage)
  ) r ON true;
ALTER VIEW dti.v_commune_contributions OWNER TO dti_viewer;
COMMENT ON VIEW dti.v_commune_contributions IS 'Đóng góp của từng xã / each commune''s current value for every data item that feeds a district variable, with the district variable it feeds and how (sum, count of yes …), and its part in the district''s published results: what it adds to the derived value (contribution), its share of it, and the points of the district''s indicator attributable to it (points; ratio and target rules, numerator variables). For one district indicator, year and stage, points summed over the communes and the numerator''s variables give the indicator''s points.';
COMMENT ON COLUMN dti.v_commune_contributions.commune_code IS 'Mã xã.';
COMMENT ON COLUMN dti.v_commune_contributions.commune_name IS 'Tên xã, verbatim.';
COMMENT ON COLUMN dti.v_commune_contributions.district_code IS 'Mã huyện the commune belongs to (whose variable it feeds).';
COMMENT ON COLUMN dti.v_commune_contributions.year IS 'Năm số liệu.';
COMMENT ON COLUMN dti.v_commune_contributions.stage IS 'The stage of the commune''s value (self, round1, round2, final).';
COMMENT ON COLUMN dti.v_commune_contributions.source_catalogue IS 'The commune''s data catalogue (commune-data-2024).';
COMMENT ON COLUMN dti.v_commune_contributions.source_indicator IS 'The commune''s data item: its indicator code in the data catalogue.';
COMMENT ON COLUMN dti.v_commune_contributions.source_variable IS 'The commune''s data item: its variable (a, b, answer).';
COMMENT ON COLUMN dti.v_commune_contributions.target_catalogue IS 'The district catalogue the item feeds (bac-giang-district-2022).';
COMMENT ON COLUMN dti.v_commune_contributions.target_indicator IS 'The district indicator the item feeds.';
COMMENT ON COLUMN dti.v_commune_contributions.target_variable IS 'The district variable the item feeds (a in a/b).';
COMMENT ON COLUMN dti.v_commune_contributions.how IS 'How the district variable is derived from its communes: sum, count_yes, count_no, count_answers, count_units, min, max, mean.';
COMMENT ON COLUMN dti.v_commune_contributions.value IS 'The commune''s current value at this stage, exact (yes/no as 1/0).';
COMMENT ON COLUMN dti.v_commune_contributions.target_meaning IS 'What the district variable means, verbatim from the district catalogue.';
COMMENT ON COLUMN dti.v_commune_contributions.source_meaning IS 'What the commune''s own data item means, verbatim from the data catalogue (the header of a commune table).';
COMMENT ON COLUMN dti.v_commune_contributions.source_kind IS 'Kind of the commune''s item: count, yesno, number, amount … (counts and yes/no are whole numbers).';
COMMENT ON COLUMN dti.v_commune_contributions.target_pillar_code IS 'The pillar of the district catalogue the fed indicator belongs to.';
COMMENT ON COLUMN dti.v_commune_contributions.target_pillar_name IS 'Name of that pillar as reports print it (display_name where the source has a typo).';
COMMENT ON COLUMN dti.v_commune_contributions.rollup_stage IS 'The stage of the district results the columns after it describe: the most advanced stage with a district index for the year and catalogue (v_effective_stage). NULL (with every column after it) when the district has no results for the target catalogue (a unit-profile field, which feeds a denominator through profile:, has none), or when this value is not the one that roll-up read (the commune has a value of the item at a more advanced stage at or below it).';
COMMENT ON COLUMN dti.v_commune_contributions.contribution IS 'What this value adds to the district''s derived value: sum → the value; count_yes → 1 if yes, else 0; count_no → 1 if no; count_answers → 1 if answered; count_units → 1 (every commune counts); mean → value ÷ number of communes averaged; min, max → NULL (not additive). Exact numeric.';
COMMENT ON COLUMN dti.v_commune_contributions.district_value IS 'The district variable as the roll-up derived it from all its communes (v_derived_values.derived_value); the contributions of its communes add up to it.';
COMMENT ON COLUMN dti.v_commune_contributions.used IS 'derived or submitted: whether the roll-up scored the district with the derived value or with the district''s own submitted one (then the communes earned no points: points is NULL).';
COMMENT ON COLUMN dti.v_commune_contributions.share IS 'contribution ÷ district_value, 0–1 (exact numeric, rounded by PostgreSQL''s division at 16+ significant digits where it does not terminate): the commune''s share of the district variable. NULL when the district value is 0 or the derivation is min/max. Over the communes of a district it adds up to 1.';
COMMENT ON COLUMN dti.v_commune_contributions.role IS 'The district variable''s place in its indicator''s rule: numerator (a in a/b, b or c in (b+c)/a) or denominator (b in a/b), for ratio and target rules whose formula is a sum of variables over a sum of variables; NULL for any other rule (yes/no, tiers, min–max, growth …) or a variable on both sides.';
COMMENT ON COLUMN dti.v_commune_contributions.indicator_points IS 'The district indicator''s points at rollup_stage (v_indicator_scores.points), full precision.';
COMMENT ON COLUMN dti.v_commune_contributions.points IS 'Points of the district''s indicator attributable to the commune through this item: indicator_points × contribution ÷ the numerator''s value (the sum of the derived values of the numerator''s variables). A ratio''s points are max × numerator ÷ denominator, so each commune''s part of the numerator earns that part of the points; summed over the district''s communes and the numerator''s variables it gives indicator_points exactly (also where the rule caps the points: the cap is shared in the same proportion). Set only for role = numerator, a scored indicator, every numerator variable derived from communes and used as derived, and a numerator other than 0; NULL otherwise. A denominator earns no points (a larger one lowers them): see share.';
COMMENT ON COLUMN dti.v_commune_items.unit_id IS 'The commune''s dti.units.unit_id (for joins by id).';
COMMENT ON COLUMN dti.v_commune_items.item_id IS 'The commune''s data item (dti.catalogue_items.item_id).';
-- v_commune_items' other columns mean what they mean in v_commune_contributions: the same comments, copied by name.
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT a.attname, col_description('dti.v_commune_contributions'::regclass, b.attnum) AS meaning
               FROM pg_catalog.pg_attribute a
               JOIN pg_catalog.pg_attribute b ON b.attrelid = 'dti.v_commune_contributions'::regclass AND b.attname = a.attname
              WHERE a.attrelid = 'dti.v_commune_items'::regclass AND a.attnum > 0 AND NOT a.attisdropped
    LOOP
        IF r.meaning IS NOT NULL THEN
            EXECUTE format('COMMENT ON COLUMN dti.v_commune_items.%I IS %L', r.attname, r.meaning);
        END IF;
    END LOOP;
END $$;
