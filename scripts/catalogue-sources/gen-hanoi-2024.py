#!/usr/bin/env python3
"""Encode 001 (draft decision of UBND Thành phố Hà Nội, 2024) as two catalogues:

    etl/catalogues/hanoi-city-2024.yaml      Phụ lục III, cấp Thành phố (sở, ban, ngành): 46 indicators, 400 points
    etl/catalogues/hanoi-district-2024.yaml  Phụ lục IV, cấp huyện (quận, huyện, thị xã): 60 indicators, 500 points

The indicator tables ("BẢNG 2") are read from the seed: names and points are copied verbatim (NFC, HTML fragments
removed, whitespace collapsed). The groups of pillars come from the table of Điều 3. The source gives points only,
so every rule is `direct`. Every count and sum the notes state is checked here (assert) against the parsed text.

Run from the repository root:
    python3 scripts/catalogue-sources/gen-hanoi-2024.py [../shared/seeds/001_6d81536d07bcd226.txt]
"""
import os
import re
import sys
import unicodedata

import yaml  # pip install pyyaml

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
SEED_NAME = "001_6d81536d07bcd226.txt"
src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(REPO), "shared", "seeds", SEED_NAME)
if not os.path.exists(src):
    src = os.path.join("/work/shared/seeds", SEED_NAME)
OUT = os.path.join(REPO, "etl", "catalogues")


def nfc(s):
    return unicodedata.normalize("NFC", s)


text = nfc(open(src, encoding="utf-8").read())
lines = text.split("\n")


def clean(s):
    """Remove HTML fragments (<br> …) and collapse whitespace."""
    s = re.sub(r"<[^>]+>", " ", s)
    return nfc(re.sub(r"\s+", " ", s).strip())


def find_line(pred, start=0):
    for i in range(start, len(lines)):
        if pred(lines[i]):
            return i
    raise SystemExit("line not found")


# ---------------------------------------------------------------- Điều 3: groups and counts per pillar
i3 = find_line(lambda l: l.startswith("Stt\tChỉ số chính\tCấp Thành phố\tCấp huyện"))
groups = {}          # pillar code -> group name
dieu3_counts = {}    # pillar code -> (city, district) as printed
dieu3_names = {}
group_counts = {}    # group name -> (city, district) as printed
dieu3_total = None
group = None
for l in lines[i3 + 1:]:
    if not l.strip():
        break
    c = [clean(x) for x in l.split("\t")]
    if c[1] == "Tổng":
        dieu3_total = (int(c[2]), int(c[3]))
        continue
    if re.fullmatch(r"[IVX]+", c[0]):
        group = c[1]
        group_counts[group] = (int(c[2]), int(c[3]))
        continue
    city_n = int(re.match(r"\d+", c[2]).group(0))  # "1 ^(*)" for pillar 7
    groups[c[0]] = group
    dieu3_names[c[0]] = c[1]
    dieu3_counts[c[0]] = (city_n, int(c[3]))
assert dieu3_total == (46, 60), dieu3_total
assert list(groups) == [str(k) for k in range(1, 10)]
assert set(groups.values()) == {"Nhóm chỉ số nền tảng chung", "Nhóm chỉ số hoạt động"}


# ---------------------------------------------------------------- BẢNG 2 tables
def parse_table(start_marker, end_pred):
    i0 = find_line(lambda l: l.strip() == start_marker)
    total = None
    pillars = []
    for ln in range(i0 + 1, len(lines)):
        l = lines[ln]
        if end_pred(l):
            break
        if not l.strip():
            continue
        c = [clean(x) for x in l.split("\t")]
        c = [x for x in c if x != ""]
        if c[0] == "STT":            # header, repeated after every page break
            continue
        m = re.fullmatch(r"TỔNG \((\d+) chỉ số\)", c[0])
        if m:
            total = (int(m.group(1)), int(c[1]))
            continue
        m = re.fullmatch(r"(.+?) \((\d+) chỉ số\)", c[1]) if len(c) == 3 else None
        if m and re.fullmatch(r"\d", c[0]):
            pillars.append({"code": c[0], "name": m.group(1), "printed_count": int(m.group(2)),
                            "max": int(c[2]), "indicators": [], "line": ln + 1})
            continue
        # indicator: "STT." then either "p.n" and the name, or "p.n Name" in one cell
        assert re.fullmatch(r"\d+\.", c[0]), (ln + 1, c)
        stt = int(c[0][:-1])
        merged = False
        if len(c) == 4:
            code, name, pts = c[1], c[2], c[3]
        else:
            assert len(c) == 3, (ln + 1, c)
            code, name = c[1].split(" ", 1)
            pts = c[2]
            merged = True
        assert re.fullmatch(r"\d+\.\d+", code), (ln + 1, code)
        assert code.split(".")[0] == pillars[-1]["code"], (ln + 1, code)
        pillars[-1]["indicators"].append({"stt": stt, "code": code, "name": name, "max": int(pts),
                                          "merged": merged, "line": ln + 1})
    return total, pillars


city_total, city_pillars = parse_table("BẢNG 2. BỘ CHỈ SỐ CHUYỂN ĐỔI SỐ CẤP THÀNH PHỐ",
                                       lambda l: l.startswith("Ghi chú: (*)"))
dist_total, dist_pillars = parse_table("BẢNG 2. BỘ CHỈ SỐ CHUYỂN ĐỔI SỐ CẤP HUYỆN", lambda l: False)


def check(total, pillars, col):
    n = sum(len(p["indicators"]) for p in pillars)
    assert total[0] == n, (total, n)
    assert total[1] == sum(p["max"] for p in pillars), total
    stts = [ind["stt"] for p in pillars for ind in p["indicators"]]
    assert stts == list(range(1, n + 1)), stts
    for p in pillars:
        assert p["printed_count"] == len(p["indicators"]), p["code"]
        assert dieu3_counts[p["code"]][col] == len(p["indicators"]), p["code"]
        assert sum(i["max"] for i in p["indicators"]) == p["max"], p["code"]
        codes = [i["code"] for i in p["indicators"]]
        assert codes == ["%s.%d" % (p["code"], k) for k in range(1, len(codes) + 1)], codes
    return n


assert check(city_total, city_pillars, 0) == 46 and city_total == (46, 400)
assert check(dist_total, dist_pillars, 1) == 60 and dist_total == (60, 500)
# Điều 3's group subtotals: right for cấp Thành phố, wrong for cấp huyện (33/27 printed, 32/28 by pillar)
for col, pillars in ((0, city_pillars), (1, dist_pillars)):
    for g, printed in group_counts.items():
        actual = sum(len(p["indicators"]) for p in pillars if groups[p["code"]] == g)
        if col == 0:
            assert actual == printed[0], (g, actual)
assert group_counts["Nhóm chỉ số nền tảng chung"][1] == 33
assert sum(len(p["indicators"]) for p in dist_pillars if groups[p["code"]] == "Nhóm chỉ số nền tảng chung") == 32
assert group_counts["Nhóm chỉ số hoạt động"][1] == 27
assert sum(len(p["indicators"]) for p in dist_pillars if groups[p["code"]] == "Nhóm chỉ số hoạt động") == 28
assert dieu3_names["2"] == "Thế chế số" and city_pillars[1]["name"] == "Thể chế số" == dist_pillars[1]["name"]
merged_dist = [i["code"] for p in dist_pillars for i in p["indicators"] if i["merged"]]
assert merged_dist == ["1.1", "1.2", "1.3"], merged_dist
assert not any(i["merged"] for p in city_pillars for i in p["indicators"])
assert not re.search(r"^\d+,\d+\t", text, re.M)  # no "1,4"-style codes in 001


# ---------------------------------------------------------------- verbatim snippets (each checked against the text)
def verbatim(s):
    s = nfc(s)
    assert s in text, s
    return s


def strip_emphasis(s):
    """The conversion marks some words as *emphasis*; quoted without the asterisks."""
    return s.replace("*", "").strip()


def line_with(prefix):
    return clean(lines[find_line(lambda l: l.startswith(prefix))])


DECISION_TITLE = verbatim("Ban hành Bộ chỉ số đánh giá chuyên đổi số của các cơ quan nhà nước thành phố Hà Nội")
NUMBER = verbatim("/QĐ-UBND")
assert verbatim("Số: /QĐ-UBND Hà Nội, ngày tháng năm 2024")
EVALUATOR = verbatim("Hội đồng thẩm định Thành phố (do Sở Thông tin và Truyền thông tham mưu UBND Thành phố thành lập)")
DIEU4 = line_with("Sở Thông tin và Truyền thông tham mưu UBND Thành phố thành lập Hội đồng")
D5 = [line_with(p) for p in ("1. Các Sở, ban, ngành, UBND các quận, huyện, thị xã hằng năm",
                             "2. Các thành viên Hội đồng thẩm định", "3. Trên cơ sở kết quả đánh giá vòng 1",
                             "4. Hội đồng thẩm định Thành phố thực hiện", "5. Sở Thông tin và Truyền thông căn cứ")]
D5_CONT = line_with("hoàn thành các chỉ tiêu, nhiệm vụ theo các chỉ số")  # step 1 continues after a page footnote
BONUS_PRINCIPLE = line_with("b) Việc đánh giá bảo đảm tính trung thực")
BONUS_TASK = verbatim("kịp thời đề xuất cơ chế điểm khuyến khích đối với những sáng kiến, phương thức mới trong công tác "
                      "tổ chức triển khai, đạt hiệu quả tốt")
BONUS_NAME = verbatim("điểm khuyến khích đối với những sáng kiến, phương thức mới trong công tác tổ chức triển khai, "
                      "đạt hiệu quả tốt")
SCORING_TASK = verbatim("hướng dẫn chấm điểm đối với từng chỉ số, chỉ số thành phần trên cơ sở tổng hợp nội dung "
                        "hướng dẫn của các Sở, ngành theo lĩnh vực phụ trách")
ANNUAL = verbatim("được tổ chức định kỳ hàng năm")
ECON_NOTE_III = line_with("Ghi chú: (*)")
ECON_DIEU3 = strip_emphasis(line_with("1. Các Sở, ban, ngành đánh giá theo bộ chỉ số tại"))
ECON_FOOT = strip_emphasis(line_with("* Tiêu chí Hoạt động kinh tế số"))
ECON_DIEU2 = strip_emphasis(line_with("b) Đánh giá về phát triển kinh tế số"))
PL3_HEAD = line_with("PHỤ LỤC III:")
PL3_ATTACH = line_with("(Kèm theo Quyết định số /QĐ-UBND ngày / /2024 của Ủy ban nhân dân")
PL4_HEAD = line_with("PHỤ LỤC IV:")
PL4_ATTACH = line_with("(Kèm theo Quyết định số /QĐ-UBND ngày / /2024 của UBND Thành phố)")
DATE = verbatim("ngày / /2024")
SIGNER = verbatim("Trần Sỹ Thanh")
assert PL3_HEAD == "PHỤ LỤC III: BỘ CHỈ SỐ CHUYÊN ĐỔI SỐ CẤP THÀNH PHỐ"
assert PL4_HEAD == "PHỤ LỤC IV: BỘ CHỈ SỐ CHUYỂN ĐỔI SỐ CẤP HUYỆN"


# ---------------------------------------------------------------- YAML output
class Q(str):
    """A string written double-quoted."""


class Dumper(yaml.SafeDumper):
    def increase_indent(self, flow=False, indentless=False):  # indent block lists under their key
        return super().increase_indent(flow, False)


Dumper.add_representer(Q, lambda d, s: d.represent_scalar("tag:yaml.org,2002:str", str(s), style='"'))


class Flow(dict):
    """A mapping written on one line ({name: …, kind: …})."""


class FlowList(list):
    pass


Dumper.add_representer(Flow, lambda d, m: d.represent_mapping("tag:yaml.org,2002:map", m.items(), flow_style=True))
Dumper.add_representer(FlowList, lambda d, m: d.represent_sequence("tag:yaml.org,2002:seq", m, flow_style=True))


def quote(x):
    """Quote every string value (keys stay plain); keep Flow/FlowList styles."""
    if isinstance(x, Flow):
        return Flow((k, quote(v)) for k, v in x.items())
    if isinstance(x, FlowList):
        return FlowList(quote(v) for v in x)
    if isinstance(x, dict):
        return {k: quote(v) for k, v in x.items()}
    if isinstance(x, list):
        return [quote(v) for v in x]
    if isinstance(x, str):
        return Q(nfc(x))
    return x


POINTS_VAR = Flow(name="points", meaning="Điểm do cơ quan thẩm định chấm", kind="points")


def indicator(ind, extra_notes=None):
    d = {"code": ind["code"], "name": ind["name"], "max_points": ind["max"],
         "variables": [POINTS_VAR], "rule": Flow(kind="direct")}
    if extra_notes:
        d["notes"] = extra_notes
    return d


def stages_note():
    return ("Stages (Điều 5. Quy trình đánh giá), quoted: self = \"" + D5[0] + " " + D5_CONT + "\"; round1 = \"" + D5[1]
            + "\"; explanations between the rounds (not a scoring stage) = \"" + D5[2] + "\"; round2 = \"" + D5[3]
            + "\"; final = \"" + D5[4] + "\"")


COMMON_NOTES = [
    "Draft (dự thảo): the decision is printed with its number and date left blank (\"Số: /QĐ-UBND Hà Nội, ngày tháng "
    "năm 2024\"; the appendices print \"ngày / /2024\", Phụ lục II \"ngày /01/2024\") although the signature block "
    "names " + SIGNER + ". The word \"dự thảo\" is this warehouse's label, not printed in the text.",
    "The source gives each indicator's max points (column \"Điểm\") but no formula and no scoring guidance (Điều 6.1.b "
    "leaves it to Sở Thông tin và Truyền thông: \"" + SCORING_TASK + "\"), so points are awarded directly by the "
    "evaluator: every rule is `direct`, with one variable `points`.",
    "Evaluator: Điều 4 \"" + DIEU4 + "\"; the Hội đồng thẩm định scores (Điều 5.2, 5.4) and UBND Thành phố publishes "
    "the ranking by decision (Điều 5.5).",
    stages_note(),
    "Years: the decision is dated 2024 and says the evaluation is \"" + ANNUAL + "\"; it gives no data period and no "
    "deadline for submissions. This catalogue is declared for 2024 only.",
    "Pillar groups are those of the table in Điều 3 (\"I Nhóm chỉ số nền tảng chung\": pillars 1–5; \"II Nhóm chỉ số "
    "hoạt động\": pillars 6–9). Điều 3 spells pillar 2 \"Thế chế số\"; the appendix table prints \"Thể chế số\", "
    "which is used here.",
    "Pillar rows print the pillar's indicator count after its name, e.g. \"Nhận thức số (5 chỉ số)\"; the count is "
    "left out of `name` (each printed count equals the number of indicators listed, checked by the generator).",
    "Codes are as printed in the second column (\"1.1\" … \"9.2\", already with a dot: no \"1,4\"-style code needed "
    "fixing). The first column (STT \"1.\", \"2.\" …) numbers the indicators consecutively across pillars and is "
    "not stored. No indicator has sub-indicators (no `children`).",
    "Bonus: the decision foresees a mechanism of incentive points but sets no amount and no cap: Điều 2.3.b \""
    + BONUS_PRINCIPLE + "\"; Điều 6.1.b tasks Sở Thông tin và Truyền thông to \"" + BONUS_TASK + "\". Encoded as one "
    "bonus item KK with no max_points (null) and no cap.",
    "The general information table (BẢNG 1. THÔNG TIN CHUNG) is not encoded as indicators: its facts (agencies, "
    "civil servants, public employees, servers, workstations, information systems, budget for digital "
    "transformation, administrative procedures …) are the unit profile fields of unit-profile.yaml; its contact "
    "rows (Chuyên viên cung cấp số liệu, Lãnh đạo cơ quan duyệt) are not stored.",
    "Text conversion: the table header row repeated after each page break is skipped; HTML fragments are removed "
    "and whitespace collapsed; the asterisks the conversion uses for emphasis (*Phụ lục II*) are dropped from quotes.",
    "Generated by scripts/catalogue-sources/gen-hanoi-2024.py from " + SEED_NAME + ".",
]


def bonus():
    # max_points is left out (= null): the linter rejects a literal `null` scalar (see the report); an absent key
    # is how bac-giang-district-2022.yaml writes "no max points" too.
    return [{"code": "KK", "name": BONUS_NAME, "variables": [POINTS_VAR],
             "rule": Flow(kind="bonus"),
             "notes": ["Source gives no amount and no cap for incentive points (Điều 2.3.b: \"xem xét cơ chế điểm "
                       "khuyến khích\"; Điều 6.1.b: \"kịp thời đề xuất cơ chế điểm khuyến khích\"): no max_points (null) "
                       "and no cap."]}]


def catalogue(cid, title, document, level, declared, pillars, notes, pillar_extra):
    out = {
        "id": cid,
        "title": title,
        "source": {"file": SEED_NAME, "document": document, "number": NUMBER, "date": DATE},
        "level": level,
        "years": Flow({"from": 2024, "to": 2024}),
        "evaluator": EVALUATOR,
        "scope": FlowList(["ha-noi"]),
        "total_policy": "sum",
        "declared_total": declared,
        "stages": FlowList(["self", "round1", "round2", "final"]),
        "notes": notes,
        "pillars": [],
        "bonus": bonus(),
    }
    for p in pillars:
        pd = {"code": p["code"], "name": p["name"], "max_points": p["max"], "group": groups[p["code"]]}
        pd.update(pillar_extra.get(p["code"], {}))
        pd["indicators"] = [indicator(i, ind_notes.get((cid, i["code"]))) for i in p["indicators"]]
        out["pillars"].append(pd)
    return out


ind_notes = {
    ("hanoi-city-2024", "7.1"): ["\"(*)\" in the name is printed in the source: it refers to the table's footnote "
                                 "\"" + ECON_NOTE_III + "\" (see the pillar's applies_to)."],
}
for p in dist_pillars:
    for i in p["indicators"]:
        if i["merged"]:
            ind_notes[("hanoi-district-2024", i["code"])] = [
                "Printed with code and name in one cell (\"" + i["code"] + " " + i["name"][:40] + " …\"); split at "
                "the first space."]


def sums(pillars):
    return "+".join(str(p["max"]) for p in pillars)


city_notes = [
    "Checks, constants and aliases (audit, issue 15): the source gives points only (no a/b, no formula), so it "
    "implies no part-of-a-total check, fixes no value and defines no variable as another.",
    "Phụ lục III of the decision: cấp Thành phố, i.e. the 22 sở, ban, ngành of Phụ lục I mục I (\"Các Sở và cơ quan "
    "tương đương Sở\"), units ha-noi.* of level department in etl/reference/units.csv.",
    "Title: the appendix heading as printed, with its typo \"CHUYÊN ĐỔI SỐ\" (the decision's own title has "
    "\"chuyên đổi số\" too); the table heading reads \"BẢNG 2. BỘ CHỈ SỐ CHUYỂN ĐỔI SỐ CẤP THÀNH PHỐ\".",
    "BẢNG 1 of Phụ lục III splits row 1.11 (Số lượng thủ tục hành chính …) into three rows (Số TTHC thuộc thẩm "
    "quyền giải quyết của đơn vị / của UBND cấp huyện / của UBND cấp xã) that have no profile field of their own "
    "(unit-profile.yaml has admin_procedures only).",
] + COMMON_NOTES[:5] + [
    "Totals: \"TỔNG (46 chỉ số)\" 400; pillar maxima " + sums(city_pillars) + " = 400, and each pillar's indicator "
    "maxima add up to its pillar max (plain sum). 46 indicators (STT 1.–46.), as in Điều 3 (cấp Thành phố 46; groups "
    "23 + 23).",
    "Pillar 7 (Hoạt động kinh tế số, 20 points) applies only to the 9 departments of Phụ lục II (tag "
    "digital_economy in units.csv); for the other 13 departments the pillar counts neither in points nor in max, so "
    "their max is 380. Source: \"" + ECON_NOTE_III + "\"; Điều 3: \"" + ECON_DIEU3 + "\"",
] + COMMON_NOTES[5:]

dist_notes = [
    "Checks, constants and aliases (audit, issue 15): the source gives points only (no a/b, no formula), so it "
    "implies no part-of-a-total check, fixes no value and defines no variable as another.",
    "Phụ lục IV of the decision: cấp huyện, i.e. the 30 quận, huyện, thị xã of Phụ lục I mục II (12 quận, 17 "
    "huyện, thị xã Sơn Tây), units ha-noi.* of level district in etl/reference/units.csv.",
    "Title: the appendix heading as printed (\"" + PL4_HEAD + "\"); the decision's own title has the typo "
    "\"chuyên đổi số\".",
] + COMMON_NOTES[:5] + [
    "Totals: \"TỔNG (60 chỉ số)\" 500; pillar maxima " + sums(dist_pillars) + " = 500, and each pillar's indicator "
    "maxima add up to its pillar max (plain sum). 60 indicators (STT 1.–60.), as in Điều 3 (cấp huyện 60).",
    "Source defect: Điều 3 prints the group subtotals for cấp huyện as 33 (Nhóm chỉ số nền tảng chung) and 27 (Nhóm "
    "chỉ số hoạt động), but its own pillar counts give 7+3+6+8+8 = 32 and 10+6+10+2 = 28 (total 60 either way); "
    "the appendix lists 32 and 28 indicators. Kept as listed.",
    "Pillar 7 (Hoạt động kinh tế số) applies to every district: the restriction to Phụ lục II concerns the "
    "departments of Phụ lục III only.",
    "The first rows of BẢNG 2 (pillar 1 and indicators 1.1–1.3, before the first page break) are printed without "
    "the empty column: code and name share one cell and are split at the first space.",
] + COMMON_NOTES[5:]

city = catalogue(
    "hanoi-city-2024", PL3_HEAD,
    "Dự thảo Quyết định của UBND Thành phố Hà Nội \"" + DECISION_TITLE + "\" — " + PL3_HEAD + " " + PL3_ATTACH,
    "department", 400, city_pillars, city_notes,
    {"7": {"applies_to": Flow(tag="digital_economy"),
           "notes": ["Applies only to the departments of Phụ lục II: \"" + ECON_NOTE_III + "\"; Điều 3: \""
                     + ECON_DIEU3 + "\"; footnote to Điều 3: \"" + ECON_FOOT + "\"; Điều 2.2: \"" + ECON_DIEU2
                     + "\""]}})
district = catalogue(
    "hanoi-district-2024", PL4_HEAD,
    "Dự thảo Quyết định của UBND Thành phố Hà Nội \"" + DECISION_TITLE + "\" — " + PL4_HEAD + " " + PL4_ATTACH,
    "district", 500, dist_pillars, dist_notes, {})

HEADER = ("# Generated by scripts/catalogue-sources/gen-hanoi-2024.py from shared/seeds/%s; edit the generator, "
          "not this file.\n" % SEED_NAME)
for cat in (city, district):
    body = yaml.dump(quote(cat), Dumper=Dumper, allow_unicode=True, sort_keys=False, width=10000,
                     default_flow_style=False)
    path = os.path.join(OUT, cat["id"] + ".yaml")
    with open(path, "w", encoding="utf-8") as f:
        f.write(HEADER + nfc(body))
    n = sum(len(p["indicators"]) for p in cat["pillars"])
    print("%s: %d pillars, %d indicators, %d points" % (path, len(cat["pillars"]), n,
                                                         sum(p["max_points"] for p in cat["pillars"])))
