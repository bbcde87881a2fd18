#!/usr/bin/env python3
"""Encode 002 (Yên Định's letter with Thanh Hóa's district catalogue and its 2022 points) as
etl/catalogues/thanh-hoa-district-2022.yaml and Yên Định's real 2022 points as etl/reference/yen-dinh-2022.csv.

Names, agencies and points are copied verbatim from the tables of the seed; rows the conversion split over two
lines (a continuation line starts with a tab) are joined with one space. Run from the repository root:
    python3 scripts/catalogue-sources/gen-thanh-hoa-district-2022.py ../shared/seeds/002_43eff494c97e00ff.txt
"""
import re, sys, unicodedata, json
from decimal import Decimal

src = sys.argv[1] if len(sys.argv) > 1 else "../shared/seeds/002_43eff494c97e00ff.txt"
text = unicodedata.normalize("NFC", open(src, encoding="utf-8").read())
lines = text.split("\n")

def clean(s):
    s = re.sub(r"<[^>]+>", " ", s)
    return re.sub(r"\s+", " ", s).strip()

pillar_names = {}
for l in lines:
    m = re.match(r"^(\d)\. Chỉ số “(.+)”\s*$", l)
    if m:
        pillar_names[m.group(1)] = m.group(2)

pillars = []  # dicts
rows = []
current = None
for i, l in enumerate(lines):
    cells = l.split("\t")
    if re.match(r"^\d\tChỉ số đánh giá\tĐiểm tối đa \((\d+)\)\tĐiểm năm 2022 \(([\d,]+)\)", l):
        m = re.match(r"^(\d)\tChỉ số đánh giá\tĐiểm tối đa \((\d+)\)\tĐiểm năm 2022 \(([\d,]+)\)", l)
        current = {"code": m.group(1), "max": Decimal(m.group(2)), "points": Decimal(m.group(3).replace(",", ".")),
                   "rows": []}
        pillars.append(current)
        continue
    if current is None:
        continue
    if re.match(r"^\d+(\.\d+)+$", cells[0]):
        while len(cells) < 6: cells.append("")
        current["rows"].append({"code": cells[0], "cells": cells[1:6], "line": i + 1})
    elif l.startswith("\t") and current["rows"] and len(cells) >= 5 and i - current["rows"][-1]["line"] <= 3:
        prev = current["rows"][-1]["cells"]
        for k, extra in enumerate(cells[1:6]):
            if extra.strip():
                prev[k] = (prev[k].rstrip() + " " + extra.strip()) if prev[k].strip() else extra.strip()

def q(s):
    return json.dumps(s, ensure_ascii=False)

def num(d):
    s = format(d.normalize(), "f")
    return s

out = []
w = out.append
w("id: thanh-hoa-district-2022")
w('title: "Chỉ số đánh giá chuyển đổi số cấp huyện tỉnh Thanh Hóa (bảng điểm năm 2022 của huyện Yên Định)"')
w("source:")
w("  file: 002_43eff494c97e00ff.txt")
w('  document: "Công văn của UBND huyện Yên Định V/v giao nhiệm vụ thực hiện duy trì, cải thiện và nâng cao chỉ số đánh giá Chuyển đổi số huyện Yên Định hằng năm (mục II. Các chỉ số đánh giá)"')
w('  number: "/UBND-VHTT"')
w('  date: "Yên Định, ngày tháng năm 2023"')
w("level: district")
w("years: {from: 2022, to: 2022}")
w('evaluator: "UBND tỉnh Thanh Hóa"')
w('scope: ["thanh-hoa"]')
w("total_policy: sum")
w("declared_total: 1000")
w("stages: [self, final]")
w("notes:")
notes = [
    "The letter is Yên Định district's; the catalogue is Thanh Hóa province's district index, scored by UBND tỉnh Thanh Hóa (Quyết định số 2148 ngày 20/6/2023 published the 2022 results; Yên Định ranked 5th of the district block).",
    "The source gives maximum points and Yên Định's 2022 points per indicator but no scoring formula: every rule is `direct` (the evaluator's points are loaded as variable `points`).",
    "Pillar maxima 100+100+100+100+100+200+150+150 = 1000 and every pillar's indicator maxima add up to its pillar max (checked by lint).",
    "Yên Định's real 2022 points are in etl/reference/yen-dinh-2022.csv (pillar totals 83.125, 100, 95, 92.85, 95, 184.08, 136.74, 104.4; index 891.195). Points printed with a decimal comma (18,125) are written with a dot.",
    "Table rows that the conversion split over two lines are joined with one space; otherwise names and agencies are verbatim (including typos such as “Thế chế số” for pillar 2).",
    "The general information table (Tên đơn vị, Tổng số CBCC, VC, DN, người dân …) maps to the unit profile (unit-profile.yaml), not to indicators.",
    "Checks, constants and aliases (audit, issue 15): every indicator takes awarded points only (no a/b), so the source implies no part-of-a-total check, fixes no value and defines no variable as another.",
]
for n in notes: w("  - " + q(n))
w("pillars:")
total_max = Decimal(0); csv_rows = []
for p in pillars:
    w(f'  - code: "{p["code"]}"')
    w(f"    name: {q(pillar_names[p['code']])}")
    if p["code"] == "2":
        w("    display_name: " + q("Thể chế số"))
    w(f"    max_points: {num(p['max'])}")
    if p["code"] == "2":
        w("    notes:")
        w("      - " + q("Source typo kept verbatim: “Thế chế số” (Thể chế số, digital institutions)."))
        w("      - " + q("display_name \"Thể chế số\" is what reports print."))
    w("    indicators:")
    top = [r for r in p["rows"] if r["code"].count(".") == 1]
    psum = Decimal(0); ppts = Decimal(0)
    def emit(r, indent, children=()):
        name, mx, pts, lead, sup = [clean(c) for c in r["cells"]]
        ind = " " * indent
        w(f'{ind}- code: "{r["code"]}"')
        w(f"{ind}  name: {q(name)}")
        w(f"{ind}  max_points: {num(Decimal(mx.replace(',', '.')))}")
        if lead: w(f"{ind}  lead: {q(lead)}")
        if sup: w(f"{ind}  supporting: {q(sup)}")
        if children:
            w(f"{ind}  children:")
            for c in children: emit(c, indent + 4)
        else:
            w(f"{ind}  variables:")
            w(f'{ind}    - {{name: points, meaning: "Điểm do UBND tỉnh chấm", kind: points}}')
            w(f"{ind}  rule: {{kind: direct}}")
            csv_rows.append((r["code"], Decimal(pts.replace(",", "."))))
    for r in top:
        kids = [c for c in p["rows"] if c["code"].startswith(r["code"] + ".")]
        emit(r, 6, kids)
        psum += Decimal(r["cells"][1].replace(",", "."))
        ppts += Decimal(r["cells"][2].replace(",", "."))
    assert psum == p["max"], (p["code"], psum, p["max"])
    assert ppts == p["points"], (p["code"], ppts, p["points"])
    total_max += psum
assert total_max == 1000
open("etl/catalogues/thanh-hoa-district-2022.yaml", "w", encoding="utf-8").write("\n".join(out) + "\n")
with open("etl/reference/yen-dinh-2022.csv", "w", encoding="utf-8") as f:
    f.write("unit_code,year,catalogue,indicator,variable,value,evidence,stage\n")
    for code, pts in csv_rows:
        f.write(f"thanh-hoa.yen-dinh,2022,thanh-hoa-district-2022,{code},points,{num(pts) if pts != 0 else '0'},Công văn /UBND-VHTT của UBND huyện Yên Định (002),final\n")
print(f"{len(pillars)} pillars, {sum(len(p['rows']) for p in pillars)} rows, {len(csv_rows)} scored, max {total_max}, points {sum(p['points'] for p in pillars)}")
