-- The units a login may see (row-level security of dti.units applies: a district login sees its district and
-- its communes). Commands name an unknown unit code with the closest codes from this view.
DROP VIEW IF EXISTS dti.v_units CASCADE;
CREATE VIEW dti.v_units AS
SELECT u.code AS unit_code, u.name AS unit_name, u.level, u.parent_code, u.valid_from, u.valid_to
  FROM dti.units u;
ALTER VIEW dti.v_units OWNER TO dti_viewer;
COMMENT ON VIEW dti.v_units IS 'Đơn vị / the administrative units the login may see (province, district, commune, department), one row per unit.';
COMMENT ON COLUMN dti.v_units.unit_code IS 'Mã đơn vị (thanh-hoa.yen-dinh).';
COMMENT ON COLUMN dti.v_units.unit_name IS 'Tên đơn vị, verbatim.';
COMMENT ON COLUMN dti.v_units.level IS 'Cấp: province, district, commune, department.';
COMMENT ON COLUMN dti.v_units.parent_code IS 'Mã đơn vị cấp trên.';
COMMENT ON COLUMN dti.v_units.valid_from IS 'Ngày bắt đầu hiệu lực (merged units).';
COMMENT ON COLUMN dti.v_units.valid_to IS 'Ngày hết hiệu lực; NULL = still in force.';
