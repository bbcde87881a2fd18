#!/usr/bin/env python3
"""The roll-up of one year rewritten the way an analyst would with pandas (bench tooling, never the product).

Reads the raw inputs bench/peers/export.sh wrote (CSV) and the YAML catalogues; derives the district variables from
their communes as the catalogues' feeds declare; scores every unit against every scored catalogue of the year
(rules, min–max within peer groups, sub-indicator sums, pillar policies, index, percent, rating); ranks within peer
groups; then, with --compare URL, compares every row with dti's own results in that database (exact decimals).

pandas does the table work (reading, the most advanced stage of every key, the hierarchy, the sums over communes,
ranks); the rules are applied per unit in Python on exact Decimal values, as DTICore defines them.

  python3 bench/peers/rollup_pandas.py --export DIR --catalogues etl/catalogues --year 2024 [--compare URL]
"""

import argparse
import sys
import time
import unicodedata
from decimal import Decimal

import pandas as pd

import common as C
from common import q20


# ---------------------------------------------------------------------------------------------------------------
# One rule on one unit's values (DTICore Rule.score): ("points", p, ratio, capped_note) | ("peers", (num, den)) |
# ("not", reason) | ("nopoints",)

def frac_eval(f, look):
    k = f[0]
    if k == "num":
        return (f[1], Decimal(1))
    if k == "var":
        d = look(f[1])
        if d is None:
            raise KeyError(f[1])
        return (d, Decimal(1))
    if k == "neg":
        n, d = frac_eval(f[1], look)
        return (-n, d)
    (ln, ld), (rn, rd) = frac_eval(f[1], look), frac_eval(f[2], look)
    if k == "add":
        return (ln + rn, ld) if ld == rd else (ln * rd + rn * ld, ld * rd)
    if k == "sub":
        return (ln - rn, ld) if ld == rd else (ln * rd - rn * ld, ld * rd)
    if k == "mul":
        return norm(ln * rn, ld * rd)
    if rn == 0:
        raise ZeroDivisionError(C.formula_text(f[2]))
    return norm(ln * rd, ld * rn)


def norm(n, d):
    return (-n, -d) if d < 0 else (n, d)


def fval(x):
    return q20(x[0], x[1])


def score_rule(rule, values, m, allow_neg):
    kind = rule["kind"]
    if kind == "data":
        return ("nopoints",)

    def number(name):
        v = values.get(name)
        if v is None:
            return None, "missing"
        d = C.value_number(v)
        if d is None:
            return None, "notnumber"
        if d < 0 and name not in allow_neg:
            return None, "negative"
        return d, None

    def evaluate(f, zero):
        for name in C.formula_vars(f):
            d, err = number(name)
            if err:
                return None, ("not", err)
        try:
            return frac_eval(f, lambda n: number(n)[0]), None
        except ZeroDivisionError:
            if zero != "unscored":
                return None, ("points", m if zero == "full" else Decimal(0), None)
            return None, ("not", "zero")

    if kind in ("direct", "bonus"):
        cap = rule["cap"] if kind == "bonus" else m
        p, err = number("points")
        if err:
            return ("not", err)
        if cap is not None and p > cap:
            return ("points", cap, None)
        return ("points", p, None)
    if m is None:
        return ("not", "nomax")
    if kind == "ratio":
        x, out = evaluate(rule["formula"], rule["zero"])
        if out:
            return out
        if x[0] < 0:
            return ("points", Decimal(0), fval(x))
        if x[0] > x[1]:
            if rule["over_one"] == "cap":
                return ("points", m, fval(x))
            if rule["over_one"] == "reject":
                return ("not", "over_one")
        return ("points", q20(x[0] * m, x[1]), fval(x))
    if kind == "target":
        x, out = evaluate(rule["formula"], rule["zero"])
        if out:
            return out
        t = rule["target"]
        if x[0] < 0:
            return ("points", Decimal(0), fval(x))
        if x[0] >= t * x[1]:
            return ("points", m, fval(x))
        if rule["below"] == "scaled":
            n, d = x[0] * m, x[1]
            return ("points", q20(*norm(n * 1, d * t)), fval(x))
        return ("points", q20(x[0] * m, x[1]), fval(x))
    if kind == "tiers":
        g = rule["gate"]
        if g:
            raw = values.get(g)
            if raw is None:
                return ("not", "missing")
            yes = C.value_yesno(raw)
            if yes is None:
                return ("not", "notyesno")
            if not yes:
                return ("points", Decimal(0), None)
        x, out = evaluate(rule["formula"], rule["zero"])
        if out:
            return out
        for at, fr in rule["levels"]:
            if x[0] >= at * x[1]:
                return ("points", fr * m, fval(x))
        return ("points", rule["otherwise"] * m, fval(x))
    if kind == "yesno":
        raw = values.get(rule["variable"])
        if raw is None:
            return ("not", "missing")
        a = C.value_yesno(raw)
        if a is None:
            return ("not", "notyesno")
        return ("points", (rule["yes"] if a else rule["no"]) * m, None)
    if kind == "choice":
        raw = values.get(rule["variable"])
        if raw is None:
            return ("not", "missing")
        ans = choice_norm(C.value_text(raw))
        for code, label, fr in rule["options"]:
            if choice_norm(code) == ans or choice_norm(label) == ans:
                return ("points", fr * m, None)
        return ("not", "choice")
    if kind == "composite":
        total = Decimal(0)
        for w, part in rule["parts"]:
            o = score_rule(part, values, w * m, allow_neg)
            if o[0] == "points":
                total += o[1]
            elif o[0] == "not":
                return o
            else:
                return ("not", "nomax")
        return ("points", total, None)
    if kind == "per_item":
        n, err = number(rule["variable"])
        if err:
            return ("not", err)
        raw = n * rule["points"]
        limit = rule["cap"] if rule["cap"] is not None else m
        return ("points", limit if raw > limit else raw, n)
    if kind == "minmax":
        x, out = evaluate(rule["formula"], rule["zero"])
        if out:
            return out
        return ("peers", x)
    if kind == "growth":
        x, out = evaluate(rule["formula"], rule["zero"])
        if out:
            return out
        ref = rule["reference"]
        if not x[0] > 0:
            return ("points", Decimal(0), fval(x))
        if x[0] >= ref * x[1]:
            return ("points", m, fval(x))
        return ("points", q20(*norm(x[0] * m, x[1] * ref)), fval(x))
    if kind == "deduction":
        n, err = number(rule["variable"])
        if err:
            return ("not", err)
        p = (m if rule["start"] == "max" else Decimal(0)) - n * rule["points"]
        if rule["floor"] is not None and p < rule["floor"]:
            p = rule["floor"]
        return ("points", p, n)
    raise ValueError("unknown rule " + kind)


def choice_norm(s):
    return unicodedata.normalize("NFC", s).strip(" \t").lower()


def fsub(a, b):
    return (a[0] - b[0], a[1]) if a[1] == b[1] else (a[0] * b[1] - b[0] * a[1], a[1] * b[1])


def minmax_points(r, best, worst, higher, m):
    hi, lo = (best, worst) if higher else (worst, best)
    span = fsub(hi, lo)
    if span[0] == 0:
        return Decimal(0) if (r[0] == 0 and higher) else m
    num = fsub(r, lo)
    pos = norm(num[0] * span[1], num[1] * span[0])
    return q20(pos[0] * m, pos[1])


def with_fixed(values, variables):
    if all(v["constant"] is None and v["same_as"] is None for v in variables):
        return values
    out = dict(values)
    for v in variables:
        if v["constant"] is not None:
            out[v["name"]] = ("n", v["constant"])
        elif v["same_as"] is not None:
            a = values.get(v["same_as"])
            if a is None:
                out.pop(v["name"], None)
            else:
                out[v["name"]] = a
    return out


# ---------------------------------------------------------------------------------------------------------------
# Scorer: every unit of one catalogue (DTICore Scorer.score).

def score_catalogue(cat, units):
    """units: list of (code, tags set, peer_group, values {indicator: {variable: value}}). Returns per unit
    (code, peer_group, indicator rows, pillar rows, index row)."""
    lv = C.leaves(cat)
    pillar_of = {p["code"]: p for p in cat["pillars"]}
    outcomes, applic = [], []
    for code, tags, pg, values in units:
        o, a = {}, {}
        for leaf in lv:
            p = pillar_of.get(leaf["pillar"]) if leaf["pillar"] else None
            ok = True
            if p and p["applies"] and p["applies"] not in tags:
                ok = False
            elif leaf["applies"] and leaf["applies"] not in tags:
                ok = False
            else:
                raw = values.get(leaf["code"], {}).get("applicable")
                if raw is not None and C.value_yesno(raw) is False:
                    ok = False
            a[leaf["code"]] = ok
            if not ok or leaf["rule"] is None:
                continue
            allow = {v["name"] for v in leaf["variables"] if v["allow_negative"]}
            o[leaf["code"]] = score_rule(leaf["rule"], with_fixed(values.get(leaf["code"], {}), leaf["variables"]),
                                         leaf["max"], allow)
        outcomes.append(o)
        applic.append(a)
    # min–max within each peer group
    for leaf in lv:
        r = leaf["rule"]
        if r is None or r["kind"] != "minmax" or leaf["max"] is None:
            continue
        groups = {}
        for i, u in enumerate(units):
            o = outcomes[i].get(leaf["code"])
            if o is not None and o[0] == "peers":
                groups.setdefault(u[2], []).append(i)
        for members in groups.values():
            ratios = [outcomes[i][leaf["code"]][1] for i in members]
            best = worst = ratios[0]
            for x in ratios[1:]:
                if fsub(x, best)[0] > 0:
                    best = x
                if fsub(x, worst)[0] < 0:
                    worst = x
            for k, i in enumerate(members):
                p = minmax_points(ratios[k], best, worst, r["higher"], leaf["max"])
                outcomes[i][leaf["code"]] = ("points", p, fval(ratios[k]))
    return [assemble(cat, units[i], outcomes[i], applic[i]) for i in range(len(units))]


def assemble(cat, unit, outcomes, applic):
    code, tags, pg, _ = unit
    rows = []

    def resolve(ind):
        if not ind["children"]:
            r = {"code": ind["code"], "points": None, "max": ind["max"], "status": "not_scored", "ratio": None}
            if not applic.get(ind["code"], True):
                r["status"] = "not_applicable"
            else:
                o = outcomes.get(ind["code"])
                if o is not None and o[0] == "points":
                    r["points"], r["ratio"], r["status"] = o[1], o[2], "scored"
                elif o is not None and o[0] == "nopoints":
                    r["status"] = "no_points"
            rows.append(r)
            return r
        r = {"code": ind["code"], "points": None, "max": ind["max"], "status": "scored", "ratio": None}
        rows.append(r)
        children = [resolve(c) for c in ind["children"]]
        applicable = [c for c in children if c["status"] != "not_applicable"]
        if not applicable and children:
            r["status"] = "not_applicable"
        elif all(c["status"] == "no_points" for c in applicable):
            r["status"] = "no_points"
        else:
            r["points"] = sum((c["points"] for c in applicable if c["points"] is not None), Decimal(0))
            missing = [c for c in applicable if c["status"] == "not_scored"]
            if missing:
                r["status"] = "scored" if any(c["status"] == "scored" for c in applicable) else "not_scored"
            if r["max"] is None:
                r["max"] = sum((c["max"] for c in ind["children"] if c["max"] is not None), Decimal(0))
        return r

    pillars = []
    for p in cat["pillars"]:
        tops = [resolve(i) for i in p["indicators"]]
        applies = (p["applies"] in tags) if p["applies"] else True
        pillars.append(pillar_total(cat, p, tops, applies))
    bonus_rows = [resolve(i) for i in cat["bonus"]]
    bonus = sum((b["points"] for b in bonus_rows if b["points"] is not None), Decimal(0))
    counted = [p for p in pillars if p["applicable"]]
    points = sum((p["points"] for p in counted), Decimal(0)) + bonus
    mx = sum((p["max"] for p in counted), Decimal(0))
    percent = q20(points * 100, mx) if mx > 0 else None
    rating = None
    if percent is not None:
        for name, th, inclusive in cat["bands"]:
            if (percent >= th) if inclusive else (percent > th):
                rating = name
                break
    index = {"points": points, "bonus": bonus, "max": mx, "percent": percent, "rating": rating}
    return code, pg, rows, [p for p in pillars if p["applicable"]], index


def pillar_total(cat, p, tops, applies):
    app = [t for t in tops if t["status"] != "not_applicable"]
    raw = sum((t["points"] for t in app if t["points"] is not None), Decimal(0))
    unscored = [t["code"] for t in app if t["status"] == "not_scored"]
    all_max = sum((t["max"] for t in tops if t["max"] is not None), Decimal(0))
    app_max = sum((t["max"] for t in app if t["max"] is not None), Decimal(0))
    na_max = all_max - app_max
    printed = p["max"] if p["max"] is not None else (all_max if all_max > 0 else None)
    if not applies or printed is None:
        return {"code": p["code"], "points": Decimal(0), "raw": raw, "max": Decimal(0), "percent": None,
                "applicable": False, "unscored": unscored}
    points = raw
    policy = p["policy"] or cat["policy"]
    if policy == "sum":
        mx = printed - na_max
    elif policy == "capped":
        mx = min(printed, app_max)
        if points > mx:
            points = mx
    else:
        if all_max > 0:
            points = q20(raw * printed, all_max)
            mx = q20(app_max * printed, all_max)
        else:
            mx = printed
    percent = q20(points * 100, mx) if mx > 0 else None
    return {"code": p["code"], "points": points, "raw": raw, "max": mx, "percent": percent,
            "applicable": mx > 0 or any(t["status"] == "scored" for t in app), "unscored": unscored}


# ---------------------------------------------------------------------------------------------------------------

def to_dec(x):
    return None if x is None or x != x or x == "" else Decimal(x)


def run(export, catdir, year, stage="final"):
    cats = C.load_catalogues(catdir)
    read = dict(dtype=str, keep_default_na=False, na_values=[""])
    units = pd.read_csv(f"{export}/units.csv", **read)
    items = pd.read_csv(f"{export}/items.csv", **read)
    values = pd.read_csv(f"{export}/values.csv", **read)

    # the hierarchy: ancestry (self, parent, …, province), effective peer group
    units["unit_id"] = units["unit_id"].astype(int)
    parent = dict(zip(units["code"], units["parent_code"]))
    def chain(c):
        out = []
        while isinstance(c, str):
            out.append(c)
            c = parent.get(c)
        return out
    units["ancestry"] = units["code"].map(chain)
    units["root"] = units["ancestry"].map(lambda a: a[-1])
    units["peer"] = units["peer_group"].where(units["peer_group"].notna(),
                                              units["parent_code"].fillna("") + ":" + units["level"])
    units["tagset"] = units["tags"].fillna("").map(lambda t: set(x for x in t.split("|") if x))

    # current values: the most advanced stage up to `stage` of every unit, year and item
    smax = C.STAGES.index(stage)
    values["srank"] = values["stage"].map(C.STAGES.index)
    values = values[values["srank"] <= smax]
    values["year"] = values["year"].astype(int)
    values["unit_id"] = values["unit_id"].astype(int)
    values["item_id"] = values["item_id"].astype(int)
    values = values.sort_values("srank").drop_duplicates(["unit_id", "year", "item_id"], keep="last")
    # the provinces with any value in the year, and their units
    u = units.set_index("unit_id")
    provinces = set(u.loc[values.loc[values["year"] == year, "unit_id"].unique(), "root"])
    scope = units[units["root"].isin(provinces)]
    items["item_id"] = items["item_id"].astype(int)
    v = values.merge(scope[["unit_id", "code", "level", "parent_code"]], on="unit_id").merge(items, on="item_id")
    v["num"] = v["value"].map(to_dec)

    # -------------------------------------------------------------------------------------------------------
    # derived district variables: the feeds of the catalogues, summed (counted …) over each district's communes
    catalogue = {c["id"]: c for c in cats}
    feeds = []
    for c in cats:
        for ind in C.all_indicators(c):
            for var in ind["variables"]:
                for f in var["feeds"]:
                    feeds.append((c["id"], ind["code"], var["name"], f["catalogue"], f["indicator"], f["variable"],
                                  f["how"], f["precedence"]))
    feeds = pd.DataFrame(feeds, columns=["catalogue_id", "indicator_code", "variable", "t_cat", "t_ind", "t_var", "how", "precedence"])
    level_of = dict(zip(units["code"], units["level"]))
    cy = v[(v["year"] == year) & (v["level"] == "commune")]
    cy = cy[cy["parent_code"].map(level_of) == "district"]
    fed = cy.merge(feeds, on=["catalogue_id", "indicator_code", "variable"])
    # exact sums in fixed point: every value × 10^scale as an int64 (scale = the most decimals of any value)
    scale = max([-d.as_tuple().exponent for d in fed["num"].dropna().unique() if d.as_tuple().exponent < 0], default=0)
    fed["fix"] = fed["num"].map(lambda d: int(d.scaleb(scale)) if isinstance(d, Decimal) else None).astype("Int64")
    lim = fed["fix"].abs().max()
    assert pd.isna(lim) or lim * len(fed) < 2 ** 62, "values too large for int64 fixed point"
    fed["y"] = (fed["fix"] == 10 ** scale).fillna(False).astype(int)
    fed["n"] = (fed["fix"] == 0).fillna(False).astype(int)
    keys = ["parent_code", "t_cat", "t_ind", "t_var", "how", "precedence"]
    g = fed.groupby(keys, sort=False)
    agg = g.agg(children=("fix", "size"), sum=("fix", "sum"),
                answers=("fix", "count"), yes=("y", "sum"), no=("n", "sum"), min=("fix", "min"), max=("fix", "max"))
    back = lambda x: None if pd.isna(x) else Decimal(int(x)).scaleb(-scale)
    for c in ("sum", "min", "max"):
        agg[c] = agg[c].map(back)
    agg.loc[agg["answers"] == 0, "sum"] = None
    agg = agg.reset_index()
    first, last = pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)
    communes = units[units["level"] == "commune"].copy()
    vf, vt = pd.to_datetime(communes["valid_from"]), pd.to_datetime(communes["valid_to"])
    communes = communes[(vf.isna() | (vf <= last)) & (vt.isna() | (vt >= first))]
    expected = communes.groupby("parent_code").size()
    agg["expected"] = agg["parent_code"].map(expected).fillna(0).astype(int)

    def derived_value(r):
        h = r["how"]
        if h == "sum":
            return r["sum"]
        if h == "count_yes":
            return Decimal(r["yes"])
        if h == "count_no":
            return Decimal(r["no"])
        if h == "count_answers":
            return Decimal(r["answers"])
        if h == "count_units":
            return Decimal(r["expected"])
        if h == "min":
            return r["min"]
        if h == "max":
            return r["max"]
        raise ValueError("how " + h)   # mean: PostgreSQL's avg() scale is not reproduced (no shipped feed uses it)
    agg["derived"] = agg.apply(derived_value, axis=1)
    anc = dict(zip(units["code"], units["ancestry"]))

    def target_ok(r):
        c = catalogue.get(r["t_cat"])
        if c is None or "district" not in c["levels"] or not (c["years"][0] <= year <= c["years"][1]):
            return False
        return not c["scope"] or bool(set(anc[r["parent_code"]]) & set(c["scope"]))
    agg = agg[agg.apply(target_ok, axis=1)]
    own = v[v["year"] == year][["code", "catalogue_id", "indicator_code", "variable", "num"]]
    own = own.rename(columns={"code": "parent_code", "catalogue_id": "t_cat", "indicator_code": "t_ind",
                              "variable": "t_var", "num": "submitted"})
    agg = agg.merge(own, on=["parent_code", "t_cat", "t_ind", "t_var"], how="left")
    agg["submitted"] = agg["submitted"].map(lambda x: x if isinstance(x, Decimal) else None)
    agg["used"] = [("submitted" if p == "submitted" and s is not None else "derived")
                   for p, s in zip(agg["precedence"], agg["submitted"])]
    agg["mismatch"] = [s is not None and (d is None or s != d) for s, d in zip(agg["submitted"], agg["derived"])]
    derived_rows = [(r.parent_code, r.t_cat, r.t_ind, r.t_var, r.derived, r.children, r.how, r.submitted, r.used,
                     "t" if r.mismatch else "f", r.expected) for r in agg.itertuples()]

    # -------------------------------------------------------------------------------------------------------
    # scoring: the values of the units scored catalogues evaluate, this year and last
    scored = [c for c in cats if c["kind"] == "scored" and c["years"][0] <= year <= c["years"][1]]
    profile_id = next((c["id"] for c in cats if c["kind"] == "profile"), None)
    levels = set(l for c in scored for l in c["levels"])
    sv = v[v["level"].isin(levels)]
    current, previous = {}, {}
    for code, y, cid, ind, var, num, text in zip(*(sv[c].tolist() for c in ("code", "year", "catalogue_id", "indicator_code",
                                                                            "variable", "num", "value_text"))):
        val = ("t", text) if isinstance(text, str) else ("n", num)
        (current if y == year else previous).setdefault(cid, {}).setdefault(code, {}).setdefault(ind, {})[var] = val
    for r in agg[agg["used"] == "derived"].itertuples():
        if r.derived is not None and r.derived == r.derived:
            current.setdefault(r.t_cat, {}).setdefault(r.parent_code, {}).setdefault(r.t_ind, {})[r.t_var] = ("n", r.derived)
    info = {c: (l, a, p, t) for c, l, a, p, t in zip(scope["code"], scope["level"], scope["ancestry"], scope["peer"], scope["tagset"])}

    ind_rows, pil_rows, idx_rows = [], [], []
    for cat in scored:
        prof = current.get(profile_id, {})
        subs = []
        for code in sorted(current.get(cat["id"], {})):
            if code not in info:
                continue
            lvl, ancestry, peer, tags = info[code]
            if lvl not in cat["levels"] or (cat["scope"] and not set(cat["scope"]) & set(ancestry)):
                continue
            vals = {k: dict(x) for k, x in current[cat["id"]][code].items()}
            profile = {f: x["value"] for f, x in prof.get(code, {}).items() if "value" in x}
            prev = previous.get(cat["id"], {}).get(code, {})
            for leaf in C.leaves(cat):
                for var in leaf["variables"]:
                    if vals.get(leaf["code"], {}).get(var["name"]) is not None:
                        continue
                    if var["profile"] and var["profile"] in profile:
                        vals.setdefault(leaf["code"], {})[var["name"]] = profile[var["profile"]]
                    elif var["previous_year_of"] and prev.get(leaf["code"], {}).get(var["previous_year_of"]) is not None:
                        vals.setdefault(leaf["code"], {})[var["name"]] = prev[leaf["code"]][var["previous_year_of"]]
            subs.append((code, tags, peer, vals))
        for code, peer, rows, pillars, index in score_catalogue(cat, subs):
            for r in rows:
                ind_rows.append((code, cat["id"], r["code"], r["points"], r["max"], r["status"], r["ratio"]))
            for p in pillars:
                pil_rows.append([code, cat["id"], p["code"], p["points"], p["raw"], p["max"], p["percent"],
                                 "|".join(p["unscored"]), peer, None])
            idx_rows.append([code, cat["id"], index["points"], index["bonus"], index["max"], index["percent"],
                             index["rating"], peer, None])

    # ranks: on unrounded percent within catalogue and peer group, ties share a rank (min), no percent no rank
    if idx_rows:
        df = pd.DataFrame(idx_rows)
        df["f"] = df[5].map(lambda d: float("nan") if d is None else d)
        rk = rank_min(df, [1, 7], 5)
        for row, r in zip(idx_rows, rk):
            row[8] = r
    if pil_rows:
        df = pd.DataFrame(pil_rows)
        rk = rank_min(df, [1, 8, 2], 6)
        for row, r in zip(pil_rows, rk):
            row[9] = r
    return {"indicator": ind_rows, "pillar": pil_rows, "index": idx_rows, "derived": derived_rows}


def rank_min(df, by, col):
    """rank() OVER (PARTITION BY … ORDER BY col DESC) on exact Decimals; NULL percent gets no rank."""
    key = df[col].map(lambda d: None if d is None else d)
    has = key.notna()
    out = [None] * len(df)
    sub = df[has].copy()
    sub["k"] = key[has]
    for _, grp in sub.groupby(by, sort=False):
        ordered = sorted(grp["k"].items(), key=lambda t: t[1], reverse=True)
        rank, prev = 0, None
        for n, (idx, k) in enumerate(ordered, 1):
            if k != prev:
                rank, prev = n, k
            out[df.index.get_loc(idx)] = rank
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--export", required=True)
    ap.add_argument("--catalogues", default="etl/catalogues")
    ap.add_argument("--year", type=int, required=True)
    ap.add_argument("--out", metavar="DIR", help="write the results as CSV (indicator, pillar, index, derived)")
    ap.add_argument("--compare", metavar="DATABASE_URL")
    a = ap.parse_args()
    t0 = time.time()
    res = run(a.export, a.catalogues, a.year)
    t1 = time.time()
    print("pandas: %d indicator scores, %d pillar scores, %d indices, %d derived values in %.2f s"
          % (len(res["indicator"]), len(res["pillar"]), len(res["index"]), len(res["derived"]), t1 - t0))
    if a.out:
        C.write_results(a.out, res)
    if a.compare:
        bad = C.compare(a.compare, a.year, res, "pandas")
        sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
