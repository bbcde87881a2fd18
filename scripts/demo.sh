#!/usr/bin/env bash
# make demo: the whole job on a fresh machine — embedded database, migrations, reference units, every catalogue,
# sample submissions (Yên Định's real 2022 points; Tân Yên's communes, synthetic), roll-up of every year, exports.
set -euo pipefail
cd "$(dirname "$0")/.."
DTI=${DTI:-.build/debug/dti}
OUT=${OUT:-out}
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "1. Cơ sở dữ liệu nhúng / embedded database"
$DTI db up
$DTI db migrate

step "2. Đơn vị hành chính / reference units (+ 22 xã mẫu của Tân Yên)"
$DTI units load etl/reference/peer-groups.csv etl/reference/units.csv etl/samples/tan-yen/units.csv

step "3. Bộ chỉ số / catalogues"
$DTI catalogue load
$DTI catalogue list

step "4. Số liệu / submissions"
$DTI load --stage final etl/reference/yen-dinh-2022.csv
$DTI load etl/samples/tan-yen/profiles-*.csv
$DTI load etl/samples/tan-yen/commune-data-*.csv etl/samples/tan-yen/district-*.csv

step "5. Tổng hợp / roll-up"
for year in 2022 2023 2024; do $DTI rollup --year "$year"; done

step "6. Xuất bảng so sánh / exports"
mkdir -p "$OUT"
for fmt in csv xlsx html; do
  $DTI export --unit bac-giang.tan-yen --years 2022-2024 --children --format "$fmt" --out "$OUT/tan-yen-2022-2024"
done
$DTI export --unit thanh-hoa.yen-dinh --years 2022 --by indicator --format html --out "$OUT/yen-dinh-2022"
$DTI export --unit thanh-hoa.yen-dinh --years 2022 --by indicator --format csv --out "$OUT/yen-dinh-2022"

step "7. Kết quả / results"
$DTI export --unit thanh-hoa.yen-dinh --years 2022 --format table
$DTI export --unit bac-giang.tan-yen --years 2022-2024 --format table
echo
echo "Các tệp đã ghi / files written:"
ls -1 "$OUT"/tan-yen-2022-2024* "$OUT"/yen-dinh-2022* | sed 's/^/  /'
echo
echo "CSDL / database: $($DTI db url)"
echo "Xem các view / query the views:  psql \"\$($DTI db url)\" -c 'select * from v_unit_index'"

# The district portal (issue 18): a demo district login, and how to start it.
printf '%s\n' demo | $DTI db create-login demo_tanyen --kind district --district bac-giang.tan-yen --password-stdin >/dev/null
echo
echo "Cổng web cho cán bộ huyện / the district portal:  $DTI serve --port 8080   →  http://127.0.0.1:8080/"
echo "  tài khoản mẫu / demo login: demo_tanyen, mật khẩu / password: demo (Huyện Tân Yên)"
