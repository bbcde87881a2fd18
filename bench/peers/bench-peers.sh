# Sourced by scripts/bench.sh (the "peers" section, issue 16 point 2); also runnable by hand:
#   bench/peers/bench-peers.sh DATABASE_URL YEAR DTI_ROLLUP_SECONDS [WORKDIR]
# peers_section URL YEAR DTI_SECONDS WORKDIR: exports the raw inputs once (timed), runs each peer PEER_RUNS times
# (wall clock of the process, reading included), compares each peer's output with dti's rows in URL, and sets
# PEERS_MD to the rows of the results table. Python is bench tooling here, never the product.

PEERS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# peers_python: python3 with pandas, duckdb and yaml, installed from PyPI when root; returns 1 (and says why) if not.
peers_python() {
  local missing=()
  command -v python3 >/dev/null || { PEERS_SKIP="no python3"; return 1; }
  python3 -c 'import pandas' 2>/dev/null || missing+=(pandas)
  python3 -c 'import duckdb' 2>/dev/null || missing+=(duckdb)
  python3 -c 'import yaml' 2>/dev/null || missing+=(pyyaml)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -eq 0 ]; then
    echo "installing ${missing[*]} from PyPI for the peers" >&2
    python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore "${missing[@]}" >&2 2>/tmp/dti-pip.log \
      || python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore --break-system-packages "${missing[@]}" >&2 2>>/tmp/dti-pip.log \
      || { PEERS_SKIP="pip install ${missing[*]} failed (/tmp/dti-pip.log)"; return 1; }
    return 0
  fi
  PEERS_SKIP="python3 lacks ${missing[*]} (python3 -m pip install ${missing[*]})"
  return 1
}

peers_section() {
  local url=$1 year=$2 dti_s=$3 work=$4 runs=${PEER_RUNS:-3} t0 t1 name script i times best med cmp bad rows
  PEERS_MD=""
  if ! peers_python; then
    echo "   peers: skipped ($PEERS_SKIP)" >&2
    PEERS_MD="| peers: pandas and DuckDB rewrites of the roll-up (bench/peers/) | skipped: $PEERS_SKIP | ≥ 2× slower than dti, 0 mismatches | skipped |"$'\n'
    return 0
  fi
  rm -rf "$work"; mkdir -p "$work"
  t0=$(date +%s.%N)
  "$PEERS_DIR/export.sh" "$url" "$work/export" "$year" >"$work/export.log" 2>&1 || { echo "peers: export failed" >&2; cat "$work/export.log" >&2; return 1; }
  t1=$(date +%s.%N)
  rows=$(($(wc -l <"$work/export/values.csv") - 1))
  local export_s; export_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
  echo "   peers: export of the raw inputs $export_s s ($rows values)" >&2
  PEERS_MD+="| peers: export of the raw inputs of $year once (\`bench/peers/export.sh\`, psql \`\\copy\` of units, items, $rows current values) | $export_s s | | |"$'\n'
  for name in pandas duckdb; do
    script=$PEERS_DIR/rollup_$name.py
    if [ ! -f "$script" ]; then
      PEERS_MD+="| peers: $name rewrite (\`bench/peers/rollup_$name.py\`) | not written yet | | ❌ missed |"$'\n'
      continue
    fi
    : >"$work/$name-times"
    for i in $(seq 1 "$runs"); do
      t0=$(date +%s.%N)
      if ! python3 "$script" --export "$work/export" --catalogues "$PEERS_DIR/../../etl/catalogues" --year "$year" --out "$work/$name" >"$work/$name.log" 2>&1; then
        echo "   peers: $name failed (see $work/$name.log)" >&2; tail -5 "$work/$name.log" >&2
        PEERS_MD+="| peers: $name rewrite (\`bench/peers/rollup_$name.py\`) | failed: $(tail -1 "$work/$name.log" | tr '|' '/') | | ❌ missed |"$'\n'
        continue 2
      fi
      t1=$(date +%s.%N)
      awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f\n", b - a }' >>"$work/$name-times"
    done
    read -r best med < <(sort -g "$work/$name-times" | awk '{ a[NR] = $1 } END { m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; print a[1], m }')
    python3 "$PEERS_DIR/compare.py" --out "$work/$name" --year "$year" --name "$name" "$url" >"$work/$name-compare.log" 2>&1 || true
    cat "$work/$name-compare.log" >&2
    bad=$(awk '/: mismatches / { print $NF }' "$work/$name-compare.log" | tail -1)
    cmp=$(awk -v n="$name" '$1 == n ":" && $2 != "mismatches" && $3 ~ /^[0-9]+$/ { printf "%s%s %s", sep, $3, $2; sep = ", " }' "$work/$name-compare.log")
    [ -n "$bad" ] || bad="?"
    local ratio; ratio=$(awk -v p="$best" -v d="$dti_s" 'BEGIN { printf "%.2f", p / d }')
    PEERS_MD+="| peers: $name rewrite (\`bench/peers/rollup_$name.py\`, reads the export and the YAML; min / median of $runs runs) vs \`dti rollup --year $year\` of this run (min) | $(printf '%.2f' "$best") s / $(printf '%.2f' "$med") s vs $(printf '%.2f' "$dti_s") s | | |"$'\n'
    PEERS_MD+="| **peers: $name / dti rollup** (min) | **${ratio}×** | ≥ 2× | $(awk -v r="$ratio" 'BEGIN { print (r >= 2 ? "✅ met" : "❌ missed") }') |"$'\n'
    PEERS_MD+="| **peers: $name mismatches** against dti, row by row, exact decimals ($cmp) | **$bad** | 0 | $( [ "$bad" = 0 ] && echo "✅ met" || echo "❌ missed") |"$'\n'
    echo "   peers: $name $(printf '%.2f' "$best") s (dti rollup $dti_s s: ${ratio}×), $bad mismatches" >&2
  done
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  [ $# -ge 3 ] || { echo "usage: $0 DATABASE_URL YEAR DTI_ROLLUP_SECONDS [WORKDIR]" >&2; exit 1; }
  peers_section "$1" "$2" "$3" "${4:-/tmp/dti-peers}"
  printf '%s' "$PEERS_MD"
fi
