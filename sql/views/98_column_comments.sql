-- Column comments shared by many views. A view's own file comments what is particular to it; here every column
-- that is still without a comment gets one: first the comment of the same column in the view it is a variant of
-- (v_x_all_stages ← v_x), then the meaning of the column name below. The test suite checks that no view column of
-- dti.v_* is left without a comment, so a new view must say what its columns mean.
DO $$
DECLARE
    r record;
    meaning text;
    dictionary CONSTANT jsonb := jsonb_build_object(
        'unit_code', 'Mã đơn vị / unit code (etl/reference/units.csv).',
        'unit_name', 'Tên đơn vị, nguyên văn / unit name, verbatim.',
        'level', 'Cấp: province, district, commune, department.',
        'parent_code', 'Mã đơn vị cấp trên / code of the parent unit.',
        'year', 'Năm đánh giá / evaluation year.',
        'stage', 'Vòng: self (tự đánh giá), round1, round2 (thẩm định), final (công bố).',
        'catalogue_id', 'Bộ chỉ số / catalogue id (etl/catalogues/<id>.yaml).',
        'pillar_code', 'Mã chỉ số chính (trụ cột) / pillar code as printed.',
        'pillar_name', 'Tên chỉ số chính, nguyên văn / pillar name, verbatim.',
        'pillar_ordinal', 'Thứ tự trụ cột trong bộ chỉ số / the pillar''s position in the catalogue, for sorting.',
        'indicator_code', 'Mã chỉ số thành phần (1.4, không phải 1,4) / indicator code.',
        'indicator_name', 'Tên chỉ số, nguyên văn / indicator name, verbatim.',
        'indicator_ordinal', 'Thứ tự chỉ số trong bộ chỉ số / the indicator''s position, for sorting.',
        'is_leaf', 'true for an indicator without sub-indicators (its points come from its rule).',
        'variable', 'Biến: a, b, … answer, count, points, value.',
        'meaning', 'Ý nghĩa của biến, nguyên văn / what the variable means, verbatim from the source.',
        'points', 'Điểm, số thập phân chính xác (không làm tròn) / points, exact decimal, unrounded.',
        'max_points', 'Điểm tối đa / maximum points (for the unit: pillars that do not apply are left out).',
        'raw_points', 'Tổng điểm các chỉ số trước chính sách tổng / sum of indicator points before the pillar policy.',
        'total_policy', 'Chính sách tổng trụ cột: sum, capped hoặc rescaled.',
        'unscored', 'Số chỉ số không chấm được (thiếu số liệu …) / indicators that could not be scored.',
        'percent', 'Tỷ lệ % so với điểm tối đa, không làm tròn / percent of max, unrounded.',
        'rank', 'Hạng trong nhóm so sánh, trên giá trị chưa làm tròn, đồng hạng khi bằng nhau / rank in the peer group (rank()).',
        'rating', 'Xếp loại theo các mức của bộ chỉ số / rating band of the catalogue.',
        'peer_group', 'Mã nhóm so sánh / peer group code.',
        'peer_group_name', 'Tên nhóm so sánh / peer group name.',
        'bonus_points', 'Điểm thưởng ngoài điểm tối đa / bonus points outside the max.',
        'derived', 'true: giá trị so sánh suy ra (trung bình các đơn vị tiền thân trước sáp nhập 2025).',
        'derived_from', 'Các đơn vị tiền thân dùng để suy ra / predecessor units the derived value is the mean of.',
        'status', 'scored, not_scored (có lý do trong notes) hoặc not_applicable.',
        'ratio', 'Giá trị công thức của quy tắc (tỷ lệ, tăng trưởng …), chính xác / the rule formula''s value.',
        'notes', 'Ghi chú và lý do (thiếu biến, mẫu số bằng 0, vượt 100% …) / notes and reasons.',
        'rule_kind', 'Loại quy tắc chấm điểm: ratio, target, tiers, yesno, choice, composite, per_item, minmax, growth, deduction, direct, bonus.',
        'lead', 'Cơ quan chủ trì, nguyên văn / lead agency, verbatim.',
        'supporting', 'Cơ quan phối hợp, nguyên văn / supporting agencies, verbatim.',
        'version_id', 'Phiên bản bộ chỉ số đã dùng / catalogue version used (dti.catalogue_versions).',
        'run_id', 'Lượt tổng hợp tạo ra dòng này / the roll-up run (dti.rollup_runs: who, when, inputs).',
        'batch_id', 'Lô nạp của giá trị / load batch (dti.load_batches: file, sha256, who, when).'
    ) || jsonb_build_object(   -- two calls: a function takes at most 100 arguments
        'evidence', 'Tài liệu kiểm chứng như đã nộp / evidence as submitted.',
        'value', 'Giá trị số, chính xác (có/không là 1/0) / the number, exact (yes/no as 1/0).',
        'value_text', 'Giá trị dạng chữ như đã nộp / the text as submitted.',
        'unit_of_measure', 'Đơn vị tính (người, hộ, tỷ đồng …) / unit of measure.',
        'field', 'Trường hồ sơ đơn vị (population, households …) / profile field.',
        'field_name', 'Tên trường hồ sơ, tiếng Việt / profile field name.',
        'commune_code', 'Mã xã / commune code.',
        'commune_name', 'Tên xã, nguyên văn / commune name.',
        'district_code', 'Mã huyện của xã / the commune''s district.',
        'source_catalogue', 'Bộ chỉ số số liệu xã / the commune data catalogue.',
        'source_indicator', 'Mục số liệu của xã / the commune data item.',
        'source_variable', 'Biến của mục số liệu xã / the commune item''s variable.',
        'target_catalogue', 'Bộ chỉ số cấp huyện được cấp số liệu / the district catalogue fed.',
        'target_indicator', 'Chỉ số cấp huyện được cấp số liệu / the district indicator fed.',
        'target_variable', 'Biến cấp huyện được cấp số liệu / the district variable fed.',
        'target_meaning', 'Ý nghĩa biến cấp huyện, nguyên văn / meaning of the district variable.',
        'how', 'Cách tổng hợp từ xã: sum, count_yes, count_no, count_answers, min, max, mean.'
    );
BEGIN
    FOR r IN
        SELECT c.oid, c.relname, a.attnum, a.attname
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'dti'
          JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
         WHERE c.relkind = 'v' AND (c.relname LIKE 'v\_%' OR c.relname = 'current_values')
           AND col_description(c.oid, a.attnum) IS NULL
    LOOP
        SELECT col_description(b.oid, ba.attnum) INTO meaning
          FROM pg_class b JOIN pg_namespace bn ON bn.oid = b.relnamespace AND bn.nspname = 'dti'
          JOIN pg_attribute ba ON ba.attrelid = b.oid AND ba.attname = r.attname
         WHERE b.relname = regexp_replace(r.relname, '_all_stages$', '') AND b.relname <> r.relname;
        meaning := coalesce(meaning, dictionary ->> r.attname::text);
        IF meaning IS NOT NULL THEN
            EXECUTE format('COMMENT ON COLUMN dti.%I.%I IS %L', r.relname, r.attname, meaning);
        END IF;
    END LOOP;
END $$;
