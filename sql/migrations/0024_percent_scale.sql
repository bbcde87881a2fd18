-- 0024 percent scale: how a value typed with a percent sign ("45%", "45 %", or an Excel cell formatted as a percent,
-- which stores 0.45) is read for a variable: `percent` → 45, `ratio` → 0.45. The catalogue says which (`scale:` on
-- the variable); without it a load refuses such a value, naming what the person typed and both readings, rather than
-- storing 0.45 in a count and calling it "not a whole number" (issue 15 point 4).
ALTER TABLE dti.indicator_variables ADD COLUMN percent_scale text CHECK (percent_scale IN ('percent', 'ratio'));
COMMENT ON COLUMN dti.indicator_variables.percent_scale IS
    'Cách hiểu giá trị có dấu % / how "45%" is read: percent → 45, ratio → 0.45; NULL: such a value is refused with both readings.';
