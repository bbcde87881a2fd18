-- 0002 hierarchy: administrative units (province → district → commune → department), the lineage of merged
-- units (Vietnam's 2025 reform merged provinces and communes and abolished districts: history must survive a
-- merge), and peer groups (units ranked together).

CREATE TYPE dti.unit_level AS ENUM ('province', 'district', 'commune', 'department');
COMMENT ON TYPE dti.unit_level IS 'Cấp đơn vị / administrative level: province (tỉnh), district (huyện), commune (xã), department (sở, ban, ngành, cơ quan).';

CREATE TABLE dti.peer_groups (
    code        text COLLATE "C" PRIMARY KEY CHECK (code ~ '^[a-z0-9][a-z0-9.:-]*$'),
    name        text NOT NULL CHECK (btrim(name) <> '' AND name = normalize(name, NFC)),
    description text
);
COMMENT ON TABLE dti.peer_groups IS 'Nhóm so sánh / peer groups: units ranked together (e.g. Hà Nội''s quận vs huyện). A unit without one is ranked with the units of the same level under the same parent.';

CREATE TABLE dti.units (
    unit_id     integer GENERATED ALWAYS AS IDENTITY UNIQUE,
    code        text COLLATE "C" PRIMARY KEY CHECK (code ~ '^[a-z0-9][a-z0-9._-]*$'),
    name        text NOT NULL CHECK (btrim(name) <> '' AND name = normalize(name, NFC)),
    level       dti.unit_level NOT NULL,
    parent_code text COLLATE "C" REFERENCES dti.units (code) DEFERRABLE INITIALLY IMMEDIATE,
    valid_from  date,
    valid_to    date,
    peer_group  text COLLATE "C" REFERENCES dti.peer_groups (code),
    tags        text[] NOT NULL DEFAULT '{}',
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (valid_to IS NULL OR valid_from IS NULL OR valid_to >= valid_from),
    CHECK (parent_code IS NULL OR parent_code <> code),
    CHECK ((level = 'province') = (parent_code IS NULL))
);
CREATE INDEX units_parent ON dti.units (parent_code);
COMMENT ON TABLE dti.units IS 'Đơn vị hành chính và cơ quan / administrative units and agencies, loaded by `dti units load`.';
COMMENT ON COLUMN dti.units.code IS 'Stable code: the official administrative code where a source gives one, otherwise a documented slug (etl/reference/README.md).';
COMMENT ON COLUMN dti.units.name IS 'Tên đơn vị, verbatim from the source (UTF-8 NFC).';
COMMENT ON COLUMN dti.units.tags IS 'Labels that decide applicability, e.g. digital_economy for the 9 departments of Hà Nội''s Phụ lục II.';
COMMENT ON COLUMN dti.units.valid_to IS 'Last day the unit existed (merged or abolished); NULL while it exists.';

CREATE TABLE dti.unit_lineage (
    unit_code        text COLLATE "C" NOT NULL REFERENCES dti.units (code) ON DELETE CASCADE,
    predecessor_code text COLLATE "C" NOT NULL REFERENCES dti.units (code),
    PRIMARY KEY (unit_code, predecessor_code),
    CHECK (unit_code <> predecessor_code)
);
COMMENT ON TABLE dti.unit_lineage IS 'Đơn vị tiền thân / units merged into another: a successor''s comparison values for years before the merge are derived from these.';

-- The units below a unit, itself included, at any depth.
CREATE FUNCTION dti.unit_subtree(root text) RETURNS TABLE (code text)
LANGUAGE sql STABLE AS $$
    WITH RECURSIVE t(code) AS (
        SELECT u.code FROM dti.units u WHERE u.code = root
        UNION
        SELECT u.code FROM dti.units u JOIN t ON u.parent_code = t.code
    )
    SELECT code FROM t
$$;
COMMENT ON FUNCTION dti.unit_subtree(text) IS 'The unit and every unit below it (districts, communes, agencies).';

-- The peer group a unit is ranked in: its declared group, else its parent and level.
CREATE FUNCTION dti.effective_peer_group(u dti.units) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(u.peer_group, coalesce(u.parent_code, '') || ':' || u.level::text)
$$;

-- The unit and its ancestors, nearest first (for catalogue scopes: is a unit under one of these codes?).
CREATE FUNCTION dti.unit_ancestry(start text) RETURNS text[]
LANGUAGE sql STABLE AS $$
    WITH RECURSIVE up(code, parent, depth) AS (
        SELECT u.code, u.parent_code, 0 FROM dti.units u WHERE u.code = start
        UNION ALL
        SELECT u.code, u.parent_code, up.depth + 1 FROM dti.units u JOIN up ON u.code = up.parent
    )
    SELECT coalesce(array_agg(code ORDER BY depth), '{}') FROM up
$$;
COMMENT ON FUNCTION dti.unit_ancestry(text) IS 'The unit''s code followed by its parent''s, grandparent''s … up to the province.';
