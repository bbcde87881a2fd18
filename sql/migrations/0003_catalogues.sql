-- 0003 catalogues: indicator catalogues as versions. A file's sha256 identifies its content: reloading an
-- identical file changes nothing; a changed file becomes a new version, and scores keep pointing at the
-- version they were computed with.

CREATE TABLE dti.catalogues (
    catalogue_id    text COLLATE "C" PRIMARY KEY CHECK (catalogue_id ~ '^[a-z0-9][a-z0-9-]*$'),
    current_version integer
);
COMMENT ON TABLE dti.catalogues IS 'Bộ chỉ số / indicator catalogues by id; the details of each version are in catalogue_versions.';

CREATE TABLE dti.catalogue_versions (
    version_id      integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    catalogue_id    text COLLATE "C" NOT NULL REFERENCES dti.catalogues (catalogue_id),
    version         integer NOT NULL,
    sha256          text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    file_name       text NOT NULL,
    source_text     text NOT NULL,
    title           text NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('scored', 'data', 'profile')),
    levels          dti.unit_level[] NOT NULL,
    year_from       integer NOT NULL,
    year_to         integer NOT NULL,
    evaluator       text NOT NULL,
    total_policy    text NOT NULL CHECK (total_policy IN ('sum', 'capped', 'rescaled')),
    declared_total  numeric,
    scope           text[] NOT NULL DEFAULT '{}',
    deadline        text,
    notes           text[] NOT NULL DEFAULT '{}',
    loaded_at       timestamptz NOT NULL DEFAULT now(),
    loaded_by       text NOT NULL DEFAULT current_user,
    UNIQUE (catalogue_id, version),
    CHECK (year_from <= year_to)
);
ALTER TABLE dti.catalogues ADD FOREIGN KEY (current_version) REFERENCES dti.catalogue_versions (version_id) DEFERRABLE INITIALLY DEFERRED;
COMMENT ON TABLE dti.catalogue_versions IS 'Every loaded version of every catalogue, with the YAML it was read from (source_text), so a score can be traced to the exact rules it used.';
COMMENT ON COLUMN dti.catalogue_versions.scope IS 'Unit codes under which the catalogue applies (e.g. {bac-giang}); empty = anywhere its level matches.';

CREATE TABLE dti.pillars (
    version_id     integer NOT NULL REFERENCES dti.catalogue_versions ON DELETE CASCADE,
    pillar_code    text COLLATE "C" NOT NULL,
    ordinal        integer NOT NULL,
    name           text NOT NULL,
    max_points     numeric,
    group_name     text,
    total_policy   text,
    applies_to_tag text,
    notes          text[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (version_id, pillar_code)
);
COMMENT ON TABLE dti.pillars IS 'Chỉ số chính / pillars of each catalogue version.';

CREATE TABLE dti.indicators (
    version_id     integer NOT NULL REFERENCES dti.catalogue_versions ON DELETE CASCADE,
    indicator_code text COLLATE "C" NOT NULL,
    ordinal        integer NOT NULL,
    pillar_code    text COLLATE "C",
    parent_code    text COLLATE "C",
    name           text NOT NULL,
    max_points     numeric,
    rule_kind      text,
    rule_formula   text,
    lead           text,
    supporting     text,
    evidence       text,
    deadline       text,
    how            text,
    applies_to_tag text,
    is_leaf        boolean NOT NULL,
    is_bonus       boolean NOT NULL DEFAULT false,
    notes          text[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (version_id, indicator_code)
);
COMMENT ON TABLE dti.indicators IS 'Chỉ số thành phần / indicators and sub-indicators of each catalogue version.';

-- Catalogue items: a (catalogue, indicator, variable) triple, stable across versions. Submitted values refer
-- to items by a small integer so the big fact table stays narrow.
CREATE TABLE dti.catalogue_items (
    item_id        integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    catalogue_id   text COLLATE "C" NOT NULL REFERENCES dti.catalogues (catalogue_id),
    indicator_code text COLLATE "C" NOT NULL,
    variable       text COLLATE "C" NOT NULL,
    UNIQUE (catalogue_id, indicator_code, variable)
);
COMMENT ON TABLE dti.catalogue_items IS 'A variable of an indicator of a catalogue (catalogue, indicator, variable), the same across versions.';

CREATE TABLE dti.indicator_variables (
    version_id       integer NOT NULL REFERENCES dti.catalogue_versions ON DELETE CASCADE,
    indicator_code   text COLLATE "C" NOT NULL,
    variable         text COLLATE "C" NOT NULL,
    item_id          integer NOT NULL REFERENCES dti.catalogue_items,
    meaning          text NOT NULL,
    kind             text NOT NULL CHECK (kind IN ('number', 'count', 'amount', 'yesno', 'choice', 'points', 'text')),
    unit_of_measure  text,
    profile_field    text,
    previous_year_of text,
    allow_negative   boolean NOT NULL DEFAULT false,
    max_value        numeric,
    choice_values    text[],
    ordinal          integer NOT NULL,
    PRIMARY KEY (version_id, indicator_code, variable)
);
COMMENT ON TABLE dti.indicator_variables IS 'Biến / the data a unit submits for an indicator (a, b, answer, count, points), with its meaning and kind; implicit ones (points of direct rules, the reserved "applicable") included.';
COMMENT ON COLUMN dti.indicator_variables.max_value IS 'Largest acceptable value (direct points: the indicator max).';

-- A ratio whose rule refuses values above 1 (over_one: reject): the load refuses numerator > denominator.
CREATE TABLE dti.ratio_limits (
    version_id     integer NOT NULL REFERENCES dti.catalogue_versions ON DELETE CASCADE,
    indicator_code text COLLATE "C" NOT NULL,
    numerator      text COLLATE "C" NOT NULL,
    denominator    text COLLATE "C" NOT NULL,
    PRIMARY KEY (version_id, indicator_code)
);

CREATE TABLE dti.feeds (
    version_id       integer NOT NULL REFERENCES dti.catalogue_versions ON DELETE CASCADE,
    source_item_id   integer NOT NULL REFERENCES dti.catalogue_items,
    target_catalogue text COLLATE "C" NOT NULL,
    target_indicator text COLLATE "C" NOT NULL,
    target_variable  text COLLATE "C" NOT NULL,
    how              text NOT NULL CHECK (how IN ('sum', 'count_yes', 'count_no', 'count_answers', 'min', 'max', 'mean')),
    precedence       text NOT NULL CHECK (precedence IN ('derived', 'submitted')),
    PRIMARY KEY (version_id, source_item_id, target_catalogue, target_indicator, target_variable)
);
COMMENT ON TABLE dti.feeds IS 'How a commune data item feeds a district variable (sum over communes, count of communes answering yes, …), as the data catalogue declares.';
