#!/usr/bin/env python3
"""The roll-up of one year rewritten in DuckDB SQL (bench tooling, never the product); Python is only glue: it reads
the YAML catalogues into small tables and writes one SQL expression per leaf indicator from its rule.

Exact arithmetic without floats: every input value is a fraction of two HUGEINTs (value × 10^6 / 10^6), a formula is
evaluated as one fraction, and the one division DTICore makes (Fraction.value) is a long division in HUGEINT, rounded
half to even at the 20th place. Points, pillar totals and percents are HUGEINTs scaled by 10^20 (DuckDB's DECIMAL
division gives a DOUBLE, so it is never used).

  python3 bench/peers/rollup_duckdb.py --export DIR --catalogues etl/catalogues --year 2024 [--out DIR] [--compare URL]
"""

import argparse
import sys
import time
from decimal import Decimal

import duckdb

import common as C

E20 = "CAST('100000000000000000000' AS HUGEINT)"
E10 = "CAST(10000000000 AS HUGEINT)"
IN = 1000000            # input values: fractions over 10^6


def lit(d):
    return "NULL" if d is None else "'" + str(d).replace("'", "''") + "'"


def h20(d):
    """A decimal constant as a HUGEINT scaled by 10^20 (exact: no constant has more than 20 places)."""
    return "NULL" if d is None else f"CAST('{int(Decimal(d).scaleb(20))}' AS HUGEINT)"


def fl(d):
    """A decimal constant as an exact fraction of two small HUGEINT literals."""
    d = Decimal(d)
    e = -min(d.as_tuple().exponent, 0)
    return (f"CAST('{int(d.scaleb(e))}' AS HUGEINT)", f"CAST('{10 ** e}' AS HUGEINT)")


def frac_sql(f, col):
    """A formula as two SQL expressions (numerator, denominator) over the pivoted columns v_<name>_n (every input over 10^6)."""
    k = f[0]
    if k == "num":
        n, e = Decimal(f[1]).as_tuple(), -min(Decimal(f[1]).as_tuple().exponent, 0)
        return (f"CAST('{int(Decimal(f[1]).scaleb(e))}' AS HUGEINT)", f"CAST('{10 ** e}' AS HUGEINT)")
    if k == "var":
        return (col(f[1]) + "_n", f"CAST({IN} AS HUGEINT)")   # every input is a fraction over 10^6
    if k == "neg":
        n, d = frac_sql(f[1], col)
        return (f"(-({n}))", d)
    (ln, ld), (rn, rd) = frac_sql(f[1], col), frac_sql(f[2], col)
    if k in ("add", "sub") and ld == rd:
        return (f"(({ln}){'+' if k == 'add' else '-'}({rn}))", ld)
    if k == "add":
        return (f"(({ln})*({rd})+({rn})*({ld}))", f"(({ld})*({rd}))")
    if k == "sub":
        return (f"(({ln})*({rd})-({rn})*({ld}))", f"(({ld})*({rd}))")
    if k == "mul":
        return (f"(({ln})*({rn}))", f"(({ld})*({rd}))")
    return (f"(({ln})*({rd}))", f"(({ld})*({rn}))")    # div: the sign of the denominator is fixed below


def zero_dens(f, col, out=None):
    """The denominators of every division in the formula (each must be non-zero)."""
    out = [] if out is None else out
    if f[0] == "div":
        out.append(frac_sql(f[2], col)[0])
    if f[0] in ("add", "sub", "mul", "div"):
        zero_dens(f[1], col, out); zero_dens(f[2], col, out)
    elif f[0] == "neg":
        zero_dens(f[1], col, out)
    return out


MACROS = f"""
CREATE MACRO dru0(n, d) AS (n // d) + CASE WHEN 2 * (n % d) > d OR (2 * (n % d) = d AND (n // d) % 2 = 1) THEN 1 ELSE 0 END;
CREATE MACRO dr0(n, d) AS CASE WHEN (n < 0) <> (d < 0) THEN -dru0(abs(n), abs(d)) ELSE dru0(abs(n), abs(d)) END;
CREATE MACRO dru20(n, d) AS (n // d) * {E20} + ((n % d) * {E10} // d) * {E10} + (((n % d) * {E10} % d) * {E10} // d)
    + CASE WHEN 2 * ((((n % d) * {E10}) % d) * {E10} % d) > d
             OR (2 * ((((n % d) * {E10}) % d) * {E10} % d) = d AND ((((n % d) * {E10}) % d) * {E10} // d) % 2 = 1) THEN 1 ELSE 0 END;
-- round half to even of n / d × 10^20 (DTICore Fraction.value, scaled by 10^20)
CREATE MACRO dr20(n, d) AS CASE WHEN (n < 0) <> (d < 0) THEN -dru20(abs(n), abs(d)) ELSE dru20(abs(n), abs(d)) END;
CREATE MACRO folded(t) AS replace(lower(strip_accents(trim(t))), 'đ', 'd');
CREATE MACRO yesno_of(t) AS CASE WHEN folded(t) IN ('co', 'yes', 'y', 'true', 'da', 'dat', 'x', '1') THEN true
                                 WHEN folded(t) IN ('khong', 'no', 'n', 'false', 'chua', '0') THEN false END;
"""


DEFS = []


def leaf_sql(cat, leaf):
    """One SELECT per leaf: (unit, indicator, status, p20, ratio20) for every unit scored on the catalogue."""
    rule = leaf["rule"]
    m = leaf["max"]
    vars_ = {v["name"]: v for v in leaf["variables"]}
    names = []

    def col(name):
        if name not in names:
            names.append(name)
        return "v_" + name

    def number_ok(name):   # present, a number, not negative unless allowed
        c = col(name)
        neg = "" if vars_.get(name, {}).get("allow_negative") else f" AND {c}_n >= 0"
        return f"({c}_n IS NOT NULL{neg})"

    def missing_any(vs):
        return " OR ".join(f"NOT {number_ok(v)}" for v in vs) or "false"

    m20 = h20(m)
    mn, md = fl(m) if m is not None else ("NULL", "NULL")
    body = None   # (status, p20, ratio20) SQL
    k = rule["kind"]
    if k == "data":
        body = ("'no_points'", "NULL", "NULL")
    elif k in ("direct", "bonus"):
        cap = h20(rule["cap"]) if k == "bonus" else m20
        p = f"dr20({col('points')}_n, CAST({IN} AS HUGEINT))"
        capped = p if cap == "NULL" else f"least({p}, {cap})"
        body = (f"CASE WHEN {missing_any(['points'])} THEN 'not_scored' ELSE 'scored' END",
                f"CASE WHEN {missing_any(['points'])} THEN NULL ELSE {capped} END", "NULL")
    elif m is None:
        body = ("'not_scored'", "NULL", "NULL")
    elif k in ("ratio", "target", "tiers", "minmax", "growth"):
        f = rule["formula"]
        n, d = frac_sql(f, col)
        vs = C.formula_vars(f)
        zero = " OR ".join(f"({z}) = 0" for z in zero_dens(f, col)) or "false"
        # normalise the sign of the denominator
        xn, xd = f"(CASE WHEN {d} < 0 THEN -({n}) ELSE {n} END)", f"abs({d})"
        # computed once per row in an inner SELECT, so that the rule's CASEs below stay small for the planner
        j = len(DEFS)
        DEFS.extend([(f"x{j}_n", xn), (f"x{j}_d", xd), (f"x{j}_z", zero), (f"x{j}_m", missing_any(vs))])
        xn, xd, zero = f"x{j}_n", f"x{j}_d", f"x{j}_z"
        miss = f"x{j}_m"
        ratio = f"dr20({xn}, {xd})"
        zp = {"zero": "0", "full": m20}.get(rule["zero"])
        zcase = f"WHEN {zero} THEN " + ("'not_scored'" if zp is None else "'scored'")
        zpts = f"WHEN {zero} THEN " + ("NULL" if zp is None else zp)
        pre_s, pre_p, pre_r = f"WHEN {miss} THEN 'not_scored' {zcase}", f"WHEN {miss} THEN NULL {zpts}", f"WHEN {miss} OR {zero} THEN NULL"
        if k == "tiers" and rule["gate"]:
            g = col(rule["gate"])
            pre_s = f"WHEN {g}_yn IS NULL THEN 'not_scored' WHEN NOT {g}_yn THEN 'scored' " + pre_s
            pre_p = f"WHEN {g}_yn IS NULL THEN NULL WHEN NOT {g}_yn THEN 0 " + pre_p
            pre_r = f"WHEN {g}_yn IS NULL OR NOT {g}_yn THEN NULL " + pre_r.replace("WHEN ", "WHEN ", 1)
        if k == "ratio":
            over = rule["over_one"]
            pts = f"CASE WHEN {xn} < 0 THEN 0 " + (f"WHEN {xn} > {xd} THEN {m20} " if over == "cap" else "") + f"ELSE dr20({xn} * {mn}, {xd} * {md}) END"
            status = f"CASE {pre_s} " + (f"WHEN {xn} >= 0 AND {xn} > {xd} THEN 'not_scored' " if over == "reject" else "") + "ELSE 'scored' END"
            if over == "reject":
                pts = f"CASE WHEN {xn} >= 0 AND {xn} > {xd} THEN NULL ELSE {pts} END"
            body = (status, f"CASE {pre_p} ELSE {pts} END", f"CASE {pre_r} " + (f"WHEN {xn} >= 0 AND {xn} > {xd} THEN NULL " if over == "reject" else "") + f"ELSE {ratio} END")
        elif k == "target":
            t20 = h20(rule["target"])
            tn, td = fl(rule["target"])
            below = f"dr20({xn} * {mn} * {td}, {xd} * {md} * {tn})" if rule["below"] == "scaled" else f"dr20({xn} * {mn}, {xd} * {md})"
            pts = f"CASE WHEN {xn} < 0 THEN 0 WHEN {xn} * {td} >= {tn} * {xd} THEN {m20} ELSE {below} END"
            body = (f"CASE {pre_s} ELSE 'scored' END", f"CASE {pre_p} ELSE {pts} END", f"CASE {pre_r} ELSE {ratio} END")
        elif k == "tiers":
            levels = " ".join(f"WHEN {xn} * {fl(at)[1]} >= {fl(at)[0]} * {xd} THEN {h20(fr * m)}" for at, fr in rule["levels"])
            pts = f"CASE {levels} ELSE {h20(rule['otherwise'] * m)} END"
            body = (f"CASE {pre_s} ELSE 'scored' END", f"CASE {pre_p} ELSE {pts} END", f"CASE {pre_r} ELSE {ratio} END")
        elif k == "growth":
            r20 = h20(rule["reference"])
            rn_, rd_ = fl(rule["reference"])
            pts = f"CASE WHEN NOT ({xn} > 0) THEN 0 WHEN {xn} * {rd_} >= {rn_} * {xd} THEN {m20} ELSE dr20({xn} * {mn} * {rd_}, {xd} * {md} * {rn_}) END"
            body = (f"CASE {pre_s} ELSE 'scored' END", f"CASE {pre_p} ELSE {pts} END", f"CASE {pre_r} ELSE {ratio} END")
        else:  # minmax: the ratio as a reduced fraction, placed among the peer group afterwards
            body = (f"CASE {pre_s} ELSE 'peers' END", f"CASE {pre_p} ELSE NULL END", f"CASE {pre_r} ELSE {ratio} END")
            return (names, body, (xn, xd), f"CASE {pre_s.replace(chr(39) + 'not_scored' + chr(39), 'false').replace(chr(39) + 'scored' + chr(39), 'false')} ELSE true END")
    elif k == "yesno":
        c = col(rule["variable"])
        body = (f"CASE WHEN {c}_yn IS NULL THEN 'not_scored' ELSE 'scored' END",
                f"CASE WHEN {c}_yn THEN {h20(rule['yes'] * m)} WHEN NOT {c}_yn THEN {h20(rule['no'] * m)} END", "NULL")
    elif k == "choice":
        c = col(rule["variable"])
        opts = " ".join(f"WHEN {c}_t IN ({lit(unicode_low(code))}, {lit(unicode_low(label))}) THEN {h20(fr * m)}" for code, label, fr in rule["options"])
        body = (f"CASE WHEN ({opts_any(c, rule)}) THEN 'scored' ELSE 'not_scored' END", f"CASE {opts} END", "NULL")
    elif k == "per_item":
        c = col(rule["variable"])
        limit = h20(rule["cap"] if rule["cap"] is not None else m)
        raw = f"dr20({c}_n * {fl(rule['points'])[0]}, CAST({IN} AS HUGEINT) * {fl(rule['points'])[1]})"
        body = (f"CASE WHEN {missing_any([rule['variable']])} THEN 'not_scored' ELSE 'scored' END",
                f"CASE WHEN {missing_any([rule['variable']])} THEN NULL ELSE least({raw}, {limit}) END",
                f"CASE WHEN {missing_any([rule['variable']])} THEN NULL ELSE dr20({c}_n, CAST({IN} AS HUGEINT)) END")
    elif k == "deduction":
        c = col(rule["variable"])
        start = m20 if rule["start"] == "max" else "0"
        p = f"({start} - dr20({c}_n * {fl(rule['points'])[0]}, CAST({IN} AS HUGEINT) * {fl(rule['points'])[1]}))"
        if rule["floor"] is not None:
            p = f"greatest({p}, {h20(rule['floor'])})"
        body = (f"CASE WHEN {missing_any([rule['variable']])} THEN 'not_scored' ELSE 'scored' END",
                f"CASE WHEN {missing_any([rule['variable']])} THEN NULL ELSE {p} END",
                f"CASE WHEN {missing_any([rule['variable']])} THEN NULL ELSE dr20({c}_n, CAST({IN} AS HUGEINT)) END")
    elif k == "composite":
        parts = []
        for w, part in rule["parts"]:
            sub = dict(leaf, rule=part, max=w * m)
            pn, pb, *_ = leaf_sql(cat, sub)
            for x in pn:
                col(x)
            parts.append(pb)
        st = " AND ".join(f"({s}) = 'scored'" for s, _, _ in parts)
        body = (f"CASE WHEN {st} THEN 'scored' ELSE 'not_scored' END",
                f"CASE WHEN {st} THEN " + " + ".join(f"({p})" for _, p, _ in parts) + " END", "NULL")
    else:
        raise ValueError("rule " + k)
    return (names, body, None, None)


def unicode_low(s):
    import unicodedata
    return unicodedata.normalize("NFC", s).strip(" \t").lower()


def opts_any(c, rule):
    return " OR ".join(f"{c}_t IN ({lit(unicode_low(code))}, {lit(unicode_low(label))})" for code, label, _ in rule["options"])


def run(export, catdir, year, stage="final"):
    cats = C.load_catalogues(catdir)
    db = duckdb.connect()
    db.execute("SET threads TO 2")
    for stmt in MACROS.strip().split(";\n"):
        if stmt.strip():
            db.execute(stmt)
    ex = export.replace("'", "''")
    # ---- glue: the catalogues as tables
    feeds, catrows, varrows = [], [], []
    for c in cats:
        catrows.append(f"({lit(c['id'])}, {lit(c['kind'])}, {c['years'][0]}, {c['years'][1]}, "
                       f"[{', '.join(lit(x) for x in c['levels'])}]::VARCHAR[], [{', '.join(lit(x) for x in c['scope'])}]::VARCHAR[])")
        for ind in C.all_indicators(c):
            for v in ind["variables"]:
                varrows.append(f"({lit(c['id'])}, {lit(ind['code'])}, {lit(v['name'])}, {lit(v['profile'])}, {lit(v['previous_year_of'])})")
                for f in v["feeds"]:
                    feeds.append(f"({lit(c['id'])}, {lit(ind['code'])}, {lit(v['name'])}, {lit(f['catalogue'])}, {lit(f['indicator'])}, "
                                 f"{lit(f['variable'])}, {lit(f['how'])}, {lit(f['precedence'])})")
    db.execute("CREATE TABLE cats (cat VARCHAR, kind VARCHAR, y_from INT, y_to INT, levels VARCHAR[], scope VARCHAR[])")
    db.execute("INSERT INTO cats VALUES " + ", ".join(catrows))
    db.execute("CREATE TABLE vardefs (cat VARCHAR, ind VARCHAR, var VARCHAR, profile VARCHAR, prev_of VARCHAR)")
    db.execute("INSERT INTO vardefs VALUES " + ", ".join(varrows))
    db.execute("CREATE TABLE feeds (s_cat VARCHAR, s_ind VARCHAR, s_var VARCHAR, t_cat VARCHAR, t_ind VARCHAR, t_var VARCHAR, how VARCHAR, precedence VARCHAR)")
    if feeds:
        db.execute("INSERT INTO feeds VALUES " + ", ".join(feeds))

    # ---- the raw inputs
    db.execute(f"""
    CREATE TABLE units AS SELECT unit_id::INT AS unit_id, code, level, parent_code, valid_from::DATE AS valid_from,
           valid_to::DATE AS valid_to, coalesce(peer_group, coalesce(parent_code, '') || ':' || level) AS peer,
           CASE WHEN coalesce(tags, '') = '' THEN []::VARCHAR[] ELSE string_split(tags, '|') END AS tags
      FROM read_csv('{ex}/units.csv', header = true, all_varchar = true);
    CREATE TABLE anc AS WITH RECURSIVE up(code, a, parent, depth) AS (
        SELECT code, code, parent_code, 0 FROM units
        UNION ALL SELECT up.code, u.code, u.parent_code, up.depth + 1 FROM up JOIN units u ON u.code = up.parent)
      SELECT code, list(a ORDER BY depth) AS ancestry, arg_max(a, depth) AS root FROM up GROUP BY code;
    CREATE TABLE items AS SELECT item_id::INT AS item_id, catalogue_id AS cat, indicator_code AS ind, variable AS var
      FROM read_csv('{ex}/items.csv', header = true, all_varchar = true);
    CREATE TABLE eff AS
      SELECT unit_id::INT AS unit_id, year::INT AS year, item_id::INT AS item_id, value::DECIMAL(38, 10) AS value, value_text
        FROM read_csv('{ex}/values.csv', header = true, all_varchar = true)
       WHERE list_position(['self', 'round1', 'round2', 'final'], stage) <= list_position(['self', 'round1', 'round2', 'final'], '{stage}')
     QUALIFY row_number() OVER (PARTITION BY unit_id, year, item_id ORDER BY list_position(['self', 'round1', 'round2', 'final'], stage) DESC) = 1;
    CREATE TABLE scope AS SELECT u.*, a.ancestry FROM units u JOIN anc a USING (code)
     WHERE a.root IN (SELECT DISTINCT a2.root FROM eff e JOIN units u2 USING (unit_id) JOIN anc a2 ON a2.code = u2.code WHERE e.year = {year});
    CREATE TABLE v AS SELECT s.code, s.level, s.parent_code, e.year, i.cat, i.ind, i.var, e.value, e.value_text
      FROM eff e JOIN scope s USING (unit_id) JOIN items i USING (item_id);
    """)
    bad = db.execute(f"SELECT count(*) FROM v WHERE value IS NOT NULL AND value * {IN} <> trunc(value * {IN})").fetchone()[0]
    assert bad == 0, "values with more than 6 decimals"

    # ---- derived district variables
    db.execute(f"""
    CREATE TABLE expected AS SELECT parent_code AS district, count(*) AS n FROM units
     WHERE level = 'commune' AND (valid_from IS NULL OR valid_from <= DATE '{year}-12-31') AND (valid_to IS NULL OR valid_to >= DATE '{year}-01-01')
     GROUP BY 1;
    CREATE TABLE derived AS
    WITH agg AS (
      SELECT d.code AS district, d.ancestry, f.t_cat, f.t_ind, f.t_var, f.how, f.precedence, count(*) AS children,
             sum(x.value) AS s, count(*) FILTER (WHERE x.value = 1) AS yes, count(*) FILTER (WHERE x.value = 0) AS no,
             count(x.value) AS answers, min(x.value) AS mn, max(x.value) AS mx
        FROM v x JOIN scope d ON d.code = x.parent_code AND d.level = 'district'
        JOIN feeds f ON (f.s_cat, f.s_ind, f.s_var) = (x.cat, x.ind, x.var)
       WHERE x.year = {year} AND x.level = 'commune'
       GROUP BY ALL)
    SELECT a.district AS unit, a.t_cat AS cat, a.t_ind AS ind, a.t_var AS var,
           CASE a.how WHEN 'sum' THEN a.s WHEN 'count_yes' THEN a.yes WHEN 'count_no' THEN a.no WHEN 'count_answers' THEN a.answers
                      WHEN 'count_units' THEN coalesce(e.n, 0) WHEN 'min' THEN a.mn WHEN 'max' THEN a.mx END::DECIMAL(38, 10) AS derived,
           a.children, a.how, o.value AS submitted,
           CASE WHEN a.precedence = 'submitted' AND o.value IS NOT NULL THEN 'derived_not' ELSE 'derived' END AS used0,
           coalesce(e.n, 0) AS expected
      FROM agg a JOIN cats c ON c.cat = a.t_cat
      LEFT JOIN expected e ON e.district = a.district
      LEFT JOIN v o ON o.code = a.district AND o.year = {year} AND (o.cat, o.ind, o.var) = (a.t_cat, a.t_ind, a.t_var)
     WHERE list_contains(c.levels, 'district') AND {year} BETWEEN c.y_from AND c.y_to
       AND (len(c.scope) = 0 OR len(list_intersect(a.ancestry, c.scope)) > 0);
    UPDATE derived SET used0 = 'submitted' WHERE used0 = 'derived_not';
    """)

    # ---- the values scoring reads: submitted this year (derived where they are used), profiles, last year's
    scored = [c for c in cats if c["kind"] == "scored" and c["years"][0] <= year <= c["years"][1]]
    profile = next((c["id"] for c in cats if c["kind"] == "profile"), None)
    levels = sorted({l for c in scored for l in c["levels"]})
    db.execute(f"""
    CREATE TABLE cur AS
      SELECT code AS unit, cat, ind, var, value, value_text FROM v WHERE year = {year} AND level IN ({', '.join(lit(l) for l in levels)})
       AND (code, cat, ind, var) NOT IN (SELECT (unit, cat, ind, var) FROM derived WHERE used0 = 'derived' AND derived IS NOT NULL);
    INSERT INTO cur SELECT unit, cat, ind, var, derived, NULL FROM derived WHERE used0 = 'derived' AND derived IS NOT NULL;
    CREATE TABLE prev AS SELECT code AS unit, cat, ind, var, value, value_text FROM v WHERE year = {year - 1};
    -- resolved: submitted, else the profile field, else last year's value of the named variable (InputResolver)
    CREATE TABLE rv0 AS
      SELECT unit, cat, ind, var, value, value_text FROM cur
      UNION ALL
      SELECT u.unit, d.cat, d.ind, d.var, coalesce(p.value, q.value), CASE WHEN p.unit IS NOT NULL THEN p.value_text ELSE q.value_text END
        FROM (SELECT DISTINCT unit, cat FROM cur) u JOIN vardefs d ON d.cat = u.cat
        LEFT JOIN cur p ON p.unit = u.unit AND p.cat = {lit(profile)} AND p.ind = d.profile AND p.var = 'value'
        LEFT JOIN prev q ON q.unit = u.unit AND q.cat = d.cat AND q.ind = d.ind AND q.var = d.prev_of
       WHERE (p.unit IS NOT NULL OR (p.unit IS NULL AND q.unit IS NOT NULL AND d.prev_of IS NOT NULL))
         AND NOT EXISTS (SELECT 1 FROM cur c WHERE (c.unit, c.cat, c.ind, c.var) = (u.unit, d.cat, d.ind, d.var));
    CREATE TABLE rv AS SELECT unit, cat, ind, var,
           CASE WHEN value_text IS NULL THEN value
                WHEN yesno_of(value_text) IS NOT NULL AND try_cast(replace(trim(value_text), ',', '.') AS DECIMAL(38, 10)) IS NULL
                     THEN CASE WHEN yesno_of(value_text) THEN 1 ELSE 0 END
                ELSE try_cast(replace(trim(value_text), ',', '.') AS DECIMAL(38, 10)) END AS num,
           CASE WHEN value_text IS NULL THEN (CASE WHEN value = 1 THEN true WHEN value = 0 THEN false END) ELSE yesno_of(value_text) END AS yn,
           lower(trim(coalesce(value_text, CAST(value AS VARCHAR)))) AS t
      FROM rv0;
    """)

    ind_sql, pil_rows, idx_rows = [], [], []
    results = {"indicator": [], "pillar": [], "index": []}
    for cat in scored:
        cid = cat["id"]
        db.execute(f"""CREATE OR REPLACE TABLE su AS
          SELECT s.code AS unit, s.peer, s.tags FROM scope s WHERE s.code IN (SELECT unit FROM cur WHERE cat = {lit(cid)})
             AND s.level IN ({', '.join(lit(l) for l in cat['levels'])})
             {"" if not cat['scope'] else f"AND len(list_intersect(s.ancestry, [{', '.join(lit(x) for x in cat['scope'])}])) > 0"}""")
        if db.execute("SELECT count(*) FROM su").fetchone()[0] == 0:
            continue
        # every (indicator, variable) of the catalogue as columns of one row per unit (PIVOT), read by each leaf
        db.execute(f"""CREATE OR REPLACE TABLE wide AS PIVOT (SELECT unit, ind || '/' || var AS k, num, yn, t FROM rv WHERE cat = {lit(cid)})
                       ON k USING max(num) AS num, bool_or(yn) AS yn, max(t) AS t GROUP BY unit""")
        present = {r[0] for r in db.execute(f"SELECT DISTINCT ind || '/' || var FROM rv WHERE cat = {lit(cid)}").fetchall()}
        pillar_of = {p["code"]: p for p in cat["pillars"]}
        selects = []
        for leaf in C.leaves(cat):
            p = pillar_of.get(leaf["pillar"]) if leaf["pillar"] else None
            tags = [t for t in ((p or {}).get("applies"), leaf["applies"]) if t]
            DEFS.clear()
            names, body, mm, mmok = leaf_sql(cat, leaf) if leaf["rule"] else ([], ("'not_scored'", "NULL", "NULL"), None, None)
            consts = {v["name"]: v for v in leaf["variables"] if v["constant"] is not None or v["same_as"] is not None}
            cols = []
            for n in sorted(set(names) | {"applicable"}):
                src = n
                if n in consts and consts[n]["constant"] is not None:
                    k = Decimal(consts[n]["constant"])
                    cols.append(f"CAST('{int(k * IN)}' AS HUGEINT) AS v_{n}_n, "
                                f"{'true' if k == 1 else 'false' if k == 0 else 'NULL'} AS v_{n}_yn, {lit(C.machine(k))} AS v_{n}_t")
                    continue
                if n in consts:
                    src = consts[n]["same_as"]
                key = leaf["code"] + "/" + src
                if key in present:
                    cols.append(f'CAST(w."{key}_num" * {IN} AS HUGEINT) AS v_{n}_n, w."{key}_yn" AS v_{n}_yn, w."{key}_t" AS v_{n}_t')
                else:
                    cols.append(f"CAST(NULL AS HUGEINT) AS v_{n}_n, CAST(NULL AS BOOLEAN) AS v_{n}_yn, CAST(NULL AS VARCHAR) AS v_{n}_t")
            applies = " AND ".join([f"list_contains(su.tags, {lit(t)})" for t in tags] + ["coalesce(v_applicable_yn, true)"])
            mmn, mmd = mm if mm else ("NULL", "NULL")
            selects.append(f"""SELECT su.unit, su.peer, {lit(leaf['code'])} AS ind, {'true' if mm else 'false'} AS is_mm,
                   CASE WHEN NOT ({applies}) THEN 'not_applicable' ELSE {body[0]} END AS status,
                   CASE WHEN NOT ({applies}) THEN NULL ELSE {body[1]} END AS p20,
                   CASE WHEN NOT ({applies}) THEN NULL ELSE {body[2]} END AS r20,
                   CASE WHEN NOT ({applies}) THEN NULL ELSE {mmn} END AS mn, CASE WHEN NOT ({applies}) THEN NULL ELSE {mmd} END AS md
              FROM (SELECT *{''.join(f", {e} AS {nm}" for nm, e in DEFS)} FROM (SELECT su.*, {', '.join(cols)} FROM su LEFT JOIN wide w ON w.unit = su.unit)) su""")
        db.execute("CREATE OR REPLACE TABLE leafres AS " + "\nUNION ALL\n".join(selects))
        # min–max within each peer group: the exact best and worst fractions (compared by cross products)
        mmrules = {l["code"]: l for l in C.leaves(cat) if l["rule"] and l["rule"]["kind"] == "minmax" and l["max"] is not None}
        if mmrules:
            db.execute("""CREATE OR REPLACE TABLE mmx AS
              SELECT l.* REPLACE (l.mn // gcd(l.mn, l.md) AS mn, l.md // gcd(l.mn, l.md) AS md), (SELECT count(*) FROM leafres o WHERE o.ind = l.ind AND o.peer = l.peer AND o.status = 'peers') AS members
                FROM leafres l WHERE l.status = 'peers'""")
            db.execute("""CREATE OR REPLACE TABLE mmb AS
              SELECT ind, peer, arg_max(mn, k) AS bn, arg_max(md, k) AS bd, arg_min(mn, k) AS wn, arg_min(md, k) AS wd
                FROM (SELECT *, dr20(mn, md) AS k FROM mmx) GROUP BY ind, peer""")
            hib = {code: l["rule"]["higher"] for code, l in mmrules.items()}
            maxes = {code: h20(l["max"]) for code, l in mmrules.items()}
            hi_case = "CASE x.ind " + " ".join(f"WHEN {lit(c)} THEN {'true' if h else 'false'}" for c, h in hib.items()) + " END"
            mn_case = "CASE b.ind " + " ".join(f"WHEN {lit(c)} THEN {fl(l['max'])[0]}" for c, l in mmrules.items()) + " END"
            md_case = "CASE b.ind " + " ".join(f"WHEN {lit(c)} THEN {fl(l['max'])[1]}" for c, l in mmrules.items()) + " END"
            m_case = "CASE x.ind " + " ".join(f"WHEN {lit(c)} THEN {m}" for c, m in maxes.items()) + " END"
            db.execute(f"""
              UPDATE leafres SET status = 'scored', p20 = q.p FROM (
                SELECT x.unit, x.ind,
                       CASE WHEN s.span_n = 0 THEN (CASE WHEN x.mn = 0 AND s.hi THEN 0 ELSE s.m END)
                            ELSE dr20((x.mn * s.lo_d - s.lo_n * x.md) * s.span_d * s.mnum, x.md * s.lo_d * s.span_n * s.mden) END AS p
                  FROM mmx x JOIN (
                    SELECT b.ind, b.peer, {hi_case.replace('x.ind', 'b.ind')} AS hi, {m_case.replace('x.ind', 'b.ind')} AS m, {mn_case} AS mnum, {md_case} AS mden,
                           CASE WHEN {hi_case.replace('x.ind', 'b.ind')} THEN b.wn ELSE b.bn END AS lo_n,
                           CASE WHEN {hi_case.replace('x.ind', 'b.ind')} THEN b.wd ELSE b.bd END AS lo_d,
                           CASE WHEN {hi_case.replace('x.ind', 'b.ind')} THEN b.bn * b.wd - b.wn * b.bd ELSE b.wn * b.bd - b.bn * b.wd END AS span_n,
                           b.bd * b.wd AS span_d
                      FROM mmb b) s ON s.ind = x.ind AND s.peer = x.peer) q
               WHERE leafres.unit = q.unit AND leafres.ind = q.ind""")
        # the tree: parents bottom-up, then pillars, index (glue walks the definitions; SQL does the sums)
        db.execute("CREATE OR REPLACE TABLE res AS SELECT unit, peer, ind, status, p20, r20, CAST(NULL AS HUGEINT) AS m20 FROM leafres")
        defs = {i["code"]: i for i in C.all_indicators(cat)}
        db.execute("UPDATE res SET m20 = CASE ind " + " ".join(f"WHEN {lit(c)} THEN {h20(i['max'])}" for c, i in defs.items()) + " END")
        parents = [i for i in C.all_indicators(cat) if i["children"]]
        depth = {}
        def dep(i):
            return 0 if not i["children"] else 1 + max(dep(c) for c in i["children"])
        for p in sorted(parents, key=dep):
            kids = ", ".join(lit(c["code"]) for c in p["children"])
            sum_max = sum((c["max"] for c in p["children"] if c["max"] is not None), Decimal(0))
            mx = h20(p["max"]) if p["max"] is not None else h20(sum_max)
            db.execute(f"""INSERT INTO res
              SELECT unit, any_value(peer), {lit(p['code'])},
                     CASE WHEN count(*) FILTER (WHERE status <> 'not_applicable') = 0 THEN 'not_applicable'
                          WHEN count(*) FILTER (WHERE status NOT IN ('not_applicable', 'no_points')) = 0 THEN 'no_points'
                          WHEN count(*) FILTER (WHERE status = 'not_scored') > 0 AND count(*) FILTER (WHERE status = 'scored') = 0 THEN 'not_scored'
                          ELSE 'scored' END,
                     CASE WHEN count(*) FILTER (WHERE status NOT IN ('not_applicable', 'no_points')) = 0 THEN NULL
                          ELSE coalesce(sum(p20) FILTER (WHERE status <> 'not_applicable'), 0) END,
                     NULL,
                     CASE WHEN count(*) FILTER (WHERE status NOT IN ('not_applicable', 'no_points')) = 0 THEN {h20(p['max'])} ELSE {mx} END
                FROM res WHERE ind IN ({kids}) GROUP BY unit""")
        order = {i["code"]: n for n, i in enumerate(C.all_indicators(cat))}
        for r in db.execute("SELECT unit, ind, p20, m20, status, r20 FROM res").fetchall():
            results["indicator"].append((r[0], cid, r[1], s20(r[2]), s20(r[3]), r[4], s20(r[5])))
        # pillars: tops of each pillar, by the catalogue's policy
        prow = []
        for n, p in enumerate(cat["pillars"]):
            tops = ", ".join(lit(i["code"]) for i in p["indicators"]) or "NULL"
            pol = p["policy"] or cat["policy"]
            applies = f"list_contains(su.tags, {lit(p['applies'])})" if p["applies"] else "true"
            prow.append(f"""SELECT su.unit, su.peer, {lit(p['code'])} AS pillar, {n} AS ord, {lit(pol)} AS policy, {applies} AS applies,
                   {h20(p['max'])} AS printed20,
                   coalesce(sum(r.p20) FILTER (WHERE r.status <> 'not_applicable'), 0) AS raw,
                   coalesce(sum(r.m20), 0) AS all_max, coalesce(sum(r.m20) FILTER (WHERE r.status <> 'not_applicable'), 0) AS app_max,
                   coalesce(list(r.ind ORDER BY r.ord) FILTER (WHERE r.status = 'not_scored'), []) AS unscored,
                   count(*) FILTER (WHERE r.status = 'scored') > 0 AS any_scored
              FROM su LEFT JOIN (SELECT res.*, CASE res.ind {' '.join(f'WHEN {lit(c)} THEN {o}' for c, o in order.items())} END AS ord FROM res WHERE ind IN ({tops})) r ON r.unit = su.unit
             GROUP BY su.unit, su.peer, su.tags""")
        db.execute("CREATE OR REPLACE TABLE p0 AS " + "\nUNION ALL\n".join(prow))
        db.execute(f"""CREATE OR REPLACE TABLE pil AS
          SELECT *, CASE WHEN mx > 0 THEN dr20(pts * 100, mx) END AS pct, (mx > 0 OR any_scored) AS applicable FROM (
            SELECT *, CASE WHEN policy = 'capped' THEN least(raw, mx0) WHEN policy = 'rescaled' AND all_max > 0 THEN dr0(raw * (printed // CAST('100000000000000000' AS HUGEINT)), all_max // CAST('100000000000000000' AS HUGEINT)) ELSE raw END AS pts,
                      mx0 AS mx FROM (
              SELECT *, coalesce(printed20, CASE WHEN all_max > 0 THEN all_max END) AS printed,
                     CASE WHEN NOT applies OR coalesce(printed20, CASE WHEN all_max > 0 THEN all_max END) IS NULL THEN 0
                          WHEN policy = 'sum' THEN coalesce(printed20, all_max) - (all_max - app_max)
                          WHEN policy = 'capped' THEN least(coalesce(printed20, all_max), app_max)
                          WHEN all_max > 0 THEN dr0(app_max * (coalesce(printed20, all_max) // CAST('100000000000000000' AS HUGEINT)), all_max // CAST('100000000000000000' AS HUGEINT))
                          ELSE coalesce(printed20, all_max) END AS mx0
                FROM p0))
          WHERE applies AND printed IS NOT NULL""")
        # bonus indicators
        btops = ", ".join(lit(i["code"]) for i in cat["bonus"]) or "NULL"
        bands = " ".join(f"WHEN pct {'>=' if inc else '>'} {h20(th)} THEN {lit(name)}" for name, th, inc in cat["bands"])
        db.execute(f"""CREATE OR REPLACE TABLE idx AS
          SELECT *, CASE WHEN mx > 0 THEN dr20(pts * 100, mx) END AS pct FROM (
            SELECT su.unit, su.peer,
                   coalesce((SELECT sum(pts) FROM pil WHERE pil.unit = su.unit AND pil.applicable), 0)
                     + coalesce((SELECT sum(p20) FROM res WHERE res.unit = su.unit AND res.ind IN ({btops})), 0) AS pts,
                   coalesce((SELECT sum(p20) FROM res WHERE res.unit = su.unit AND res.ind IN ({btops})), 0) AS bonus,
                   coalesce((SELECT sum(mx) FROM pil WHERE pil.unit = su.unit AND pil.applicable), 0) AS mx
              FROM su)""")
        for r in db.execute(f"""SELECT unit, pillar, pts, raw, mx, pct, array_to_string(unscored, '|'), peer,
                                       CASE WHEN pct IS NOT NULL THEN rank() OVER (PARTITION BY peer, pillar ORDER BY pct DESC NULLS LAST) END
                                  FROM pil WHERE applicable""").fetchall():
            results["pillar"].append((r[0], cid, r[1], s20(r[2]), s20(r[3]), s20(r[4]), s20(r[5]), r[6], r[7], r[8]))
        for r in db.execute(f"""SELECT unit, pts, bonus, mx, pct, CASE {bands or 'WHEN false THEN NULL'} END, peer,
                                       CASE WHEN pct IS NOT NULL THEN rank() OVER (PARTITION BY peer ORDER BY pct DESC NULLS LAST) END
                                  FROM idx""").fetchall():
            results["index"].append((r[0], cid, s20(r[1]), s20(r[2]), s20(r[3]), s20(r[4]), r[5], r[6], r[7]))
    results["derived"] = [(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8],
                           "t" if (r[7] is not None and (r[4] is None or r[7] != r[4])) else "f", r[9])
                          for r in db.execute("SELECT unit, cat, ind, var, derived, children, how, submitted, used0, expected FROM derived").fetchall()]
    return results


def s20(x):
    return None if x is None else Decimal(int(x)).scaleb(-20)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--export", required=True)
    ap.add_argument("--catalogues", default="etl/catalogues")
    ap.add_argument("--year", type=int, required=True)
    ap.add_argument("--out", metavar="DIR")
    ap.add_argument("--compare", metavar="DATABASE_URL")
    a = ap.parse_args()
    t0 = time.time()
    res = run(a.export, a.catalogues, a.year)
    print("duckdb: %d indicator scores, %d pillar scores, %d indices, %d derived values in %.2f s"
          % (len(res["indicator"]), len(res["pillar"]), len(res["index"]), len(res["derived"]), time.time() - t0))
    if a.out:
        C.write_results(a.out, res)
    if a.compare:
        sys.exit(1 if C.compare(a.compare, a.year, res, "duckdb") else 0)


if __name__ == "__main__":
    main()
