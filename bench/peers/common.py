"""Glue shared by the two peers of `dti rollup` (bench tooling, never the product): reading the YAML catalogues the
way `dti catalogue load` reads them (every scalar as text, exact decimals), the formula grammar, exact decimal
helpers, and the row-by-row comparison with dti's own tables. The scoring itself is in rollup_pandas.py and
rollup_duckdb.py, each on its own."""

import csv
import decimal
import glob
import os
import subprocess
import sys
import unicodedata
from decimal import Decimal

import yaml

decimal.getcontext().prec = 200          # every sum and product below is exact; only quotients round (q20)
Q20 = Decimal(1).scaleb(-20)
STAGES = ["self", "round1", "round2", "final"]


def q20(num, den):
    """An exact quotient num ÷ den rounded half to even at the 20th decimal place (DTICore Fraction.value)."""
    if den == 1:
        return num
    return (num / den).quantize(Q20, rounding=decimal.ROUND_HALF_EVEN)


# ---------------------------------------------------------------------------------------------------------------
# Numbers as people write them (DTICore DecimalText.parse): 0,5 or 0.5, a sign, no exponent, no grouping.

def parse_decimal(text):
    if text is None:
        return None
    s = str(text).strip(" \t\u00a0\u202f")
    if not s:
        return None
    neg = False
    if s[0] in "-+\u2212":
        neg = s[0] != "+"
        s = s[1:]
    seen = False
    ip, fp = [], []
    for ch in s:
        if "0" <= ch <= "9":
            (fp if seen else ip).append(ch)
        elif ch in ".,":
            if seen:
                return None
            seen = True
        else:
            return None
    if not ip and not fp:
        return None
    if seen and not fp:
        return None
    while len(ip) > 1 and ip[0] == "0":
        ip.pop(0)
    while fp and fp[-1] == "0":
        fp.pop()
    if len(ip) > 15:
        return None
    if (0 if ip in (["0"], []) else len(ip)) + len(fp) > 30:
        return None
    d = Decimal(("-" if neg else "") + ("".join(ip) or "0") + ("." + "".join(fp) if fp else ""))
    return Decimal(0) if d == 0 else d


YES = {"có", "co", "yes", "y", "true", "đã", "đạt", "x", "1"}
NO = {"không", "khong", "no", "n", "false", "chưa", "0"}


def fold(t):
    t = unicodedata.normalize("NFD", t.strip(" \t").lower())
    return "".join("d" if c == "đ" else c for c in t if not (0x300 <= ord(c) <= 0x36F))


FYES, FNO = {fold(w) for w in YES}, {fold(w) for w in NO}


def yesno_text(t):
    t = unicodedata.normalize("NFC", t).strip(" \t").lower()
    if t in YES:
        return True
    if t in NO:
        return False
    f = fold(t)
    if f in FYES:
        return True
    if f in FNO:
        return False
    return None


# A value is ("n", Decimal) or ("t", str), as DTICore InputValue.
def value_number(v):
    if v[0] == "n":
        return v[1]
    d = parse_decimal(v[1])
    if d is not None:
        return d
    b = yesno_text(v[1])
    return None if b is None else Decimal(1 if b else 0)


def value_yesno(v):
    if v[0] == "n":
        return True if v[1] == 1 else False if v[1] == 0 else None
    return yesno_text(v[1])


def value_text(v):
    return machine(v[1]) if v[0] == "n" else v[1]


def machine(d):
    """Decimal as text without exponent or trailing zeros (DTICore DecimalText.machine)."""
    if d == 0:
        return "0"
    t = format(d.normalize(), "f")
    return t


# ---------------------------------------------------------------------------------------------------------------
# Formulas: a/b, (b+c)/a, a/b - 1, a/12 (DTICore Formula), as a tree of tuples.

def parse_formula(text):
    s, i = text, [0]

    def skip():
        while i[0] < len(s) and s[i[0]] in " \t":
            i[0] += 1

    def peek():
        skip()
        return s[i[0]] if i[0] < len(s) else None

    def expression():
        lhs = term()
        while peek() in ("+", "-", "\u2212"):
            c = s[i[0]]; i[0] += 1
            lhs = ("add" if c == "+" else "sub", lhs, term())
        return lhs

    def term():
        lhs = factor()
        while peek() in ("*", "/", "\u00d7", ":"):
            c = s[i[0]]; i[0] += 1
            lhs = ("div" if c in "/:" else "mul", lhs, factor())
        return lhs

    def factor():
        c = peek()
        if c is None:
            raise ValueError("formula ends too early: " + text)
        if c == "(":
            i[0] += 1
            inner = expression()
            if peek() != ")":
                raise ValueError("missing ) in " + text)
            i[0] += 1
            return inner
        if c in "-\u2212":
            i[0] += 1
            return ("neg", factor())
        if "0" <= c <= "9":
            j = i[0]
            while i[0] < len(s) and (s[i[0]].isdigit() or s[i[0]] == "."):
                i[0] += 1
            return ("num", parse_decimal(s[j:i[0]]))
        if "a" <= c <= "z":
            j = i[0]
            while i[0] < len(s) and (("a" <= s[i[0]] <= "z") or s[i[0]].isdigit() or s[i[0]] == "_"):
                i[0] += 1
            if s[j:i[0]] == "profile" and i[0] + 1 < len(s) and s[i[0]] == "." and "a" <= s[i[0] + 1] <= "z":
                i[0] += 1
                while i[0] < len(s) and (("a" <= s[i[0]] <= "z") or s[i[0]].isdigit() or s[i[0]] == "_"):
                    i[0] += 1
            return ("var", s[j:i[0]])
        raise ValueError("unexpected %r in %s" % (c, text))

    f = expression()
    skip()
    if i[0] < len(s):
        raise ValueError("trailing text in " + text)
    return f


def formula_vars(f, out=None):
    out = [] if out is None else out
    if f[0] == "var":
        if f[1] not in out:
            out.append(f[1])
    elif f[0] == "neg":
        formula_vars(f[1], out)
    elif f[0] in ("add", "sub", "mul", "div"):
        formula_vars(f[1], out); formula_vars(f[2], out)
    return out


def formula_text(f):
    """The formula as DTICore prints it (the zero-denominator note names the denominator)."""
    k = f[0]
    if k == "num":
        return machine(f[1])
    if k == "var":
        return f[1]
    def atom(x):
        return formula_text(x) if x[0] in ("num", "var") else "(" + formula_text(x) + ")"
    def prod(x):
        return "(" + formula_text(x) + ")" if x[0] in ("add", "sub") else formula_text(x)
    if k == "neg":
        return "-" + atom(f[1])
    if k == "add":
        return formula_text(f[1]) + "+" + formula_text(f[2])
    if k == "sub":
        return formula_text(f[1]) + "-" + prod(f[2])
    if k == "mul":
        return prod(f[1]) + "*" + prod(f[2])
    return prod(f[1]) + "/" + atom(f[2])


# ---------------------------------------------------------------------------------------------------------------
# Catalogues, read from the YAML as `dti catalogue load` reads them.

def _null(x):
    return x is None or (isinstance(x, str) and x.strip() in ("", "~", "null", "Null", "NULL"))


def _s(x):
    return None if _null(x) else str(x).strip()


def _d(x):
    t = _s(x)
    if t is None:
        return None
    pct = t.endswith("%")
    d = parse_decimal(t[:-1] if pct else t)
    if d is None:
        raise ValueError("not a number: %r" % x)
    return d / 100 if pct else d


def _b(x, default):
    t = _s(x)
    if t is None:
        return default
    return t.lower() in ("true", "yes", "có")


def _list(x):
    if _null(x):
        return []
    return x if isinstance(x, list) else [x]


def norm_code(raw):
    s = raw.strip().replace(",", ".").replace(" ", "")
    while s.endswith("."):
        s = s[:-1]
    return s


def parse_rule(r):
    kind = _s(r.get("kind"))
    zero = _s(r.get("zero_denominator")) or "unscored"
    out = {"kind": kind, "zero": zero}
    if kind in ("ratio", "target", "tiers", "minmax", "growth"):
        out["formula"] = parse_formula(_s(r.get("formula")))
    if kind == "ratio":
        out["over_one"] = _s(r.get("over_one")) or "cap"
    elif kind == "target":
        out["target"] = _d(r.get("target"))
        out["below"] = _s(r.get("below")) or "scaled"
    elif kind == "tiers":
        out["levels"] = [(_d(l.get("at_least")), _d(l.get("fraction"))) for l in _list(r.get("levels"))]
        out["otherwise"] = _d(r.get("otherwise")) if not _null(r.get("otherwise")) else Decimal(0)
        out["gate"] = _s(r.get("gate"))
    elif kind == "yesno":
        out["variable"] = _s(r.get("variable")) or "answer"
        out["yes"] = _d(r.get("yes")) if not _null(r.get("yes")) else Decimal(1)
        out["no"] = _d(r.get("no")) if not _null(r.get("no")) else Decimal(0)
    elif kind == "choice":
        out["variable"] = _s(r.get("variable")) or "answer"
        out["options"] = [(_s(o.get("code")), _s(o.get("label")), _d(o.get("fraction"))) for o in _list(r.get("options"))]
    elif kind == "composite":
        out["parts"] = [(_d(p.get("weight")), parse_rule(p.get("rule"))) for p in _list(r.get("parts"))]
    elif kind == "per_item":
        out["variable"] = _s(r.get("variable")) or "count"
        out["points"] = _d(r.get("points"))
        out["cap"] = _d(r.get("cap"))
    elif kind == "minmax":
        out["higher"] = _b(r.get("higher_is_better"), True)
    elif kind == "growth":
        out["reference"] = _d(r.get("reference"))
    elif kind == "deduction":
        out["variable"] = _s(r.get("variable")) or "count"
        out["points"] = abs(_d(r.get("points")))
        out["start"] = _s(r.get("start")) or "max"
        out["floor"] = _d(r.get("floor"))
    elif kind == "bonus":
        out["cap"] = _d(r.get("cap"))
    return out


def rule_vars(rule):
    k = rule["kind"]
    out = []
    if k in ("ratio", "target", "minmax", "growth"):
        out = formula_vars(rule["formula"])
    elif k == "tiers":
        out = ([rule["gate"]] if rule["gate"] else []) + [v for v in formula_vars(rule["formula"]) if v != rule["gate"]]
    elif k in ("yesno", "choice", "per_item", "deduction"):
        out = [rule["variable"]]
    elif k == "composite":
        for _, r in rule["parts"]:
            for v in rule_vars(r):
                if v not in out:
                    out.append(v)
    elif k in ("direct", "bonus"):
        out = ["points"]
    return out


def parse_indicator(n, pillar, parent):
    code = norm_code(_s(n.get("code")))
    ind = {
        "code": code, "max": _d(n.get("max_points")), "pillar": pillar, "parent": parent,
        "applies": _s((n.get("applies_to") or {}).get("tag")) if isinstance(n.get("applies_to"), dict) else None,
        "variables": [], "rule": None, "children": [],
    }
    for v in _list(n.get("variables")):
        feeds = []
        for f in _list(v.get("feeds")):
            feeds.append({"catalogue": _s(f.get("catalogue")), "indicator": norm_code(_s(f.get("indicator"))),
                          "variable": _s(f.get("variable")), "how": _s(f.get("how")),
                          "precedence": _s(f.get("precedence")) or "derived"})
        ind["variables"].append({
            "name": _s(v.get("name")), "kind": _s(v.get("kind")) or "number", "profile": _s(v.get("profile")),
            "previous_year_of": _s(v.get("previous_year_of")), "allow_negative": _b(v.get("allow_negative"), False),
            "constant": _d(v.get("constant")), "same_as": _s(v.get("same_as")), "feeds": feeds})
    if not _null(n.get("rule")):
        ind["rule"] = parse_rule(n["rule"])
    for c in _list(n.get("children")):
        ind["children"].append(parse_indicator(c, pillar, code))
    return ind


def parse_catalogue(path):
    with open(path, encoding="utf-8") as fh:
        y = yaml.load(fh, Loader=getattr(yaml, "CBaseLoader", yaml.BaseLoader))   # every scalar as text, as dti reads it
    years = y.get("years")
    if isinstance(years, dict):
        yr = (int(years["from"]), int(years["to"]))
    else:
        yr = (int(years), int(years))
    levels = _list(y.get("level"))
    bands = []
    for b in _list(y.get("rating_bands")):
        if not _null(b.get("above")):
            bands.append((_s(b.get("name")), _d(b.get("above")), False))
        else:
            bands.append((_s(b.get("name")), _d(b.get("from")), True))
    cat = {"id": _s(y.get("id")), "kind": _s(y.get("kind")) or "scored", "levels": [_s(l) for l in levels], "years": yr,
           "scope": [_s(s) for s in _list(y.get("scope"))], "policy": _s(y.get("total_policy")) or "sum",
           "bands": bands, "pillars": [], "bonus": []}
    for p in _list(y.get("pillars")):
        pc = norm_code(_s(p.get("code")))
        at = p.get("applies_to")
        cat["pillars"].append({
            "code": pc, "max": _d(p.get("max_points")), "policy": _s(p.get("total_policy")),
            "applies": _s(at.get("tag")) if isinstance(at, dict) else None,
            "indicators": [parse_indicator(i, pc, None) for i in _list(p.get("indicators"))]})
    cat["bonus"] = [parse_indicator(i, None, None) for i in _list(y.get("bonus"))]
    return cat


def flatten(ind):
    out = [ind]
    for c in ind["children"]:
        out += flatten(c)
    return out


def all_indicators(cat):
    out = []
    for p in cat["pillars"]:
        for i in p["indicators"]:
            out += flatten(i)
    for i in cat["bonus"]:
        out += flatten(i)
    return out


def leaves(cat):
    return [i for i in all_indicators(cat) if not i["children"]]


def load_catalogues(directory):
    return [parse_catalogue(p) for p in sorted(glob.glob(os.path.join(directory, "*.yaml")))]


# ---------------------------------------------------------------------------------------------------------------
# dti's results for the year, read back from the database (the tables the views show) with psql, as text.

DTI_QUERIES = {
    "indicator": """SELECT unit_code, catalogue_id, indicator_code, points, max_points, status, ratio
                      FROM dti.indicator_scores WHERE year = {y} AND stage = 'final'""",
    "pillar": """SELECT unit_code, catalogue_id, pillar_code, points, raw_points, max_points, percent,
                        array_to_string(unscored, '|'), peer_group, rank
                   FROM dti.pillar_scores WHERE year = {y} AND stage = 'final'""",
    "index": """SELECT unit_code, catalogue_id, points, bonus_points, max_points, percent, rating, peer_group, rank
                  FROM dti.unit_index WHERE year = {y} AND stage = 'final' AND NOT derived""",
    "derived": """SELECT unit_code, catalogue_id, indicator_code, variable, derived_value, children_count, how,
                         submitted_value, used, mismatch, expected_children
                    FROM dti.derived_values WHERE year = {y} AND stage = 'final'""",
}
KEYS = {"indicator": 3, "pillar": 3, "index": 2, "derived": 4}
# Which columns are exact decimals (compared as Decimal, so 1.50 = 1.5 as PostgreSQL's numeric equality says).
NUMERIC = {"indicator": {3, 4, 6}, "pillar": {3, 4, 5, 6, 9}, "index": {2, 3, 4, 5, 8}, "derived": {4, 5, 7, 10}}
HEADERS = {
    "indicator": "unit catalogue indicator points max_points status ratio",
    "pillar": "unit catalogue pillar points raw_points max_points percent unscored peer_group rank",
    "index": "unit catalogue points bonus_points max_points percent rating peer_group rank",
    "derived": "unit catalogue indicator variable derived_value children how submitted_value used mismatch expected_children",
}


def dti_results(url, year, kind):
    q = DTI_QUERIES[kind].format(y=int(year))
    out = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", url, "-c",
                          "\\copy (" + " ".join(q.split()) + ") TO STDOUT WITH (FORMAT csv)"],
                         check=True, capture_output=True, text=True).stdout
    return [row for row in csv.reader(out.splitlines())]


def _norm(kind, i, x):
    if x is None or x == "":
        return None
    if i in NUMERIC[kind]:
        return x if isinstance(x, Decimal) else Decimal(str(x))
    if isinstance(x, bool):
        return "t" if x else "f"
    return str(x)


def compare(url, year, mine, name, out=sys.stdout):
    """mine: kind → list of rows (same columns as DTI_QUERIES). Prints per kind: rows compared, mismatches, first
    mismatching rows; returns the total number of mismatches (rows that differ, are missing or are extra)."""
    total = 0
    for kind in ("indicator", "pillar", "index", "derived"):
        k = KEYS[kind]
        theirs = {}
        for row in dti_results(url, year, kind):
            theirs[tuple(row[:k])] = tuple(_norm(kind, i, x) for i, x in enumerate(row))
        ours = {}
        for row in mine.get(kind, []):
            r = tuple(_norm(kind, i, x) for i, x in enumerate(row))
            ours[tuple(r[:k])] = r
        bad = []
        for key in sorted(set(theirs) | set(ours)):
            a, b = theirs.get(key), ours.get(key)
            if a != b:
                bad.append((key, a, b))
        total += len(bad)
        print("%s: %-9s %6d rows from dti, %6d from the peer, %d mismatches" % (name, kind, len(theirs), len(ours), len(bad)), file=out)
        for key, a, b in bad[:5]:
            print("   %s\n     dti:  %s\n     peer: %s" % (HEADERS[kind], _show(a), _show(b)), file=out)
    print("%s: mismatches %d" % (name, total), file=out)
    return total


def _show(r):
    if r is None:
        return "(no row)"
    return " | ".join("∅" if x is None else machine(x) if isinstance(x, Decimal) else str(x) for x in r)


def write_results(out, res):
    """The peer's rows as CSV, one file per kind, every Decimal with all its digits."""
    os.makedirs(out, exist_ok=True)
    for kind in ("indicator", "pillar", "index", "derived"):
        with open(os.path.join(out, kind + ".csv"), "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            for row in res.get(kind, []):
                w.writerow(["" if x is None else machine(x) if isinstance(x, Decimal) else x for x in row])


def read_results(out):
    res = {}
    for kind in ("indicator", "pillar", "index", "derived"):
        with open(os.path.join(out, kind + ".csv"), newline="", encoding="utf-8") as fh:
            res[kind] = [row for row in csv.reader(fh)]
    return res
