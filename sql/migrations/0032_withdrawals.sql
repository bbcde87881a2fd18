-- 0032 withdrawals (issue 15 point 5): a value that no longer holds is withdrawn with the marker "#rút" (or
-- "#withdraw"), not by leaving its cell blank (a blank is "not answered" and keeps the earlier value).
--
-- How it is stored: the load writes a key's withdrawals as a sheet of their own in dti.submission_sheets, after its
-- values, with every element of "values" NULL and value_texts NULL (a good value always has a number or a text). The
-- history stays append-only: the withdrawn value keeps its sheet, and the withdrawal is the newer element of its item,
-- so dti.current_sheets (0015) follows it as it follows any correction. Readers of current values skip an element
-- that has neither a number nor a text: the item then has no current value.

CREATE OR REPLACE VIEW dti.current_values AS
SELECT coalesce(v.value_id, s.sheet_id * 65536 + v.ord) AS value_id, coalesce(v.batch_id, s.batch_id) AS batch_id, c.unit_id, c.year,
       v.item_id, c.stage, v.value, v.value_text, v.evidence, coalesce(v.source_ref, v.source_line::text) AS source_ref
  FROM dti.current_sheets c
  JOIN dti.submission_sheets s ON s.unit_id = c.unit_id AND s.year = c.year AND s.stage = c.stage AND s.sheet_id = c.sheet_id
 CROSS JOIN LATERAL unnest(CASE WHEN c.item_ids IS NULL THEN s.item_ids ELSE c.item_ids END,
                           CASE WHEN c.item_ids IS NULL THEN s."values" ELSE c."values" END,
                           CASE WHEN c.item_ids IS NULL THEN s.value_texts ELSE c.value_texts END,
                           CASE WHEN c.item_ids IS NULL THEN s.evidences ELSE c.evidences END,
                           CASE WHEN c.item_ids IS NULL THEN s.source_refs ELSE c.source_refs END,
                           CASE WHEN c.item_ids IS NULL THEN s.source_lines END, c.value_ids, c.batch_ids)
       WITH ORDINALITY AS v (item_id, value, value_text, evidence, source_ref, source_line, value_id, batch_id, ord)
 WHERE v.value IS NOT NULL OR v.value_text IS NOT NULL;
COMMENT ON VIEW dti.current_values IS 'Giá trị hiện hành / the newest value of every (unit, year, item, stage), read from dti.current_sheets; an item whose newest element is a withdrawal ("#rút": neither a number nor a text) has none.';

COMMENT ON COLUMN dti.submission_sheets."values" IS 'The numbers of the sheet''s values, element by element with item_ids (NULL for a text answer). A sheet whose first element has neither a number nor a text (value_texts NULL) is a sheet of withdrawals ("#rút"): every element of it withdraws its item''s earlier value.';
