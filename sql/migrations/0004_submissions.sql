-- 0004 submissions: every load is a batch; every value knows its batch; values are never updated or deleted:
-- a correction is a newer row for the same key, and the current value of a key is its newest row.

CREATE TYPE dti.stage AS ENUM ('self', 'round1', 'round2', 'final');
COMMENT ON TYPE dti.stage IS 'Giai đoạn / stage: self (tự đánh giá), round1 (thẩm định vòng 1), round2 (vòng 2), final (kết quả công bố).';

CREATE TABLE dti.load_batches (
    batch_id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    file_name      text NOT NULL,
    file_sha256    text NOT NULL CHECK (file_sha256 ~ '^[0-9a-f]{64}$'),
    file_bytes     bigint NOT NULL,
    format         text NOT NULL CHECK (format IN ('csv', 'xlsx', 'json')),
    default_stage  dti.stage NOT NULL,
    partial        boolean NOT NULL,
    loaded_by      text NOT NULL DEFAULT current_user,
    os_user        text,
    host           text,
    loaded_at      timestamptz NOT NULL DEFAULT now(),
    rows_total     integer NOT NULL DEFAULT 0,
    rows_accepted  integer NOT NULL DEFAULT 0,
    rows_rejected  integer NOT NULL DEFAULT 0,
    rows_unchanged integer NOT NULL DEFAULT 0,
    UNIQUE (file_sha256, default_stage)
);
COMMENT ON TABLE dti.load_batches IS 'Lô nạp / one row per loaded file: which file (name, sha256), who, when, at which stage, and how many records were accepted, rejected or unchanged. The same file at the same stage loads once.';

CREATE TABLE dti.submission_values (
    value_id   bigint GENERATED ALWAYS AS IDENTITY (CACHE 1000) PRIMARY KEY,
    batch_id   bigint NOT NULL,
    unit_id    integer NOT NULL,
    year       smallint NOT NULL,
    item_id    integer NOT NULL,
    stage      dti.stage NOT NULL,
    value      numeric,
    value_text text,
    evidence   text,
    source_ref text,
    CHECK (value IS NOT NULL OR value_text IS NOT NULL)
);
-- The key of a value, newest first: the current value of a key is the first row in this order.
CREATE INDEX submission_values_key ON dti.submission_values (unit_id, year, item_id, stage, value_id DESC);
CREATE INDEX submission_values_batch ON dti.submission_values (batch_id);
COMMENT ON TABLE dti.submission_values IS 'Số liệu đã nạp / every submitted value ever loaded, append-only. A correction is a newer row for the same (unit, year, item, stage); earlier rows stay for history. Integrity against units, items and batches is checked by the set-based validation of `dti load` (foreign-key triggers per row would dominate a million-row load).';
COMMENT ON COLUMN dti.submission_values.value IS 'The number (counts, amounts, ratios, points; yes/no as 1/0), exact.';
COMMENT ON COLUMN dti.submission_values.value_text IS 'The text as submitted for answers (có, a choice option) and text fields.';
COMMENT ON COLUMN dti.submission_values.source_ref IS 'Where the value came from in its file: "12" (CSV line), "Sheet!D7" (XLSX cell) or "[3]" (JSON element).';

CREATE TABLE dti.load_rejects (
    batch_id       bigint NOT NULL REFERENCES dti.load_batches ON DELETE CASCADE,
    source_ref     text NOT NULL,
    unit_code      text,
    catalogue_id   text,
    indicator_code text,
    variable       text,
    raw            text,
    reason_code    text NOT NULL,
    message_vi     text NOT NULL,
    message_en     text NOT NULL
);
CREATE INDEX load_rejects_batch ON dti.load_rejects (batch_id);
COMMENT ON TABLE dti.load_rejects IS 'Bản ghi bị từ chối / records refused by a `dti load --partial`, with their raw text and the reason; a load without --partial that finds any refuses the whole file and changes nothing.';

-- The current value of every key: the newest row.
CREATE VIEW dti.current_values AS
SELECT DISTINCT ON (unit_id, year, item_id, stage)
       value_id, batch_id, unit_id, year, item_id, stage, value, value_text, evidence, source_ref
FROM dti.submission_values
ORDER BY unit_id, year, item_id, stage, value_id DESC;
COMMENT ON VIEW dti.current_values IS 'Giá trị hiện hành / the newest value of every (unit, year, item, stage).';
