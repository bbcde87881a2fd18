#!/usr/bin/env bash
# bench/peers/export.sh DATABASE_URL OUTDIR YEAR: the raw inputs the roll-up of YEAR reads, as CSV (psql \copy), once;
# the peers (rollup_pandas.py, rollup_duckdb.py) read these and the YAML catalogues, nothing else.
#   units.csv           every unit: id, code, level, parent, validity, declared peer group, tags
#   peer_groups.csv     the peer groups
#   unit_lineage.csv    merged units and their predecessors
#   items.csv           catalogue items: item_id → (catalogue, indicator, variable)
#   values.csv          current values (dti.current_values: the newest of every unit, year, item, stage) of YEAR for
#                       every unit and of YEAR-1 for the units that are scored (previous_year_of reads them)
set -euo pipefail
url=$1 out=$2 year=$3
mkdir -p "$out"
psql -X -q -v ON_ERROR_STOP=1 "$url" <<SQL
\copy (SELECT unit_id, code, level, parent_code, valid_from, valid_to, peer_group, array_to_string(tags, '|') AS tags FROM dti.units ORDER BY unit_id) TO '$out/units.csv' WITH (FORMAT csv, HEADER true)
\copy (SELECT code, name FROM dti.peer_groups ORDER BY code) TO '$out/peer_groups.csv' WITH (FORMAT csv, HEADER true)
\copy (SELECT unit_code, predecessor_code FROM dti.unit_lineage ORDER BY 1, 2) TO '$out/unit_lineage.csv' WITH (FORMAT csv, HEADER true)
\copy (SELECT item_id, catalogue_id, indicator_code, variable FROM dti.catalogue_items ORDER BY item_id) TO '$out/items.csv' WITH (FORMAT csv, HEADER true)
\copy (SELECT v.unit_id, v.year, v.stage, v.item_id, v.value, v.value_text FROM dti.current_values v WHERE v.year = $year OR (v.year = $((year - 1)) AND v.unit_id IN (SELECT unit_id FROM dti.units WHERE level <> 'commune'))) TO '$out/values.csv' WITH (FORMAT csv, HEADER true)
SQL
