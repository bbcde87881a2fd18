-- Views are recreated on every `dti db migrate`, in file-name order, in one transaction. Each view is owned by
-- dti_viewer (subject to row-level security, so a district login sees only its own rows through any view) and
-- readable by dti_analyst and dti_district.

-- The stage shown by default for a unit, year and catalogue: the most advanced stage that has results.
DROP VIEW IF EXISTS dti.v_effective_stage CASCADE;
CREATE VIEW dti.v_effective_stage AS
SELECT unit_code, year, catalogue_id, max(stage) AS stage
  FROM dti.unit_index
 GROUP BY unit_code, year, catalogue_id;
ALTER VIEW dti.v_effective_stage OWNER TO dti_viewer;
COMMENT ON VIEW dti.v_effective_stage IS 'Giai đoạn hiển thị mặc định / the most advanced stage with results per unit, year and catalogue (final when published).';
