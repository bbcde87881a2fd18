-- 0011 submission_values keeps one B-tree instead of three: each B-tree costs about as much per loaded row as the
-- heap itself (make bench: COPY of 1,109,400 resolved rows took 3.24 s with three B-trees, 2.13 s with this layout).
--
-- * The key index becomes UNIQUE and is the table's identity: (unit, year, item, stage, value_id) names one row, and
--   value_id alone is unique by construction (an identity column nobody can write). Nothing looks rows up by
--   value_id alone, so its separate primary-key B-tree goes.
-- * batch_id gets a BRIN index: rows are appended batch after batch, so block ranges map to batches closely and
--   "the rows of batch N" stays an index scan, for a tiny fraction of a B-tree's upkeep.
CREATE UNIQUE INDEX submission_values_identity ON dti.submission_values (unit_id, year, item_id, stage, value_id DESC);
DROP INDEX dti.submission_values_key;
ALTER INDEX dti.submission_values_identity RENAME TO submission_values_key;
ALTER TABLE dti.submission_values DROP CONSTRAINT submission_values_pkey;
DROP INDEX dti.submission_values_batch;
CREATE INDEX submission_values_batch ON dti.submission_values USING brin (batch_id);
COMMENT ON INDEX dti.submission_values_key IS 'The key of a value, newest first; unique, and the identity of a row (value_id is unique by construction).';
COMMENT ON INDEX dti.submission_values_batch IS 'BRIN: the block ranges of each batch (rows are appended batch by batch).';
