-- 0030 flagged scores (issue 15 point 6): a rule that cannot be applied as the source writes it still gives its
-- points, with the reason beside them, so that no reader takes them at face value.
--
-- The one case today: min–max scoring (004's 4.7 and the like) in a peer group of one unit, where the unit is both the
-- best and the worst and gets full marks whatever its data (Tân Yên, 65 points in the demo). The Scorer (DTICore
-- ScoreFlag) sets it; the roll-up writes it; v_indicator_scores and every export show it.
ALTER TABLE dti.indicator_scores ADD COLUMN reason text CHECK (reason IN ('single_unit_peer_group'));
COMMENT ON COLUMN dti.indicator_scores.reason IS
    'Lý do gắn cờ / why the points are flagged: single_unit_peer_group (min–max in a peer group of one unit: full marks whatever the data). NULL: the rule applied as written.';
-- Grants and row-level security are the table's (0005, 0008): a new column of an existing table.
