-- 0016 feeds: `count_units` counts every commune of the district that exists in the year (from the hierarchy), answered
-- or not. Denominators the source defines as all units ("Tổng Xã/Phường/Thị trấn trên địa bàn Huyện", 3.4 b and 4.1 b
-- of bac-giang-district-2022) used `count_answers`, so a commune that did not answer dropped out of both a and b and
-- the ratio rose (issue 15 point 3).
ALTER TABLE dti.feeds DROP CONSTRAINT feeds_how_check;
ALTER TABLE dti.feeds ADD CONSTRAINT feeds_how_check
    CHECK (how IN ('sum', 'count_yes', 'count_no', 'count_answers', 'count_units', 'min', 'max', 'mean'));
