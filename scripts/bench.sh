#!/usr/bin/env bash
# make bench: load, roll-up and export benchmarks of the release build against its own embedded PostgreSQL
# (DTI_STATE_DIR=.dti/bench, never the demo's cluster). Writes bench/results/latest.md and prints it.
#
#   BENCH_SCALE=small make bench     # smoke run, under a minute
#   make bench                       # default scale, a few minutes
#   BENCH_SCALE=0.5 make bench       # any `dti synth --scale`
#   BENCH_RUNS=5 BENCH_EXPORTS=200   # more repetitions
#   BENCH_ONLY=peers                 # only the roll-up at full scale and the peers (bench/peers/)
#
# What is measured (every timing is wall clock of the whole process, `date +%s.%N` around it):
#   load     `dti load commune-data-2024.csv` into a fresh database (cloned from a template that already holds the
#            units, catalogues, profiles, district data and the 2022–2023 commune data, rolled up) versus
#            psql `\copy` of the same file into a plain 8-column table with no index in that same database.
#   roll-up  `dti rollup --year 2024` (every province) versus one INSERT … SELECT … GROUP BY summing the commune rows
#            of the plain table to their districts, and versus the fair floor: one INSERT … SELECT computing the same
#            district sums as the roll-up derives (current values of dti.current_sheets, most advanced stage, through
#            the catalogues' feed mapping: sum, count_yes, …), checked equal to dti's derived_values; target ≤ 3× it.
#   export   p50/p95 of `dti export --unit D --years 2022-2024 --children --format csv` over random districts, warm.
#   memory   peak RSS of `dti load` (GNU time).
#   readers  the README's analyst queries on the last database: one indicator of a year, one unit's year, v_submission_status
#   portal   p95 of the district page under 50 signed-in sessions at once (scripts/portal-load.py), `dti serve`'s peak RSS.
#   size     bytes of dti.submission_sheets, where the values are (table + indexes + toast), per million values.
#   growth   the same load and roll-up on the first 10 %, 30 % and 100 % of the synthetic provinces.
#   peers    the roll-up rewritten in pandas and DuckDB (bench/peers/) on the last database: export once, each peer's
#            wall clock against dti rollup's, and their mismatches against dti's rows (skipped without python3).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DTI=${DTI:-$ROOT/.build/release/dti}
DTI=$(cd "$(dirname "$DTI")" && pwd)/$(basename "$DTI")

BENCH_SCALE=${BENCH_SCALE:-default}
case "$BENCH_SCALE" in
  small)   SCALE=0.05 ;;
  default) SCALE=0.4 ;;     # three years of commune data ≈ 1.1 million rows: the million-row load below
  *)       [[ "$BENCH_SCALE" =~ ^[0-9]*\.?[0-9]+$ ]] || { echo "BENCH_SCALE: small, default or a number (a dti synth --scale), not '$BENCH_SCALE'" >&2; exit 1; }
           SCALE=$BENCH_SCALE ;;
esac
RUNS=${BENCH_RUNS:-3}
EXPORTS=${BENCH_EXPORTS:-100}
PORTAL_SESSIONS=${BENCH_PORTAL_SESSIONS:-50}
PORTAL_SECONDS=${BENCH_PORTAL_SECONDS:-20}
SEED=1
YEAR=2024                 # the timed year; 2022 and 2023 are loaded and rolled up beforehand
FRACTIONS=(0.1 0.3 1)     # growth; the last one is the headline measurement
[ "${BENCH_ONLY:-}" != peers ] || FRACTIONS=(1)   # BENCH_ONLY=peers: the roll-up at full scale and the peers

# Targets.
T_LOAD_RATIO=1.25
T_ROLLUP_RATIO=3
T_RSS_MB=256
T_EXPORT_P95_MS=200
# Readers (issue 16 point 1, issue 15 point 7), ms, on the last database (2022–2024 loaded and rolled up).
T_READ_INDICATOR_MS=20
T_READ_UNIT_MS=5
T_READ_STATUS_MS=500
T_PORTAL_P95_MS=100
T_PORTAL_RSS_MB=200

export DTI_STATE_DIR=${DTI_STATE_DIR:-$ROOT/.dti/bench}
# The bench always uses its own embedded cluster, whatever the caller's environment names.
unset DATABASE_URL PGHOST PGHOSTADDR PGPORT PGDATABASE PGUSER PGPASSWORD PGSERVICE PGOPTIONS
WORK=$DTI_STATE_DIR/work
RESULTS=$ROOT/bench/results
OUT=$RESULTS/latest.md
LOG=$WORK/bench.log

[ -x "$DTI" ] || { echo "no $DTI: run 'swift build -c release --product dti' (make bench does)" >&2; exit 1; }
command -v psql >/dev/null || { echo "psql is missing: scripts/ensure-deps.sh installs it" >&2; exit 1; }
if [ ! -x /usr/bin/time ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "installing GNU time (for the peak memory of dti load)" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends time >/tmp/dti-apt.log 2>&1 \
      || { apt-get update >>/tmp/dti-apt.log 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends time >>/tmp/dti-apt.log 2>&1; } \
      || { tail -20 /tmp/dti-apt.log >&2; exit 1; }
  else
    echo "/usr/bin/time is missing: sudo apt-get install -y time" >&2; exit 1
  fi
fi

mkdir -p "$RESULTS" "$DTI_STATE_DIR"
rm -rf "$WORK"; mkdir -p "$WORK"
: >"$LOG"
BENCH_START=$(date +%s.%N)

say() { printf '\033[1m== %s\033[0m\n' "$*" >&2; printf '== %s\n' "$*" >>"$LOG"; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.4f", b - a }'; }
# run CMD…: runs it with its output in the log; on failure shows the end of the log.
run() {
  echo "\$ $*" >>"$LOG"
  if ! "$@" >>"$LOG" 2>&1; then
    echo "bench: failed: $*" >&2; tail -25 "$LOG" >&2; exit 1
  fi
}
# timed VAR CMD…: runs CMD like run, stores its wall-clock seconds in VAR.
timed() {
  local var=$1; shift
  local t0 t1; t0=$(now); run "$@"; t1=$(now)
  printf -v "$var" '%s' "$(elapsed "$t0" "$t1")"
}
# min and median of the numbers on stdin: "MIN MEDIAN"
minmed() { sort -g | awk '{ a[NR] = $1 } END { m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%s %s\n", a[1], m }'; }
# nearest-rank percentile P of the numbers on stdin
percentile() { sort -g | awk -v p="$1" '{ a[NR] = $1 } END { i = int(p / 100 * NR); if (i < p / 100 * NR) i++; if (i < 1) i = 1; print a[i] }'; }
calc() { awk "BEGIN { printf \"$1\", $2 }"; }
verdict() { awk -v v="$1" -v t="$2" 'BEGIN { print (v <= t ? "✅ met" : "❌ missed") }'; }

PORTAL_PID=""
cleanup() {
  if [ -n "$PORTAL_PID" ]; then kill "$PORTAL_PID" 2>/dev/null || true; fi
  "$DTI" db down >>"$LOG" 2>&1 || true
}
trap cleanup EXIT

# ---------------------------------------------------------------------------------------------------------------
say "embedded PostgreSQL in $DTI_STATE_DIR"
run "$DTI" db up
BASE_URL=$("$DTI" db url)
# url_for DB: the embedded cluster's URL with another database name.
url_for() {
  local path=${BASE_URL%%\?*} query=""
  [[ "$BASE_URL" == *\?* ]] && query="?${BASE_URL#*\?}"
  printf '%s/%s%s' "${path%/*}" "$1" "$query"
}
ADMIN_URL=$BASE_URL
sql() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }
sqlv() { local url=$1; shift; psql -X -q -t -A -v ON_ERROR_STOP=1 "$url" -c "$*"; }
for db in $(sqlv "$ADMIN_URL" "SELECT datname FROM pg_database WHERE datname LIKE 'bench\_%'"); do
  run sql "$ADMIN_URL" -c "DROP DATABASE \"$db\""
done
PG_VERSION=$(sqlv "$ADMIN_URL" "SHOW server_version")

# ---------------------------------------------------------------------------------------------------------------
# Synthetic data, cached per binary, scale and seed (dti synth is deterministic).
KEY=$(sha256sum "$DTI" | cut -c1-12)-s$SCALE-seed$SEED
SYNTH=$DTI_STATE_DIR/synth/$KEY
if [ ! -f "$SYNTH/.complete" ]; then
  say "dti synth --scale $SCALE --seed $SEED"
  rm -rf "$DTI_STATE_DIR/synth"; mkdir -p "$SYNTH"
  timed SYNTH_SECONDS "$DTI" synth --scale "$SCALE" --seed "$SEED" --out "$SYNTH"
  touch "$SYNTH/.complete"
else
  say "synthetic data (cached): $SYNTH"
  SYNTH_SECONDS=""
fi
PROVINCES=$(awk -F, 'NR > 1 && $3 == "province" && $7 == "" { n++ } END { print n + 0 }' "$SYNTH/units.csv")

# subset K DIR: the first K provinces of the synthetic country (units, profiles, district and commune data), with the
# 2025 merged units whose predecessors all stay.
subset() {
  local k=$1 dir=$2 f
  mkdir -p "$dir"
  cp "$SYNTH/peer-groups.csv" "$dir/"
  awk -F, -v k="$k" '
    function root(c,  r) { split(c, r, "."); return r[1] }
    function allsel(p,  a, m, j) { m = split(p, a, "|"); for (j = 1; j <= m; j++) if (!(root(a[j]) in sel)) return 0; return 1 }
    NR == 1 { print; next }
    { n++; line[n] = $0; code[n] = $1; lvl[n] = $3; par[n] = $4; pred[n] = $7
      if ($3 == "province" && $7 == "" && nb < k) { nb++; sel[$1] = 1 } }
    END {
      for (i = 1; i <= n; i++) if (lvl[i] == "province" && pred[i] != "" && allsel(pred[i])) keep[code[i]] = 1
      for (i = 1; i <= n; i++) {
        if (pred[i] == "") ok = (root(code[i]) in sel)
        else ok = allsel(pred[i]) && (par[i] == "" || (par[i] in keep))
        if (ok) print line[i]
      }
    }' "$SYNTH/units.csv" >"$dir/units.csv"
  for f in "$SYNTH"/profiles-*.csv "$SYNTH"/district-*.csv "$SYNTH"/commune-data-*.csv; do
    awk -F, -v k="$k" 'NR == FNR { if (FNR > 1 && $3 == "province" && $7 == "" && nb < k) { nb++; sel[$1] = 1 } next }
                        FNR == 1 { print; next }
                        { split($1, r, "."); if (r[1] in sel) print }' "$SYNTH/units.csv" "$f" >"$dir/$(basename "$f")"
  done
}

# ---------------------------------------------------------------------------------------------------------------
# One template database per fraction: everything but the timed year's commune data, vacuumed and analyzed.
make_template() {
  local tpl=$1 dir=$2 url
  url=$(url_for "$tpl")
  run sql "$ADMIN_URL" -c "CREATE DATABASE \"$tpl\""
  (
    export DATABASE_URL=$url
    run "$DTI" db migrate
    run "$DTI" units load etl/reference/peer-groups.csv etl/reference/units.csv
    run "$DTI" catalogue load
    run "$DTI" units load "$dir/peer-groups.csv" "$dir/units.csv"
    local before=() y
    for y in $(seq 2022 $((YEAR - 1))); do before+=("$dir/commune-data-$y.csv"); done
    run "$DTI" load "$dir"/profiles-*.csv "$dir"/district-*.csv "${before[@]}"
    for y in $(seq 2022 $((YEAR - 1))); do run "$DTI" rollup --year "$y"; done
  )
  run sql "$url" -c "VACUUM ANALYZE"
  run sql "$url" -c "CREATE SCHEMA bench_plain" \
    -c "CREATE TABLE bench_plain.submissions (unit_code text, year integer, catalogue text, indicator text, variable text, value text, evidence text, stage text)" \
    -c "CREATE TABLE bench_plain.district_sums (district_code text, year integer, catalogue text, indicator text, variable text, total numeric, communes integer)" \
    -c "CREATE TABLE bench_plain.feed_sums (district_code text, catalogue text, indicator text, variable text, how text, value numeric, communes integer)"
}

PLAIN_ROLLUP="INSERT INTO bench_plain.district_sums (district_code, year, catalogue, indicator, variable, total, communes)
SELECT u.parent_code, s.year, s.catalogue, s.indicator, s.variable,
       sum(CASE WHEN s.value ~ '^-?[0-9]+([.][0-9]+)?\$' THEN s.value::numeric
                WHEN lower(s.value) IN ('có', 'co', 'yes', 'x') THEN 1 ELSE 0 END),
       count(*)
  FROM bench_plain.submissions s JOIN dti.units u ON u.code = s.unit_code
 WHERE s.year = $YEAR
 GROUP BY u.parent_code, s.year, s.catalogue, s.indicator, s.variable"

# The fair floor of the roll-up (issue 16 point 2): the same district sums dti rollup derives, over the warehouse's
# current values (dti.current_sheets, the most advanced stage of each value, as the roll-up takes it) with the
# catalogues' feed mapping, in one statement. No scoring, ranking, lineage or run record: what any roll-up must read
# and sum at the least.
FEED_FLOOR="INSERT INTO bench_plain.feed_sums (district_code, catalogue, indicator, variable, how, value, communes)
WITH cur AS (
  SELECT DISTINCT ON (c.unit_id, v.item_id) c.unit_id, v.item_id, v.value
    FROM dti.current_sheets c
   CROSS JOIN LATERAL (SELECT x.item_ids, x.\"values\" FROM dti.submission_sheets x WHERE x.sheet_id = c.sheet_id LIMIT 1) s
   CROSS JOIN LATERAL unnest(coalesce(c.item_ids, s.item_ids), CASE WHEN c.item_ids IS NULL THEN s.\"values\" ELSE c.\"values\" END) AS v (item_id, value)
   WHERE c.year = $YEAR AND c.stage <= 'final'
   ORDER BY c.unit_id, v.item_id, c.stage DESC)
SELECT u.parent_code, f.target_catalogue, f.target_indicator, f.target_variable, f.how,
       CASE f.how WHEN 'sum' THEN sum(e.value) WHEN 'count_yes' THEN count(*) FILTER (WHERE e.value = 1)
                  WHEN 'count_no' THEN count(*) FILTER (WHERE e.value = 0) WHEN 'count_answers' THEN count(e.value)
                  WHEN 'min' THEN min(e.value) WHEN 'max' THEN max(e.value) WHEN 'mean' THEN avg(e.value) END,
       count(*)
  FROM cur e
  JOIN dti.units u ON u.unit_id = e.unit_id AND u.level = 'commune'
  JOIN dti.catalogue_items i ON i.item_id = e.item_id
  JOIN dti.catalogues src ON src.catalogue_id = i.catalogue_id
  JOIN dti.feeds f ON f.version_id = src.current_version AND f.source_item_id = e.item_id
 GROUP BY u.parent_code, f.target_catalogue, f.target_indicator, f.target_variable, f.how"
# Every value dti rollup derived for the year that the floor does not give exactly (0: the floor does the same sums).
FLOOR_CHECK="SELECT count(*) FILTER (WHERE f.value IS DISTINCT FROM d.derived_value), count(*)
  FROM dti.derived_values d
  LEFT JOIN bench_plain.feed_sums f ON (f.district_code, f.catalogue, f.indicator, f.variable) = (d.unit_code, d.catalogue_id, d.indicator_code, d.variable)
 WHERE d.year = $YEAR AND d.stage = 'final' AND d.how <> 'count_units'"

declare -A ROWS LOAD_MIN LOAD_MED COPY_MIN COPY_MED ROLL_MIN ROLL_MED SQL_MIN SQL_MED FLOOR_MIN FLOOR_MED NPROV FLOOR_BAD
RSS_KB=0
LAST_DB=""
for fi in "${!FRACTIONS[@]}"; do
  frac=${FRACTIONS[$fi]}
  k=$(awk -v p="$PROVINCES" -v f="$frac" 'BEGIN { k = int(p * f + 0.5); print (k < 1 ? 1 : k) }')
  NPROV[$frac]=$k
  if [ "$k" -eq "$PROVINCES" ]; then dir=$SYNTH; else dir=$WORK/data-$frac; subset "$k" "$dir"; fi
  file=$dir/commune-data-$YEAR.csv
  rows=$(($(wc -l <"$file") - 1))
  ROWS[$frac]=$rows
  tpl=bench_tpl_$fi
  say "$(calc '%g' "$frac * 100")% of scale $SCALE: $k of $PROVINCES provinces, $rows commune rows for $YEAR — template"
  make_template "$tpl" "$dir"
  : >"$WORK/load-$fi" ; : >"$WORK/copy-$fi"; : >"$WORK/roll-$fi"; : >"$WORK/sql-$fi"; : >"$WORK/floor-$fi"
  for r in $(seq 1 "$RUNS"); do
    db=bench_f${fi}_r$r
    url=$(url_for "$db")
    run sql "$ADMIN_URL" -c "CREATE DATABASE \"$db\" TEMPLATE \"$tpl\"" -c "CHECKPOINT"
    # load: dti load vs \copy, each into the fresh database
    timed t_load env DATABASE_URL="$url" /usr/bin/time -v -o "$WORK/time-v" "$DTI" load "$file"
    rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$WORK/time-v")
    [ "$rss" -gt "$RSS_KB" ] && RSS_KB=$rss
    accepted=$(sqlv "$url" "SELECT rows_accepted FROM dti.load_batches ORDER BY batch_id DESC LIMIT 1")
    [ "$accepted" -eq "$rows" ] || { echo "bench: dti load accepted $accepted of $rows rows (see $LOG)" >&2; exit 1; }
    run sql "$url" -c "CHECKPOINT"
    timed t_copy sql "$url" -c "\\copy bench_plain.submissions FROM '$file' WITH (FORMAT csv, HEADER true)"
    # roll-up: dti rollup vs one INSERT … SELECT … GROUP BY
    run sql "$url" -c "ANALYZE dti.submission_sheets" -c "ANALYZE bench_plain.submissions" -c "CHECKPOINT"
    timed t_roll env DATABASE_URL="$url" "$DTI" rollup --year "$YEAR"
    run sql "$url" -c "CHECKPOINT"
    timed t_sql sql "$url" -c "$PLAIN_ROLLUP"
    run sql "$url" -c "CHECKPOINT"
    timed t_floor sql "$url" -c "$FEED_FLOOR"
    read -r bad checked < <(sqlv "$url" "$FLOOR_CHECK" | tr '|' ' ')
    [ "$checked" -gt 0 ] || { echo "bench: dti rollup derived no district values for $YEAR (see $LOG)" >&2; exit 1; }
    FLOOR_BAD[$frac]="$bad of $checked"
    echo "$t_load" >>"$WORK/load-$fi"; echo "$t_copy" >>"$WORK/copy-$fi"
    echo "$t_roll" >>"$WORK/roll-$fi"; echo "$t_sql" >>"$WORK/sql-$fi"; echo "$t_floor" >>"$WORK/floor-$fi"
    printf '   run %d: dti load %6.2f s, \\copy %6.2f s, dti rollup %6.2f s, SQL GROUP BY %6.2f s, feed floor %6.2f s (%s differ), load RSS %d MB\n' \
      "$r" "$t_load" "$t_copy" "$t_roll" "$t_sql" "$t_floor" "${FLOOR_BAD[$frac]}" $((rss / 1024)) >&2
    if [ -n "$LAST_DB" ]; then run sql "$ADMIN_URL" -c "DROP DATABASE \"$LAST_DB\""; fi
    LAST_DB=$db
  done
  read -r LOAD_MIN[$frac] LOAD_MED[$frac] < <(minmed <"$WORK/load-$fi")
  read -r COPY_MIN[$frac] COPY_MED[$frac] < <(minmed <"$WORK/copy-$fi")
  read -r ROLL_MIN[$frac] ROLL_MED[$frac] < <(minmed <"$WORK/roll-$fi")
  read -r SQL_MIN[$frac] SQL_MED[$frac] < <(minmed <"$WORK/sql-$fi")
  read -r FLOOR_MIN[$frac] FLOOR_MED[$frac] < <(minmed <"$WORK/floor-$fi")
  [ "$fi" -eq $((${#FRACTIONS[@]} - 1)) ] || run sql "$ADMIN_URL" -c "DROP DATABASE \"$tpl\""
done
FULL=${FRACTIONS[-1]}
LAST_URL=$(url_for "$LAST_DB")

# ---------------------------------------------------------------------------------------------------------------
# Peers (issue 16 point 2): the roll-up rewritten in pandas and in DuckDB (bench/peers/), each reading the raw inputs
# exported once from $LAST_DB and the YAML catalogues, timed against this run's `dti rollup`, compared row by row.
# BENCH_ONLY=peers stops after this section (full scale only, no readers, export, portal or million-row load).
say "peers: pandas and DuckDB rewrites of the roll-up ($LAST_DB)"
source "$ROOT/bench/peers/bench-peers.sh"
PEER_RUNS=${BENCH_PEER_RUNS:-$RUNS} peers_section "$LAST_URL" "$YEAR" "${ROLL_MIN[$FULL]}" "$WORK/peers" \
  || PEERS_MD="| peers: pandas and DuckDB rewrites of the roll-up | failed (see $WORK/peers) | | ❌ missed |"$'\n'
if [ "${BENCH_ONLY:-}" = peers ]; then
  COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
  {
    echo "# dti benchmarks: peers only (BENCH_ONLY=peers)"
    echo
    echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit $COMMIT; \`$(basename "$DTI")\` release build; $(nproc) cores; PostgreSQL $PG_VERSION"
    echo "- data: \`dti synth --scale $SCALE --seed $SEED\` (BENCH_SCALE=$BENCH_SCALE): ${NPROV[$FULL]} provinces, ${ROWS[$FULL]} commune rows for $YEAR; database $LAST_DB"
    echo
    echo "| measurement | result | target | |"
    echo "|---|---|---|---|"
    echo "| roll-up: \`dti rollup --year $YEAR\`, ${NPROV[$FULL]} provinces (min / median of $RUNS runs) | $(calc '%.2f' "${ROLL_MIN[$FULL]}") s / $(calc '%.2f' "${ROLL_MED[$FULL]}") s | | |"
    printf '%s' "$PEERS_MD"
  } >"$OUT.tmp"
  mv "$OUT.tmp" "$OUT"; echo >&2; cat "$OUT"; exit 0
fi

# ---------------------------------------------------------------------------------------------------------------
say "database size ($LAST_DB)"
read -r SV_ROWS SV_BYTES SV_HEAP DB_BYTES PLAIN_ROWS PLAIN_BYTES < <(sqlv "$LAST_URL" "
  SELECT (SELECT count(*) FROM dti.submission_values), pg_total_relation_size('dti.submission_sheets'),
         pg_relation_size('dti.submission_sheets'), pg_database_size(current_database()),
         (SELECT count(*) FROM bench_plain.submissions), pg_total_relation_size('bench_plain.submissions')" | tr '|' ' ')

# ---------------------------------------------------------------------------------------------------------------
# ---------------------------------------------------------------------------------------------------------------
# Readers: the analyst queries of the README, each run READ_RUNS times in one psql session, warm; the server's time
# per query as psql's \timing reports it (round trip on the Unix socket included). Median of the runs.
say "readers: one indicator of a year, one unit's year, v_submission_status ($LAST_DB)"
READ_RUNS=${BENCH_READ_RUNS:-7}
# read_ms SQL: the median \timing of SQL over READ_RUNS runs (after one untimed run).
read_ms() {
  local q=$1 i script
  script="\\o /dev/null"$'\n'"$q;"$'\n'"\\timing on"
  for i in $(seq 1 "$READ_RUNS"); do script+=$'\n'"$q;"; done
  printf '%s\n' "$script" | psql -X -q -v ON_ERROR_STOP=1 "$LAST_URL" 2>>"$LOG" | awk '/^Time: / { print $2 }' | minmed | awk '{ print $2 }'
}
READ_UNIT_CODE=$(sqlv "$LAST_URL" "SELECT u.code FROM dti.units u WHERE u.level = 'commune' AND u.code LIKE 'mau-%' ORDER BY md5(u.code) LIMIT 1")
Q_INDICATOR="SELECT unit_code, variable, value FROM dti.v_submitted_values WHERE year = $YEAR AND catalogue_id = 'commune-data-$YEAR' AND indicator_code = '3.4'"
Q_UNIT="SELECT catalogue_id, indicator_code, variable, value, value_text FROM dti.v_submitted_values WHERE year = $YEAR AND unit_code = '$READ_UNIT_CODE'"
Q_STATUS="SELECT * FROM dti.v_submission_status WHERE year = $YEAR"
READ_INDICATOR_ROWS=$(sqlv "$LAST_URL" "SELECT count(*) FROM ($Q_INDICATOR) q")
READ_UNIT_ROWS=$(sqlv "$LAST_URL" "SELECT count(*) FROM ($Q_UNIT) q")
READ_STATUS_ROWS=$(sqlv "$LAST_URL" "SELECT count(*) FROM ($Q_STATUS) q")
READ_INDICATOR_MS=$(read_ms "$Q_INDICATOR")
READ_UNIT_MS=$(read_ms "$Q_UNIT")
READ_STATUS_MS=$(read_ms "$Q_STATUS")
echo "   one indicator $READ_INDICATOR_MS ms ($READ_INDICATOR_ROWS rows), one unit $READ_UNIT_MS ms ($READ_UNIT_ROWS rows), v_submission_status $READ_STATUS_MS ms ($READ_STATUS_ROWS rows)" >&2
{ echo "$Q_INDICATOR"; echo "$Q_UNIT"; echo "$Q_STATUS"; } >"$WORK/reader-queries.sql"

say "export: $EXPORTS random districts, --years 2022-$YEAR --children --format csv"
mapfile -t DISTRICTS < <(sqlv "$LAST_URL" "SELECT code FROM dti.units WHERE level = 'district' AND code LIKE 'mau-%' ORDER BY md5(code || 'bench') LIMIT $EXPORTS")
[ "${#DISTRICTS[@]}" -gt 0 ] || { echo "bench: no synthetic districts to export" >&2; exit 1; }
mkdir -p "$WORK/export"
export_one() { run env DATABASE_URL="$LAST_URL" "$DTI" export --unit "$1" --years "2022-$YEAR" --children --format csv --out "$WORK/export/x"; }
export_one "${DISTRICTS[0]}"   # warm-up, untimed
: >"$WORK/export-times"
for i in $(seq 0 $((EXPORTS - 1))); do
  d=${DISTRICTS[$((i % ${#DISTRICTS[@]}))]}
  t0=$(now); export_one "$d"; t1=$(now)
  elapsed "$t0" "$t1" >>"$WORK/export-times"; echo >>"$WORK/export-times"
done
EXP_P50=$(percentile 50 <"$WORK/export-times")
EXP_P95=$(percentile 95 <"$WORK/export-times")
EXP_MAX=$(sort -g "$WORK/export-times" | tail -1)

# ---------------------------------------------------------------------------------------------------------------
# The portal (issue 18): PORTAL_SESSIONS district logins signed in at once, each loading its district's page
# (2022–YEAR) again and again for PORTAL_SECONDS through `dti serve` on loopback; p95 of the page and the server's
# peak RSS (VmHWM).
say "portal: $PORTAL_SESSIONS signed-in sessions, ${PORTAL_SECONDS} s of district pages"
PORTAL_PASSWORD="bench-$$"
portal_pairs=()
for i in $(seq 0 $((PORTAL_SESSIONS - 1))); do
  d=${DISTRICTS[$((i % ${#DISTRICTS[@]}))]}
  printf '%s\n' "$PORTAL_PASSWORD" | run env DATABASE_URL="$LAST_URL" "$DTI" db create-login "bench_portal_$i" --kind district --district "$d" --password-stdin
  portal_pairs+=("bench_portal_$i=$d")
done
PORTAL_PORT=$(python3 -c 'import socket
for p in range(18081, 18100):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p)); s.close(); print(p); break
    except OSError:
        s.close()')
DATABASE_URL="$LAST_URL" "$DTI" serve --bind 127.0.0.1 --port "$PORTAL_PORT" >"$WORK/portal.log" 2>&1 &
PORTAL_PID=$!
for _ in $(seq 1 120); do
  python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORTAL_PORT/healthz', timeout=1)" >/dev/null 2>&1 && break
  sleep 0.25
done
# The load: wrk (C, one thread per session; installed when root) when it can be had, the Python script otherwise.
# The Python script's threads share one interpreter lock and parse every page themselves, so it measured its own
# queueing too; its figure is kept beside wrk's for comparison with earlier results.
if ! command -v wrk >/dev/null && [ "$(id -u)" -eq 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends wrk >>"$LOG" 2>&1 || true
fi
PORTAL_PY=""
if command -v wrk >/dev/null; then
  PORTAL_TOOL="wrk $( (wrk --version 2>&1 || true) | awk 'NR == 1 { print $2 }'), one thread and connection per session"
  python3 scripts/portal-load.py --sign-in "http://127.0.0.1:$PORTAL_PORT" "$PORTAL_PASSWORD" "${portal_pairs[@]}" >"$WORK/portal-sessions.txt"
  read -r _ PORTAL_REQUESTS _ PORTAL_ERRORS _ PORTAL_P50 _ PORTAL_P95 _ PORTAL_MAX < <(PORTAL_SESSIONS_FILE="$WORK/portal-sessions.txt" \
    wrk -t "$PORTAL_SESSIONS" -c "$PORTAL_SESSIONS" -d "${PORTAL_SECONDS}s" --timeout 30s -s scripts/portal-wrk.lua \
        "http://127.0.0.1:$PORTAL_PORT" | tail -1)
  PORTAL_PY=$(python3 scripts/portal-load.py "http://127.0.0.1:$PORTAL_PORT" "$PORTAL_PASSWORD" "$PORTAL_SECONDS" "${portal_pairs[@]}")
else
  PORTAL_TOOL="scripts/portal-load.py (Python threads; wrk not installed)"
  read -r _ PORTAL_REQUESTS _ PORTAL_ERRORS _ PORTAL_P50 _ PORTAL_P95 _ PORTAL_MAX < <(python3 scripts/portal-load.py \
    "http://127.0.0.1:$PORTAL_PORT" "$PORTAL_PASSWORD" "$PORTAL_SECONDS" "${portal_pairs[@]}")
fi
PORTAL_RSS_KB=$(awk '/VmHWM/ { print $2 }' "/proc/$PORTAL_PID/status" 2>/dev/null || echo 0)
kill "$PORTAL_PID" 2>/dev/null || true; wait "$PORTAL_PID" 2>/dev/null || true
PORTAL_RSS_MB=$(calc '%.1f' "$PORTAL_RSS_KB / 1024")

# ---------------------------------------------------------------------------------------------------------------
# The million-row load: every year's commune data in one file, into a database holding only units and catalogues,
# versus \copy of the same file (the ETL issue's acceptance measurement).
say "one file of all commune data 2022–$YEAR: dti load vs \\copy"
BIG=$WORK/commune-data-all.csv
head -1 "$SYNTH/commune-data-2022.csv" >"$BIG"
for y in $(seq 2022 "$YEAR"); do tail -n +2 "$SYNTH/commune-data-$y.csv" >>"$BIG"; done
BIG_ROWS=$(($(wc -l <"$BIG") - 1))
run sql "$ADMIN_URL" -c "CREATE DATABASE bench_big_tpl"
(
  export DATABASE_URL=$(url_for bench_big_tpl)
  run "$DTI" db migrate
  run "$DTI" units load etl/reference/peer-groups.csv etl/reference/units.csv "$SYNTH/peer-groups.csv" "$SYNTH/units.csv"
  run "$DTI" catalogue load
)
run sql "$(url_for bench_big_tpl)" -c "VACUUM ANALYZE" \
  -c "CREATE TABLE public.plain_submissions (unit_code text, year integer, catalogue text, indicator text, variable text, value text, evidence text, stage text)" \
  -c "CREATE TABLE public.floor_values (value_id bigint GENERATED ALWAYS AS IDENTITY, batch_id bigint, unit_id integer, year smallint,
                                         item_id integer, stage dti.stage, value numeric, value_text text, evidence text, source_ref text)" \
  -c "CREATE UNIQUE INDEX ON public.floor_values (unit_id, year, item_id, stage, value_id DESC)"
: >"$WORK/big-load"; : >"$WORK/big-copy"; : >"$WORK/big-floor"
for r in $(seq 1 "$RUNS"); do
  run sql "$ADMIN_URL" -c "DROP DATABASE IF EXISTS bench_big" -c "CREATE DATABASE bench_big TEMPLATE bench_big_tpl" -c "CHECKPOINT"
  url=$(url_for bench_big)
  timed t_load env DATABASE_URL="$url" /usr/bin/time -v -o "$WORK/time-v" "$DTI" load "$BIG"
  rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$WORK/time-v")
  [ "$rss" -gt "$RSS_KB" ] && RSS_KB=$rss
  run sql "$url" -c "CHECKPOINT"
  timed t_copy sql "$url" -c "\\copy public.plain_submissions FROM '$BIG' WITH (FORMAT csv, HEADER true)"
  # What the layout before migration 0012 cost by itself: the values dti load wrote, already resolved and valid, inserted
  # one row per value into a table with that layout's key B-tree. No reading, parsing or validation.
  run sql "$url" -c "CHECKPOINT"
  timed t_floor sql "$url" -c "INSERT INTO public.floor_values (batch_id, unit_id, year, item_id, stage, value, value_text, evidence, source_ref)
                               SELECT batch_id, unit_id, year, item_id, stage, value, value_text, evidence, source_ref FROM dti.submission_values"
  echo "$t_load" >>"$WORK/big-load"; echo "$t_copy" >>"$WORK/big-copy"; echo "$t_floor" >>"$WORK/big-floor"
  printf '   run %d: dti load %6.2f s, \\copy %6.2f s, floor %6.2f s (%d rows), load RSS %d MB\n' "$r" "$t_load" "$t_copy" "$t_floor" "$BIG_ROWS" $((rss / 1024)) >&2
done
read -r BIG_LOAD_MIN BIG_LOAD_MED < <(minmed <"$WORK/big-load")
read -r BIG_COPY_MIN BIG_COPY_MED < <(minmed <"$WORK/big-copy")
read -r BIG_FLOOR_MIN BIG_FLOOR_MED < <(minmed <"$WORK/big-floor")
run sql "$ADMIN_URL" -c "DROP DATABASE IF EXISTS bench_big" -c "DROP DATABASE bench_big_tpl"

# ---------------------------------------------------------------------------------------------------------------
BENCH_SECONDS=$(elapsed "$BENCH_START" "$(now)")
LOAD_RATIO_MIN=$(calc '%.2f' "${LOAD_MIN[$FULL]} / ${COPY_MIN[$FULL]}")
LOAD_RATIO_MED=$(calc '%.2f' "${LOAD_MED[$FULL]} / ${COPY_MED[$FULL]}")
ROLL_RATIO_MIN=$(calc '%.2f' "${ROLL_MIN[$FULL]} / ${SQL_MIN[$FULL]}")
ROLL_RATIO_MED=$(calc '%.2f' "${ROLL_MED[$FULL]} / ${SQL_MED[$FULL]}")
FLOOR_RATIO_MIN=$(calc '%.2f' "${ROLL_MIN[$FULL]} / ${FLOOR_MIN[$FULL]}")
FLOOR_RATIO_MED=$(calc '%.2f' "${ROLL_MED[$FULL]} / ${FLOOR_MED[$FULL]}")
RSS_MB=$(calc '%.1f' "$RSS_KB / 1024")
MIB=1048576
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -z "$(git status --porcelain -- Sources sql Package.swift 2>/dev/null)" ] || COMMIT="$COMMIT (uncommitted changes in Sources/ or sql/)"
CPU=$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || echo unknown)
RUNS_NOTE="min / median of $RUNS runs"
if [ -n "$SYNTH_SECONDS" ]; then SYNTH_NOTE="synth took $(calc '%.0f' "$SYNTH_SECONDS") s"; else SYNTH_NOTE="synth cached"; fi

{
  echo "# dti benchmarks"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit $COMMIT; \`$(basename "$DTI")\` release build"
  echo "- machine: $(nproc) cores, $CPU; PostgreSQL $PG_VERSION (embedded, \`DTI_STATE_DIR=${DTI_STATE_DIR#"$ROOT"/}\`)"
  echo "- data: \`dti synth --scale $SCALE --seed $SEED\` (BENCH_SCALE=$BENCH_SCALE): $PROVINCES provinces;" \
       "timed file \`commune-data-$YEAR.csv\`, ${ROWS[$FULL]} rows; $SYNTH_NOTE"
  echo "- each run: a fresh database cloned from a template holding units, catalogues, profiles and district data" \
       "2022–$YEAR, commune data 2022–$((YEAR - 1)) rolled up; then \`dti load\`, \`\\copy\`, \`dti rollup --year $YEAR\`, SQL GROUP BY"
  echo "- whole bench: $(calc '%.0f' "$BENCH_SECONDS") s"
  echo
  echo "| measurement | result | target | |"
  echo "|---|---|---|---|"
  echo "| load: \`dti load\` ${ROWS[$FULL]} rows ($RUNS_NOTE) | $(calc '%.2f' "${LOAD_MIN[$FULL]}") s / $(calc '%.2f' "${LOAD_MED[$FULL]}") s | | |"
  echo "| load: psql \`\\copy\` into a plain table | $(calc '%.2f' "${COPY_MIN[$FULL]}") s / $(calc '%.2f' "${COPY_MED[$FULL]}") s | | |"
  echo "| **load ratio** dti / \\copy (min, median) | **${LOAD_RATIO_MIN}×**, ${LOAD_RATIO_MED}× | ≤ ${T_LOAD_RATIO}× | $(verdict "$LOAD_RATIO_MED" "$T_LOAD_RATIO") |"
  echo "| load of one file of $BIG_ROWS rows (commune data 2022–$YEAR) into an empty warehouse: \`dti load\` / \`\\copy\` ($RUNS_NOTE) | $(calc '%.2f' "$BIG_LOAD_MIN") s / $(calc '%.2f' "$BIG_LOAD_MED") s vs $(calc '%.2f' "$BIG_COPY_MIN") s / $(calc '%.2f' "$BIG_COPY_MED") s | | |"
  echo "| **load ratio, $BIG_ROWS rows** (min, median) | **$(calc '%.2f' "$BIG_LOAD_MIN / $BIG_COPY_MIN")×**, $(calc '%.2f' "$BIG_LOAD_MED / $BIG_COPY_MED")× | ≤ ${T_LOAD_RATIO}× | $(verdict "$(calc '%.2f' "$BIG_LOAD_MED / $BIG_COPY_MED")" "$T_LOAD_RATIO") |"
  echo "| for comparison, the layout before migration 0012: the same $BIG_ROWS values already resolved, one \`INSERT … SELECT\` into a table of one row per value with its key B-tree (no reading, no validation) | $(calc '%.2f' "$BIG_FLOOR_MIN") s / $(calc '%.2f' "$BIG_FLOOR_MED") s = $(calc '%.2f' "$BIG_FLOOR_MIN / $BIG_COPY_MIN")× the \\copy | | |"
  echo "| roll-up: \`dti rollup --year $YEAR\`, ${NPROV[$FULL]} provinces ($RUNS_NOTE) | $(calc '%.2f' "${ROLL_MIN[$FULL]}") s / $(calc '%.2f' "${ROLL_MED[$FULL]}") s | | |"
  echo "| roll-up: one \`INSERT … SELECT … GROUP BY\` communes → districts | $(calc '%.2f' "${SQL_MIN[$FULL]}") s / $(calc '%.2f' "${SQL_MED[$FULL]}") s | | |"
  echo "| roll-up ratio dti / plain GROUP BY (min, median; for comparison with earlier results) | ${ROLL_RATIO_MIN}×, ${ROLL_RATIO_MED}× | | |"
  echo "| roll-up fair floor: the same district sums over current values with the catalogues' feed mapping, one \`INSERT … SELECT\` (differing from dti's derived values: ${FLOOR_BAD[$FULL]}) | $(calc '%.2f' "${FLOOR_MIN[$FULL]}") s / $(calc '%.2f' "${FLOOR_MED[$FULL]}") s | | |"
  echo "| **roll-up ratio** dti / fair floor (min, median) | **${FLOOR_RATIO_MIN}×**, ${FLOOR_RATIO_MED}× | ≤ ${T_ROLLUP_RATIO}× | $(verdict "$FLOOR_RATIO_MED" "$T_ROLLUP_RATIO") |"
  echo "| export p50 / p95 (max) over $EXPORTS districts, 2022–$YEAR, \`--children --format csv\`, warm | $(calc '%.0f' "$EXP_P50 * 1000") ms / $(calc '%.0f' "$EXP_P95 * 1000") ms ($(calc '%.0f' "$EXP_MAX * 1000") ms) | p95 ≤ $T_EXPORT_P95_MS ms | $(verdict "$(calc '%.0f' "$EXP_P95 * 1000")" "$T_EXPORT_P95_MS") |"
  echo "| readers: one indicator across all units of $YEAR (\`v_submitted_values\`, commune-data-$YEAR 3.4, $READ_INDICATOR_ROWS rows; median of $READ_RUNS, warm) | $READ_INDICATOR_MS ms | ≤ $T_READ_INDICATOR_MS ms | $(verdict "$READ_INDICATOR_MS" "$T_READ_INDICATOR_MS") |"
  echo "| readers: all values of one unit for $YEAR (\`v_submitted_values\`, $READ_UNIT_CODE, $READ_UNIT_ROWS rows) | $READ_UNIT_MS ms | ≤ $T_READ_UNIT_MS ms | $(verdict "$READ_UNIT_MS" "$T_READ_UNIT_MS") |"
  echo "| readers: \`v_submission_status\` for $YEAR ($READ_STATUS_ROWS rows) | $READ_STATUS_MS ms | ≤ $T_READ_STATUS_MS ms | $(verdict "$READ_STATUS_MS" "$T_READ_STATUS_MS") |"
  echo "| portal: district page p50 / p95 (max), $PORTAL_SESSIONS signed-in sessions at once for $PORTAL_SECONDS s, \`dti serve\` on loopback, $PORTAL_TOOL ($PORTAL_REQUESTS pages, $PORTAL_ERRORS errors) | $PORTAL_P50 ms / **$PORTAL_P95 ms** ($PORTAL_MAX ms) | p95 < $T_PORTAL_P95_MS ms | $(verdict "$PORTAL_P95" "$T_PORTAL_P95_MS") |"
  if [ -n "$PORTAL_PY" ]; then
    read -r _ py_n _ py_e _ py_p50 _ py_p95 _ py_max <<<"$PORTAL_PY"
    echo "| portal, for comparison: the same with \`scripts/portal-load.py\` (50 Python threads, the earlier client; $py_n pages, $py_e errors) | $py_p50 ms / $py_p95 ms ($py_max ms) | | |"
  fi
  echo "| portal: peak RSS of \`dti serve\` (VmHWM) | **$PORTAL_RSS_MB MB** | < $T_PORTAL_RSS_MB MB | $(verdict "$PORTAL_RSS_MB" "$T_PORTAL_RSS_MB") |"
  echo "| **peak RSS of \`dti load\`** (max over runs) | **$RSS_MB MB** | ≤ $T_RSS_MB MB | $(verdict "$RSS_MB" "$T_RSS_MB") |"
  echo "| size of dti.submission_sheets (table + indexes + toast) per million values | $(calc '%.0f' "$SV_BYTES / $SV_ROWS * 1e6 / $MIB") MiB (heap only $(calc '%.0f' "$SV_HEAP / $SV_ROWS * 1e6 / $MIB") MiB; $SV_ROWS values) | | |"
  echo "| whole database per million submission rows (incl. scores, catalogues) | $(calc '%.0f' "$DB_BYTES / $SV_ROWS * 1e6 / $MIB") MiB | | |"
  echo "| plain 8-column table per million rows (for comparison) | $(calc '%.0f' "$PLAIN_BYTES / $PLAIN_ROWS * 1e6 / $MIB") MiB | | |"
  printf '%s' "$PEERS_MD"   # the peers section (bench/peers/)
  echo
  echo "## Growth (min of $RUNS runs; µs per commune row of the timed file)"
  echo
  echo "| share of scale $SCALE | provinces | rows | dti load | µs/row | \\copy µs/row | dti rollup | µs/row | SQL µs/row | feed floor | rollup / floor | note |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
  full_load=$(calc '%.6f' "${LOAD_MIN[$FULL]} / ${ROWS[$FULL]}")
  full_roll=$(calc '%.6f' "${ROLL_MIN[$FULL]} / ${ROWS[$FULL]}")
  for frac in "${FRACTIONS[@]}"; do
    n=${ROWS[$frac]}
    # Per-row cost more than twice the full scale's (or less than half) is not linear growth: flag it.
    note=$(awk -v l="${LOAD_MIN[$frac]}" -v r="${ROLL_MIN[$frac]}" -v n="$n" -v fl="$full_load" -v fr="$full_roll" 'BEGIN {
      a = l / n / fl; b = r / n / fr; s = ""
      if (a > 2 || a < 0.5) s = s sprintf("⚠ load %.1f× the per-row cost at 100 %% ", a)
      if (b > 2 || b < 0.5) s = s sprintf("⚠ rollup %.1f× the per-row cost at 100 %%", b)
      print s }')
    echo "| $(calc '%g' "$frac * 100") % | ${NPROV[$frac]} | $n | $(calc '%.2f' "${LOAD_MIN[$frac]}") s | $(calc '%.1f' "${LOAD_MIN[$frac]} / $n * 1e6") |" \
         "$(calc '%.1f' "${COPY_MIN[$frac]} / $n * 1e6") | $(calc '%.2f' "${ROLL_MIN[$frac]}") s | $(calc '%.1f' "${ROLL_MIN[$frac]} / $n * 1e6") |" \
         "$(calc '%.1f' "${SQL_MIN[$frac]} / $n * 1e6") | $(calc '%.2f' "${FLOOR_MIN[$frac]}") s | $(calc '%.1f' "${ROLL_MIN[$frac]} / ${FLOOR_MIN[$frac]}")× | $note |"
  done
  echo
  echo "Timings are wall clock of whole processes (connection and start-up included) on a shared machine; the ratios" \
       "compare like with like. Reproduce: \`BENCH_SCALE=$BENCH_SCALE make bench\`; raw timings and logs in \`${WORK#"$ROOT"/}\`;" \
       "database \`$LAST_DB\` is kept in the bench cluster (\`DTI_STATE_DIR=${DTI_STATE_DIR#"$ROOT"/} dti db up\`)."
} >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
echo >&2
cat "$OUT"
