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
 WHERE p.k IS NOT NULL;
ALTER VIEW dti.v_submitted_values OWNER TO dti_viewer;
COMMENT ON VIEW dti.v_submitted_values IS 'Số liệu hiện hành / the current submitted value of every unit, year, stage, catalogue, indicator and variable (the newest load wins; history in dti history).';
COMMENT ON COLUMN dti.v_submitted_values.value IS 'The number (yes/no as 1/0), exact.';
COMMENT ON COLUMN dti.v_submitted_values.value_text IS 'The text as submitted for answers and text fields.';
COMMENT ON COLUMN dti.v_submitted_values.batch_id IS 'The load batch the value came from (dti.load_batches: file, sha256, who, when).';
COMMENT ON COLUMN dti.v_submitted_values.source_ref IS 'Where in its file: CSV line, Sheet!cell or [JSON element].';
COMMENT ON COLUMN dti.v_submitted_values.value_id IS 'The value''s identity in the history (sheet_id × 65536 + position): v_value_history lists the key''s earlier values.';

DROP VIEW IF EXISTS dti.v_commune_contributions CASCADE;
CREATE VIEW dti.v_commune_contributions AS
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
       feed.source_meaning, feed.source_kind, feed.target_pillar_code, feed.target_pillar_name
  FROM dti.current_values cv
  JOIN dti.units u ON u.unit_id = cv.unit_id AND u.level = 'commune'
  JOIN feed ON feed.source_item_id = cv.item_id;
ALTER VIEW dti.v_commune_contributions OWNER TO dti_viewer;
COMMENT ON VIEW dti.v_commune_contributions IS 'Đóng góp của từng xã / each commune''s current value for every data item that feeds a district variable, with the district variable it feeds and how (sum, count of yes …).';
COMMENT ON COLUMN dti.v_commune_contributions.source_meaning IS 'What the commune''s own data item means, verbatim from the data catalogue (the header of a commune table).';
COMMENT ON COLUMN dti.v_commune_contributions.source_kind IS 'Kind of the commune''s item: count, yesno, number, amount … (counts and yes/no are whole numbers).';
COMMENT ON COLUMN dti.v_commune_contributions.target_pillar_code IS 'The pillar of the district catalogue the fed indicator belongs to.';
COMMENT ON COLUMN dti.v_commune_contributions.target_pillar_name IS 'Name of that pillar as reports print it (display_name where the source has a typo).';
