-- 0005 scores: what a roll-up computes. Each (province, year, stage) has one current result set, replaced
-- as a whole by the next roll-up in one transaction; every run is recorded so a result can be traced.

CREATE TABLE dti.rollup_runs (
    run_id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    province_code      text COLLATE "C" NOT NULL,
    year               integer NOT NULL,
    stage              dti.stage NOT NULL,
    started_at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    finished_at        timestamptz,
    duration_ms        integer,
    run_by             text NOT NULL DEFAULT current_user,
    os_user            text,
    catalogue_versions integer[] NOT NULL DEFAULT '{}',
    batches            bigint[] NOT NULL DEFAULT '{}',
    input_digest       text,
    units_scored       integer NOT NULL DEFAULT 0,
    indicators_scored  integer NOT NULL DEFAULT 0,
    derived_values     integer NOT NULL DEFAULT 0,
    mismatches         integer NOT NULL DEFAULT 0
);
COMMENT ON TABLE dti.rollup_runs IS 'Lượt tổng hợp / every `dti rollup`: who, when, which catalogue versions and load batches it used, a digest of its inputs, counts and duration. Same inputs give the same digest and identical rows.';

CREATE TABLE dti.derived_values (
    run_id           bigint NOT NULL REFERENCES dti.rollup_runs,
    unit_code        text COLLATE "C" NOT NULL,
    year             integer NOT NULL,
    stage            dti.stage NOT NULL,
    catalogue_id     text COLLATE "C" NOT NULL,
    indicator_code   text COLLATE "C" NOT NULL,
    variable         text COLLATE "C" NOT NULL,
    derived_value    numeric,
    children_count   integer NOT NULL,
    how              text NOT NULL,
    submitted_value  numeric,
    used             text NOT NULL CHECK (used IN ('derived', 'submitted')),
    mismatch         boolean NOT NULL,
    PRIMARY KEY (unit_code, year, stage, catalogue_id, indicator_code, variable)
);
COMMENT ON TABLE dti.derived_values IS 'Giá trị tổng hợp từ xã / district variables derived from their communes (sum, count of yes …), with the district''s own submitted value where there is one, which one was used, and whether they differ.';

CREATE TABLE dti.indicator_scores (
    run_id         bigint NOT NULL REFERENCES dti.rollup_runs,
    unit_code      text COLLATE "C" NOT NULL,
    year           integer NOT NULL,
    stage          dti.stage NOT NULL,
    catalogue_id   text COLLATE "C" NOT NULL,
    version_id     integer NOT NULL REFERENCES dti.catalogue_versions,
    indicator_code text COLLATE "C" NOT NULL,
    points         numeric,
    max_points     numeric,
    status         text NOT NULL CHECK (status IN ('scored', 'not_scored', 'not_applicable', 'no_points')),
    ratio          numeric,
    notes          text,
    PRIMARY KEY (unit_code, year, stage, catalogue_id, indicator_code)
);
COMMENT ON TABLE dti.indicator_scores IS 'Điểm chỉ số / points per unit, year, stage and indicator, at full precision.';

CREATE TABLE dti.pillar_scores (
    run_id        bigint NOT NULL REFERENCES dti.rollup_runs,
    unit_code     text COLLATE "C" NOT NULL,
    year          integer NOT NULL,
    stage         dti.stage NOT NULL,
    catalogue_id  text COLLATE "C" NOT NULL,
    version_id    integer NOT NULL REFERENCES dti.catalogue_versions,
    pillar_code   text COLLATE "C" NOT NULL,
    points        numeric NOT NULL,
    raw_points    numeric NOT NULL,
    max_points    numeric NOT NULL,
    percent       numeric,
    unscored      text[] NOT NULL DEFAULT '{}',
    peer_group    text COLLATE "C" NOT NULL,
    rank          integer,
    PRIMARY KEY (unit_code, year, stage, catalogue_id, pillar_code)
);
COMMENT ON TABLE dti.pillar_scores IS 'Điểm trụ cột / pillar totals by the catalogue''s policy (sum, capped, rescaled), with the raw sum before the policy.';

CREATE TABLE dti.unit_index (
    run_id        bigint REFERENCES dti.rollup_runs,
    unit_code     text COLLATE "C" NOT NULL,
    year          integer NOT NULL,
    stage         dti.stage NOT NULL,
    catalogue_id  text COLLATE "C" NOT NULL,
    version_id    integer REFERENCES dti.catalogue_versions,
    points        numeric NOT NULL,
    bonus_points  numeric NOT NULL DEFAULT 0,
    max_points    numeric NOT NULL,
    percent       numeric,
    rating        text,
    peer_group    text COLLATE "C" NOT NULL,
    rank          integer,
    derived       boolean NOT NULL DEFAULT false,
    derived_from  text[],
    PRIMARY KEY (unit_code, year, stage, catalogue_id)
);
CREATE INDEX unit_index_group ON dti.unit_index (year, stage, catalogue_id, peer_group);
COMMENT ON TABLE dti.unit_index IS 'Chỉ số DTI / index per unit, year and stage: points, max, percent, rating band and rank in the peer group. Rows with derived = true are comparison values of merged units (mean of their predecessors), not evaluations.';
