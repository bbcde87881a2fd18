-- 0025 roll-up completeness (issue 15 point 6): for each district variable derived from communes, how many communes
-- the district has in the year (the hierarchy's valid_from/valid_to). children_count ÷ expected_children is its
-- coverage; v_unit_index and v_year_comparison show a district index computed from incomplete commune data as
-- complete = false with its coverage, and `dti rollup` at stage final refuses it unless --allow-incomplete.
ALTER TABLE dti.derived_values ADD COLUMN expected_children integer;
COMMENT ON COLUMN dti.derived_values.expected_children IS
    'Số xã phải có số liệu / the communes of the district that exist in the year; children_count ÷ this is the coverage.';
