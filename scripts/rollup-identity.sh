#!/usr/bin/env bash
# scripts/rollup-identity.sh BASE_DTI NEW_DTI — are two builds' roll-ups identical, row for row?
#
# For each data set (the demo's: Yên Định and Tân Yên; the bench's synthetic country at BENCH_SCALE=small, scale 0.05,
# seed 1), each binary gets a fresh database in its own embedded cluster (DTI_STATE_DIR=.dti/identity), loads the same
# files and runs the same roll-ups (every year, every stage of one year, 2024 twice); then every score table and view is
# dumped ordered, without run ids and clock times, and the two dumps are compared. Prints the differing lines and exits 1
# when any differ. Used to check a change of the roll-up's execution (issue 16 point 2), not a timed measurement.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
[ $# -eq 2 ] || { echo "usage: $0 BASE_DTI NEW_DTI" >&2; exit 1; }
BASE=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
NEW=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
export DTI_STATE_DIR=${DTI_STATE_DIR:-$ROOT/.dti/identity}
unset DATABASE_URL PGHOST PGHOSTADDR PGPORT PGDATABASE PGUSER PGPASSWORD PGSERVICE PGOPTIONS
OUT=$DTI_STATE_DIR/out
rm -rf "$OUT"; mkdir -p "$OUT"
LOG=$OUT/log
"$NEW" db up >>"$LOG" 2>&1
trap '"$NEW" db down >>"$LOG" 2>&1 || true' EXIT
ADMIN=$("$NEW" db url)
url_for() {
  local path=${ADMIN%%\?*} query=""
  [[ "$ADMIN" == *\?* ]] && query="?${ADMIN#*\?}"
  printf '%s/%s%s' "${path%/*}" "$1" "$query"
}
run() { echo "\$ $*" >>"$LOG"; "$@" >>"$LOG" 2>&1 || { echo "failed: $* (see $LOG)" >&2; tail -20 "$LOG" >&2; exit 1; }; }

SYNTH=$DTI_STATE_DIR/synth-small
if [ ! -f "$SYNTH/.complete" ]; then
  rm -rf "$SYNTH"; mkdir -p "$SYNTH"
  run "$NEW" synth --scale 0.05 --seed 1 --out "$SYNTH"
  touch "$SYNTH/.complete"
fi

demo() {
  run "$1" units load etl/reference/peer-groups.csv etl/reference/units.csv etl/samples/tan-yen/units.csv
  run "$1" catalogue load
  run "$1" load --stage final etl/reference/yen-dinh-2022.csv
  run "$1" load etl/samples/tan-yen/profiles-*.csv
  run "$1" load etl/samples/tan-yen/commune-data-*.csv etl/samples/tan-yen/district-*.csv
  for y in 2022 2023 2024; do run "$1" rollup --year "$y"; done
  run "$1" rollup --year 2024 --all-stages
  run "$1" rollup --year 2024
}
small() {
  run "$1" units load etl/reference/peer-groups.csv etl/reference/units.csv
  run "$1" catalogue load
  run "$1" units load "$SYNTH/peer-groups.csv" "$SYNTH/units.csv"
  run "$1" load "$SYNTH"/profiles-*.csv "$SYNTH"/district-*.csv "$SYNTH"/commune-data-*.csv
  for y in 2022 2023 2024; do run "$1" rollup --year "$y"; done
  run "$1" rollup --year 2024 --all-stages
  run "$1" rollup --year 2024
}

# Every row of the roll-up's tables and of the views built on them, as JSON without run ids and clock times, with the
# province, year and stage of the run that wrote it; ordered.
dump() {
  local url=$1 t
  for t in indicator_scores pillar_scores unit_index derived_values; do
    echo "## $t"
    psql -X -At -v ON_ERROR_STOP=1 "$url" -c "
      SELECT j FROM (SELECT (to_jsonb(t) - 'run_id') || jsonb_build_object('run', r.province_code || '/' || r.year || '/' || r.stage) AS j
                       FROM dti.$t t JOIN dti.rollup_runs r USING (run_id)) q ORDER BY j::text"
  done
  echo "## rollup_runs"
  psql -X -At -v ON_ERROR_STOP=1 "$url" -c "
    SELECT to_jsonb(r) - 'run_id' - 'started_at' - 'finished_at' - 'duration_ms' - 'run_by' - 'os_user' FROM dti.rollup_runs r
     ORDER BY r.province_code, r.year, r.stage, r.run_id"
  for t in v_indicator_scores v_pillar_scores v_unit_index v_year_comparison v_derived_values v_commune_contributions; do
    echo "## $t"
    psql -X -At -v ON_ERROR_STOP=1 "$url" -c "
      SELECT j FROM (SELECT to_jsonb(t) - 'run_id' - 'computed_at' - 'started_at' - 'finished_at' - 'run_by' AS j FROM dti.$t t) q ORDER BY j::text"
  done
}

status=0
for set in demo small; do
  for side in base new; do
    db=identity_${set}_$side
    bin=$BASE; [ "$side" = new ] && bin=$NEW
    run psql -X -q "$ADMIN" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
    url=$(url_for "$db")
    t0=$(date +%s.%N)
    ( export DATABASE_URL=$url; run "$bin" db migrate; $set "$bin" )
    t1=$(date +%s.%N)
    dump "$url" >"$OUT/$set-$side.txt"
    printf '%s %s: %s lines, loads and roll-ups %.1f s\n' "$set" "$side" "$(wc -l <"$OUT/$set-$side.txt")" "$(echo "$t1 - $t0" | bc)"
  done
  if cmp -s "$OUT/$set-base.txt" "$OUT/$set-new.txt"; then
    echo "$set: identical ($(grep -c '^##' "$OUT/$set-new.txt") tables and views, $(grep -vc '^##' "$OUT/$set-new.txt") rows)"
  else
    echo "$set: DIFFERENT"; diff "$OUT/$set-base.txt" "$OUT/$set-new.txt" | head -20; status=1
  fi
done
exit $status
