#!/usr/bin/env python3
"""Compares a peer's output (--out DIR of rollup_pandas.py or rollup_duckdb.py) with dti's own results of the year
in DATABASE_URL, row by row, exact decimals: prints rows compared and mismatches per kind; exit 1 on any mismatch."""
import argparse
import sys

import common as C

ap = argparse.ArgumentParser(description=__doc__)
ap.add_argument("--out", required=True)
ap.add_argument("--year", type=int, required=True)
ap.add_argument("--name", default="peer")
ap.add_argument("url")
a = ap.parse_args()
sys.exit(1 if C.compare(a.url, a.year, C.read_results(a.out), a.name) else 0)
