#!/usr/bin/env bash
# make test's browser step (issue 18): `dti serve` on a fresh embedded cluster of its own (.dti/browser) with the
# demo's data, driven by headless Chromium through Selenium (Tests/Browser/portal_browser_test.py): sign in as a
# district, its page, the XLSX download, a what-if, another district's page (404), sign out. Screenshots in out/.
# Installs Debian's chromium and chromium-driver and Selenium from PyPI when they are missing (as root).
set -euo pipefail
cd "$(dirname "$0")/.."
DTI=${DTI:-$PWD/.build/debug/dti}
OUT=${OUT:-out}
STATE=${BROWSER_STATE:-$PWD/.dti/browser}
PY=${PYTHON:-python3}
mkdir -p "$OUT"

scripts/ensure-deps.sh chromium chromium-driver
if ! "$PY" -c 'import selenium' >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then echo "the browser test needs Selenium: $PY -m pip install selenium" >&2; exit 1; fi
  echo "installing: selenium (PyPI)" >&2
  "$PY" -m pip install -q --disable-pip-version-check --root-user-action=ignore selenium >&2
fi

export DTI_STATE_DIR="$STATE"
log="$OUT/browser-setup.log"
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  "$DTI" db down >/dev/null 2>&1 || true
  rm -rf "$STATE"
}
trap cleanup EXIT
"$DTI" db down >/dev/null 2>&1 || true
rm -rf "$STATE"

echo "== trình duyệt / browser test: dữ liệu mẫu / sample data ($log)"
{
  "$DTI" db up
  "$DTI" units load etl/reference/peer-groups.csv etl/reference/units.csv etl/samples/tan-yen/units.csv
  "$DTI" catalogue load
  "$DTI" load --stage final etl/reference/yen-dinh-2022.csv
  "$DTI" load etl/samples/tan-yen/profiles-*.csv
  "$DTI" load etl/samples/tan-yen/commune-data-*.csv etl/samples/tan-yen/district-*.csv
  for year in 2022 2023 2024; do "$DTI" rollup --year "$year"; done
} >"$log" 2>&1 || { tail -20 "$log" >&2; exit 1; }
login=t_browser_tanyen
password="mật khẩu trình duyệt $$"
printf '%s\n' "$password" | "$DTI" db create-login "$login" --kind district --district bac-giang.tan-yen --password-stdin >>"$log" 2>&1
set_value="8.8.count=20"
expected=$("$DTI" whatif --unit bac-giang.tan-yen --year 2024 --set "$set_value" --format json \
  | "$PY" -c 'import json, sys; print(json.load(sys.stdin)["index"]["after"])')

# A free port in 18081-18099, loopback only.
port=$("$PY" - <<'PYEOF'
import socket
for p in range(18081, 18100):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p)); s.close(); print(p); break
    except OSError:
        s.close()
else:
    raise SystemExit("no free port in 18081-18099")
PYEOF
)
"$DTI" serve --bind 127.0.0.1 --port "$port" >"$OUT/browser-serve.log" 2>&1 &
server=$!
for _ in $(seq 1 120); do
  "$PY" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/healthz', timeout=1)" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { cat "$OUT/browser-serve.log" >&2; exit 1; }
  sleep 0.25
done

status=0
PORTAL_URL="http://127.0.0.1:$port" LOGIN="$login" PASSWORD="$password" UNIT=bac-giang.tan-yen OTHER_UNIT=thanh-hoa.yen-dinh \
  WHATIF_SET="$set_value" WHATIF_INDEX="$expected" OUT="$OUT" "$PY" Tests/Browser/portal_browser_test.py || status=$?
# The server's log names logins, routes and statuses, never the password or a cookie.
if grep -qF "$password" "$OUT/browser-serve.log" || grep -q "dti_session=" "$OUT/browser-serve.log"; then
  echo "  LỖI / FAIL  the server's log holds a secret ($OUT/browser-serve.log)" >&2; status=1
else
  echo "  đạt / ok    the server's log has no password or cookie ($(grep -c ' request' "$OUT/browser-serve.log") request lines)"
fi
exit $status
