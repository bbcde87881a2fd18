-- The catalogues themselves, one row per indicator of every loaded version: what an analyst needs beside the scores
-- (names as the source writes them and as reports print them, maximum, rule, lead agency).
DROP VIEW IF EXISTS dti.v_catalogue_indicators CASCADE;
CREATE VIEW dti.v_catalogue_indicators AS
SELECT v.catalogue_id, v.version, v.version_id = c.current_version AS current, v.title AS catalogue_title, v.kind AS catalogue_kind,
       v.year_from, v.year_to, i.pillar_code, p.name AS pillar_name, coalesce(p.display_name, p.name) AS pillar_display_name,
       i.indicator_code, i.ordinal, i.parent_code, i.name AS indicator_name, coalesce(i.display_name, i.name) AS indicator_display_name,
       i.max_points, i.rule_kind, i.rule_formula, i.lead, coalesce(i.display_lead, i.lead) AS lead_display, i.supporting, i.evidence,
       i.is_leaf, i.is_bonus, i.applies_to_tag,
       -- appended (issue 16): the declared checks (migration 0028), in the catalogue's order; NULL while not stored
       CASE WHEN v.checks_stored THEN
           ARRAY(SELECT k.expression || ' (' || k.severity || ')' FROM dti.indicator_checks k
                  WHERE k.version_id = i.version_id AND k.indicator_code = i.indicator_code ORDER BY k.ordinal) END AS checks
  FROM dti.catalogue_versions v
  JOIN dti.catalogues c ON c.catalogue_id = v.catalogue_id
  JOIN dti.indicators i ON i.version_id = v.version_id
  LEFT JOIN dti.pillars p ON p.version_id = v.version_id AND p.pillar_code = i.pillar_code;
ALTER VIEW dti.v_catalogue_indicators OWNER TO dti_viewer;
COMMENT ON VIEW dti.v_catalogue_indicators IS 'Bộ chỉ số / every indicator of every loaded catalogue version: pillar, name, maximum, scoring rule, lead agency (dti catalogue show as a table).';
COMMENT ON COLUMN dti.v_catalogue_indicators.catalogue_id IS 'Bộ chỉ số (bac-giang-district-2022).';
COMMENT ON COLUMN dti.v_catalogue_indicators.version IS 'Its version: a changed file loads as the next version.';
COMMENT ON COLUMN dti.v_catalogue_indicators.current IS 'The version in force (the one roll-ups score with).';
COMMENT ON COLUMN dti.v_catalogue_indicators.catalogue_title IS 'Tên bộ chỉ số, verbatim.';
COMMENT ON COLUMN dti.v_catalogue_indicators.catalogue_kind IS 'scored (points), data (inputs for other catalogues) or profile (unit facts).';
COMMENT ON COLUMN dti.v_catalogue_indicators.year_from IS 'First year the catalogue applies to.';
COMMENT ON COLUMN dti.v_catalogue_indicators.year_to IS 'Last year the catalogue applies to.';
COMMENT ON COLUMN dti.v_catalogue_indicators.pillar_code IS 'Mã trụ cột.';
COMMENT ON COLUMN dti.v_catalogue_indicators.pillar_name IS 'Tên trụ cột, verbatim from the source.';
COMMENT ON COLUMN dti.v_catalogue_indicators.pillar_display_name IS 'Tên trụ cột as reports print it (the source''s typos corrected).';
COMMENT ON COLUMN dti.v_catalogue_indicators.indicator_code IS 'Mã chỉ số (1.4, 5.8.1).';
COMMENT ON COLUMN dti.v_catalogue_indicators.ordinal IS 'Its place in the catalogue.';
COMMENT ON COLUMN dti.v_catalogue_indicators.parent_code IS 'The indicator it is a part of (NULL at the top).';
COMMENT ON COLUMN dti.v_catalogue_indicators.indicator_name IS 'Tên chỉ số, verbatim.';
COMMENT ON COLUMN dti.v_catalogue_indicators.indicator_display_name IS 'Tên chỉ số as reports print it.';
COMMENT ON COLUMN dti.v_catalogue_indicators.max_points IS 'Điểm tối đa, exact.';
COMMENT ON COLUMN dti.v_catalogue_indicators.rule_kind IS 'How it is scored (ratio, yes_no, minmax, points …).';
COMMENT ON COLUMN dti.v_catalogue_indicators.rule_formula IS 'The rule''s formula as the catalogue writes it.';
COMMENT ON COLUMN dti.v_catalogue_indicators.lead IS 'Cơ quan chủ trì, verbatim.';
COMMENT ON COLUMN dti.v_catalogue_indicators.lead_display IS 'Cơ quan chủ trì as reports print it.';
COMMENT ON COLUMN dti.v_catalogue_indicators.supporting IS 'Cơ quan phối hợp.';
COMMENT ON COLUMN dti.v_catalogue_indicators.evidence IS 'Tài liệu kiểm chứng the source asks for.';
COMMENT ON COLUMN dti.v_catalogue_indicators.is_leaf IS 'Scored itself (true) or the sum of its parts.';
COMMENT ON COLUMN dti.v_catalogue_indicators.is_bonus IS 'A bonus indicator (điểm thưởng).';
COMMENT ON COLUMN dti.v_catalogue_indicators.applies_to_tag IS 'Only units with this tag are scored on it (NULL: every unit).';
COMMENT ON COLUMN dti.v_catalogue_indicators.checks IS 'Phép kiểm tra / the indicator''s declared checks (checks: in the catalogue), each as "expression (severity)", e.g. {"a <= b (error)","a <= profile.households (warning)"}, in the catalogue''s order; {} when it declares none; NULL when the version was loaded before migration 0028 and dti catalogue load has not run since. Notes and source lines: dti.indicator_checks.';
