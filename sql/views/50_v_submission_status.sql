DROP VIEW IF EXISTS dti.v_submission_status CASCADE;
CREATE VIEW dti.v_submission_status AS
WITH versions AS (
    SELECT c.catalogue_id, v.version_id, v.levels, v.scope, v.kind, v.deadline, v.year_from, v.year_to
      FROM dti.catalogues c JOIN dti.catalogue_versions v ON v.version_id = c.current_version
),
used AS (   -- who submitted to which catalogue in which year, and the province (root) each such unit is in
    SELECT k.catalogue_id, k.year, a.chain[cardinality(a.chain)] AS root
      FROM (SELECT DISTINCT s.unit_id, s.year::int AS year, i.catalogue_id   -- a sheet's items are of one catalogue
              FROM dti.submission_sheets s JOIN dti.catalogue_items i ON i.item_id = s.item_ids[1]) k
      JOIN dti.units u ON u.unit_id = k.unit_id
     CROSS JOIN LATERAL (SELECT dti.unit_ancestry(u.code) AS chain) a
),
years AS (   -- the years in which anybody submitted to the catalogue
    SELECT DISTINCT catalogue_id, year FROM used
),
roots AS (   -- for a catalogue without a scope: the provinces where it is in use that year
    SELECT DISTINCT catalogue_id, year, root FROM used
),
expected AS (
    SELECT v.catalogue_id, v.version_id, u.code AS unit_code, u.unit_id, y.year, v.deadline,
           array_agg(ind.indicator_code ORDER BY ind.ordinal) AS indicators
      FROM versions v
      JOIN years y ON y.catalogue_id = v.catalogue_id AND y.year BETWEEN v.year_from AND v.year_to
      JOIN dti.units u ON u.level = ANY (v.levels)
      CROSS JOIN LATERAL (SELECT dti.unit_ancestry(u.code) AS chain) a

      JOIN dti.indicators ind ON ind.version_id = v.version_id AND ind.is_leaf AND NOT ind.is_bonus
                             AND (ind.applies_to_tag IS NULL OR ind.applies_to_tag = ANY (u.tags))
                             AND NOT EXISTS (SELECT 1 FROM dti.pillars p WHERE p.version_id = v.version_id AND p.pillar_code = ind.pillar_code
                                               AND p.applies_to_tag IS NOT NULL AND NOT p.applies_to_tag = ANY (u.tags))
     WHERE CASE WHEN cardinality(v.scope) > 0 THEN a.chain && v.scope
                ELSE EXISTS (SELECT 1 FROM roots r WHERE r.catalogue_id = v.catalogue_id AND r.year = y.year
                                                     AND r.root = a.chain[cardinality(a.chain)]) END
     GROUP BY v.catalogue_id, v.version_id, u.code, u.unit_id, y.year, v.deadline
),
submitted AS (
    SELECT sv.unit_id, sv.year::int AS year, i.catalogue_id, array_agg(DISTINCT i.indicator_code) AS indicators, max(b.loaded_at) AS last_loaded_at
      FROM dti.submission_values sv
      JOIN dti.catalogue_items i ON i.item_id = sv.item_id
      JOIN dti.load_batches b ON b.batch_id = sv.batch_id
     GROUP BY sv.unit_id, sv.year, i.catalogue_id
),
derived AS (
    SELECT unit_code, year, catalogue_id, array_agg(DISTINCT indicator_code) AS indicators
      FROM dti.derived_values GROUP BY unit_code, year, catalogue_id
)
SELECT e.unit_code, u.name AS unit_name, e.year, e.catalogue_id,
       cardinality(e.indicators) AS expected,
       cardinality(ARRAY(SELECT unnest(e.indicators) INTERSECT SELECT unnest(coalesce(s.indicators, '{}') || coalesce(d.indicators, '{}')))) AS submitted,
       ARRAY(SELECT x FROM unnest(e.indicators) WITH ORDINALITY AS t(x, n)
              WHERE x <> ALL (coalesce(s.indicators, '{}') || coalesce(d.indicators, '{}')) ORDER BY n) AS missing,
       s.last_loaded_at, e.deadline
  FROM expected e
  JOIN dti.units u ON u.code = e.unit_code
  LEFT JOIN submitted s ON s.unit_id = e.unit_id AND s.year = e.year AND s.catalogue_id = e.catalogue_id
  LEFT JOIN derived d ON d.unit_code = e.unit_code AND d.year = e.year AND d.catalogue_id = e.catalogue_id;
ALTER VIEW dti.v_submission_status OWNER TO dti_viewer;
COMMENT ON VIEW dti.v_submission_status IS 'Tình hình nộp số liệu / per unit, year and catalogue: how many indicators are expected, how many have data (submitted, or derived from the communes), which are missing, the last load and the deadline. Years are those in which anybody submitted to the catalogue; a catalogue with a scope expects the units under it, one without a scope expects the units of the provinces where somebody used it that year.';
COMMENT ON COLUMN dti.v_submission_status.unit_code IS 'Mã đơn vị.';
COMMENT ON COLUMN dti.v_submission_status.unit_name IS 'Tên đơn vị.';
COMMENT ON COLUMN dti.v_submission_status.year IS 'Năm.';
COMMENT ON COLUMN dti.v_submission_status.catalogue_id IS 'Bộ chỉ số.';
COMMENT ON COLUMN dti.v_submission_status.expected IS 'Số chỉ số phải nộp: leaf indicators that apply to the unit (bonus excluded).';
COMMENT ON COLUMN dti.v_submission_status.submitted IS 'Số chỉ số đã có số liệu (any stage, any variable), including values derived from communes.';
COMMENT ON COLUMN dti.v_submission_status.missing IS 'Mã các chỉ số còn thiếu, in catalogue order.';
COMMENT ON COLUMN dti.v_submission_status.last_loaded_at IS 'Lần nạp gần nhất of any of the unit''s values for the catalogue and year.';
COMMENT ON COLUMN dti.v_submission_status.deadline IS 'Thời hạn nộp, verbatim from the catalogue where it gives one.';
