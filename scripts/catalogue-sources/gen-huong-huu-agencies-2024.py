#!/usr/bin/env python3
"""Encode 000 (Quyết định 16/QĐ-UBND of xã Hương Hữu, Thừa Thiên Huế, 10/01/2024: DTI criteria for the commune's
own agencies, 49 criteria in 6 pillars) as etl/catalogues/huong-huu-agencies-2024.yaml.

Names, maxima, deadlines, the "Hướng dẫn thực hiện" text (`how`), evidence and the responsible officer (`lead`) are
copied verbatim (UTF-8 NFC) from the tab-separated table of the Phụ lục; HTML fragments (<p>, <ul>, <br> …) are
removed and runs of white space collapsed to one space. Table rows that the conversion split over a page break (a
continuation line has an empty STT cell) are joined to the row above with one space. The rule of each criterion is
chosen by hand in RULES below, from the source's own wording; every choice the wording does not settle is a note.

Run from the repository root:
    python3 scripts/catalogue-sources/gen-huong-huu-agencies-2024.py ../shared/seeds/000_a838f79cd4ab1221.txt
"""
import json
import re
import sys
import unicodedata
from decimal import Decimal

SRC = sys.argv[1] if len(sys.argv) > 1 else "../shared/seeds/000_a838f79cd4ab1221.txt"
OUT = sys.argv[2] if len(sys.argv) > 2 else "etl/catalogues/huong-huu-agencies-2024.yaml"
SEED_NAME = "000_a838f79cd4ab1221.txt"

text = unicodedata.normalize("NFC", open(SRC, encoding="utf-8").read())
lines = text.split("\n")


def nfc(s):
    return unicodedata.normalize("NFC", s)


def clean(s):
    s = re.sub(r"<[^>]+>", " ", s)
    return nfc(re.sub(r"\s+", " ", s).strip())


# ---------------------------------------------------------------------------------------------------------------
# Parse the Phụ lục table.
# ---------------------------------------------------------------------------------------------------------------
ROMAN = {"I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"}
pillars = []
joined = []  # (criterion code, column) pairs that were joined over a page break
start = next(i for i, l in enumerate(lines) if l.startswith("STT\t"))
for l in lines[start:]:
    if "\t" not in l:
        continue
    cells = l.split("\t")
    assert len(cells) == 7, l
    if cells[0] == "STT":
        continue  # repeated header of each page
    if cells[0] in ROMAN:
        assert not any(c.strip() for c in cells[2:]), l
        pillars.append({"code": cells[0], "name": clean(cells[1]), "rows": []})
        continue
    if re.fullmatch(r"\d+", cells[0]):
        pillars[-1]["rows"].append({"code": cells[0], "cells": cells[1:]})
        continue
    assert cells[0] == "", l
    prev = pillars[-1]["rows"][-1]
    for k, extra in enumerate(cells[1:]):
        if extra.strip():
            joined.append((prev["code"], k))
            prev["cells"][k] = prev["cells"][k].rstrip() + " " + extra.strip()

criteria = [r for p in pillars for r in p["rows"]]
assert len(pillars) == 6 and len(criteria) == 49
assert [r["code"] for r in criteria] == [str(n) for n in range(1, 50)]

# Header facts, verbatim from the decision.
m = re.search(r"^Số: (\S+)$", text, re.M)
NUMBER = m.group(1)
assert NUMBER == "16/QĐ-UBND"
m = re.search(r"^Hương Hữu, (ngày \d+ tháng \d+ năm \d{4})$", text, re.M)
DATE = m.group(1)
m = re.search(r"\*\*Ban hành (Bộ chỉ số đánh giá, xếp hạng chuyển đổi số)\n(cơ quan xã Hương Hữu)\*\*", text)
TITLE = m.group(1) + " " + m.group(2)
m = re.search(r"^(Phụ lục)\n(BỘ CHỈ SỐ .+)\n(\(Ban hành kèm theo Quyết định số .+\))$", text, re.M)
DOCUMENT = " ".join(m.groups())
m = re.search(r"- Niên hạn lấy số liệu: (.+?)\.$", text, re.M)
DATA_PERIOD = m.group(1)
m = re.search(r"- Thời hạn nhập số liệu, ký số: (.+?)\.$", text, re.M)
DEADLINE = m.group(1)
EVALUATOR = "Ban chỉ đạo chuyển đổi số xã"
assert EVALUATOR in text
bands = re.findall(r"^- (Trên|Từ|Dưới) (\d+)%(?: đến dưới (\d+)%)?: Xếp hạng “(.+?)”\.$", text, re.M)
assert [b[3] for b in bands] == ["Xuất sắc", "Tốt", "Khá", "Trung bình", "Yếu kém"], bands
RATING_BANDS = [
    {"name": bands[0][3], "above": int(bands[0][1])},
    {"name": bands[1][3], "from": int(bands[1][1])},
    {"name": bands[2][3], "from": int(bands[2][1])},
    {"name": bands[3][3], "from": int(bands[3][1])},
    {"name": bands[4][3], "from": 0},
]
assert [b.get("above", b.get("from")) for b in RATING_BANDS] == [95, 80, 70, 50, 0]

# ---------------------------------------------------------------------------------------------------------------
# Rules, by hand, from the wording of each criterion.
# ---------------------------------------------------------------------------------------------------------------
def V(name, meaning, kind, **extra):
    d = {"name": name, "meaning": meaning, "kind": kind}
    d.update(extra)
    return d


def yesno(meaning, note=None):
    return {"variables": [V("answer", meaning, "yesno")], "rule": {"kind": "yesno"},
            "notes": [note] if note else []}


def ratio(a, b, note=None, b_extra=None, formula="a/b"):
    # Every a/b of 000 is a part of its total ("Số CBCC … có …" of "Tổng số CBCC …"): a declared check refuses a > b.
    return {"variables": [V("a", a, "count"), V("b", b, "count", **(b_extra or {}))], "checks": ["a <= b"],
            "rule": {"kind": "ratio", "formula": formula}, "notes": [note] if note else []}


def at_least(n, meaning, note):
    return {"variables": [V("count", meaning, "count")],
            "rule": {"kind": "tiers", "formula": "count", "levels": [{"at_least": n, "fraction": 1}], "otherwise": 0},
            "notes": [note]}


RATE_NOTE = ("The source prints a rate (tỷ lệ) and the condition for full marks (100%) but no formula for lower rates; "
             "encoded as ratio × max (a/b). The source defines no a/b: the meanings are phrased from its wording.")
ALL_OR_NOTHING = "The source prints only the condition for full marks and no partial score; encoded all or nothing."
QUARTER_NOTE = ("Scored as the source's “Điều kiện đảm bảo” prints it: 01 điểm for “Có tổ chức” and 01 điểm for "
                "“Người đứng đầu đơn vị chủ trì” (half of the max each). The name speaks of taking part (“Tham gia”), "
                "the text of the agency organising the quarter's meeting (or a giao ban meeting with DX content); "
                "the text is followed.")
PAHT_NOTE = ("Criteria 30–34 print the same text (“Đảm bảo có chất lượng và đúng hạn”) and no formula; the rate named "
             "in the criterion is encoded as ratio × max, its a/b phrased from the name. Data come from the hệ thống "
             "phản ánh hiện trường.")

RULES = {
    "1": {"variables": [V("count", "Số lượng cuộc họp BCD CDS tham gia", "count")],
          "rule": {"kind": "per_item", "points": 0.5},
          "notes": ["Source: “tham gia 1 cuộc được tính 0,5 điểm”, 4 meetings (one a quarter) give the max of 2; "
                    "encoded as 0.5 point per meeting attended, capped at the max.",
                    "Source: “Một số đơn vị không có lãnh đạo đơn vị là thành viên BCD CDS của tỉnh sẽ không đánh giá "
                    "tiêu chí này.” The format has no per-unit exemption for an indicator: for such a unit the "
                    "criterion is left unsubmitted (not scored, counted as 0 in the pillar total and listed); "
                    "removing it from that unit's max is a matter for the evaluator.",
                    "“BCD CDS” (Ban chỉ đạo chuyển đổi số, Đ printed as D) kept verbatim."]},
    "6": at_least(1, "Số văn bản chỉ đạo về chuyển đổi số do Chủ tịch UBND xã ký",
                  "Name: “mỗi năm tối thiểu 01 văn bản”, condition: “Chủ tịch UBND xã ký”; at least one such document "
                  "gives the max, none gives 0 (the source prints no partial score). Evidence: only files with a "
                  "digital signature count (“File điện tử có sử dụng chữ ký số mới được xem hợp tài liệu hợp lệ”)."),
    "7": at_least(1, "Số tin bài về chuyển đổi số được phê duyệt và đăng lên trang chuyển đổi số của tỉnh",
                  "Source: “Tối thiểu 1 tin bài được phê duyệt và đăng lên trang chuyển đổi số của tỉnh: đạt 100% "
                  "điểm; 0 tin bài: 0 điểm”. The source names three different sites — the name “Cổng chuyển đổi số của "
                  "huyện”, the how “trang chuyển đổi số của tỉnh” (https://dx.thuathienhue.gov.vn), the evidence "
                  "“trang chuyển đổi số của xã”; all kept verbatim, the count is of posts approved and published."),
    "8": {"variables": [V("a", "Số tin bài về chuyển đổi số cập nhật trên Trang/ cổng thông tin điện tử của cơ quan, "
                               "đơn vị trong năm", "count")],
          "rule": {"kind": "target", "formula": "a/12", "target": 1},
          "notes": ["Source: “Cập nhật tin bài tối thiểu 1 tin bài/1 tháng đạt 100% điểm tiêu chí (Số tin bài được "
                    "chấm điểm theo tỷ lệ % quy đổi)”: 12 posts a year (one a month) give the max, fewer give "
                    "posts ÷ 12 × max (target a/12 at 1). A stricter reading (months with at least one post ÷ 12) is "
                    "not what the parenthesis says (it converts the number of posts); not encoded.",
                    "Evidence: “Căn cứ trên hệ thống để chấm điểm và không cần kiểm chứng”."]},
    "9": yesno("Có tin, bài về chuyển đổi số phát sóng trên Đài Truyền thanh của xã",
               "The source describes the procedure (viết tin bài, liên hệ Văn hóa và Thông tin) but no scoring; the "
               "name is a yes/no condition, encoded as yesno (max or 0). The evidence column prints an office "
               "(“Văn hóa - Thông tin xã”), not a document; kept verbatim."),
    "10": ratio("Số CBCC, người lao động trong cơ quan nhà nước tiếp cận kênh truyền thông nội bộ trên Hue-S",
                "Tổng số CBCC, người lao động trong cơ quan",
                RATE_NOTE + " The name has an unbalanced parenthesis (“công chức, (CBCC, người lao động …”), kept "
                "verbatim."),
    "11": yesno("Tham gia đầy đủ các nội dung triệu tập",
                "The source's only condition is “Tham gia đầy đủ các nội dung triệu tập” (full attendance) with no "
                "partial score; encoded as yesno. The evidence cell is cut off in the source (“… đối với kết quả báo "
                "cáo của”); kept verbatim."),
    "12": yesno("Đã ban hành chính sách tỷ lệ chi Ngân sách nhà nước tối thiểu hằng năm cho chuyển đổi số, mức tối "
                "thiểu đảm bảo theo chính sách của tỉnh và được áp dụng trong thực tế",
                "Condition: “Mức tối thiểu đảm bảo theo chính sách của tỉnh và được áp dụng trong thực tế”; no partial "
                "score printed, encoded as yesno (both issued and applied)."),
    "13": ratio("Số CBCC, người lao động trong cơ quan, đơn vị (gồm đơn vị trực thuộc) có sử dụng điện thoại thông minh",
                "Tổng số CBCC, người lao động trong cơ quan, đơn vị (gồm đơn vị trực thuộc)",
                RATE_NOTE + " The second condition (“100% nhân sự cài đặt Hue-S theo số điện thoại sử dụng và được "
                "kích hoạt”) has no points of its own; it is not scored separately here (Hue-S installation is "
                "scored by criterion 35)."),
    "14": ratio("Số CBCC, người lao động có sử dụng tài khoản điện toán đám mây", "Tổng số CBCC, người lao động",
                RATE_NOTE + " Evaluated by Văn hóa - Thông tin xã from the data of the Cloud tỉnh."),
    "15": ratio("Số CBCC, người lao động có phát sinh dữ liệu trên điện toán đám mây dùng chung",
                "Tổng số CBCC, người lao động",
                RATE_NOTE + " The condition (“Có dữ liệu phát sinh lưu trữ”) is per person; evaluated from the data "
                "of the Cloud tỉnh."),
    "16": at_least(5, "Số báo cáo số phát sinh và khai thác trên nền tảng Báo cáo số",
                   "Condition: “Phát sinh và khai thác tối thiểu 5 báo cáo số”. " + ALL_OR_NOTHING +
                   " Fewer than 5 gives 0."),
    "17": at_least(5, "Số đối tượng dữ liệu (bảng dữ liệu) được số hóa lên nền tảng dùng chung",
                   "Condition: “Có tối thiểu 5 đối tượng dữ liệu (bảng dữ liệu) được số hóa lên nền tảng dùng chung”. "
                   + ALL_OR_NOTHING + " Fewer than 5 gives 0."),
    "18": yesno("Nền tảng làm việc số đã đưa vào sử dụng",
                "Condition: “Đã đưa vào sử dụng”. " + ALL_OR_NOTHING + " Encoded as yesno."),
    "19": at_least(1, "Số bản đồ được đưa vào sử dụng trên nền tảng Quản lý bản đồ GIS",
                   "Condition: “có ít nhất một bản đồ được đưa vào sử dụng”. " + ALL_OR_NOTHING),
    "20": {"variables": [V("answer", "Đã quy hoạch và cài địa chỉ Ipv4 lên từng máy tính cá nhân trong cơ quan",
                           "yesno")],
           "rule": {"kind": "data"},
           "notes": ["Source defect: criterion 20 has no max points (and no completion time); it is kept as a data "
                     "item (rule data: the answer is recorded, no points) and counts neither in points nor in max."]},
    "21": {"variables": [V("answer", "Đã quy hoạch và cài địa chỉ Ipv6 lên từng máy tính cá nhân trong cơ quan",
                           "yesno")],
           "rule": {"kind": "data"},
           "notes": ["Source defect: criterion 21 has no max points (and no completion time); it is kept as a data "
                     "item (rule data: the answer is recorded, no points) and counts neither in points nor in max."]},
    "22": yesno("Có Quyết định phân công cán bộ chuyên trách Chuyển đổi số của đơn vị, đảm bảo chức năng, nhiệm vụ "
                "chuyên trách trong Quyết định",
                "The source lists what the decision must contain and no partial score; encoded as yesno. Evidence: "
                "the decision as a digitally signed file."),
    "23": yesno("Có Quyết định phân công cán bộ chuyên trách, kiêm nhiệm về an toàn thông tin mạng của đơn vị, đảm bảo "
                "chuyên trách trong Quyết định",
                "The source lists what the decision must contain and no partial score; encoded as yesno. Evidence: "
                "the decision as a digitally signed file."),
    "24": yesno("Có Quyết định ban hành chế độ hỗ trợ kinh phí cho cán bộ phụ trách chuyển đổi số và an toàn thông tin "
                "mạng",
                "How: “Quyết định ban hành chế độ được hưởng”; no partial score, encoded as yesno. Max 30 as printed "
                "(the largest criterion, 30 of the 53 points of pillar IV); no completion time is printed."),
    "25": ratio("Số công chức tham gia vào hệ thống đào tạo trực tuyến của Bộ TTTT (do Sở TTTT triển khai trên Hue-S)",
                "Tổng số công chức",
                "Source: “100% CBCC, NLD tham gia đào tạo khi có triển khai; Điểm được tính theo tỉ lệ.” — ratio × max. "
                "The name counts công chức, the condition CBCC, NLD; the name is followed for a/b."),
    "26": ratio("Số máy tính trong cơ quan, đơn vị được cài đặt phần mềm phòng chống mã độc tập trung của tỉnh",
                "Tổng số máy tính trong cơ quan, đơn vị",
                "Source: “100% máy tính … đạt 100% điểm tiêu chí”, nothing printed below 100%; encoded as ratio × max. "
                "The denominator falls back to the unit profile's workstations (Số lượng máy trạm) when not "
                "submitted. Verified from the data of the IOC.",
                b_extra={"profile": "workstations"}),
    "27": ratio("Số máy tính trong cơ quan, đơn vị được cài đặt phần mềm phòng chống virus tập trung của tỉnh",
                "Tổng số máy tính trong cơ quan, đơn vị",
                "Source: “100% máy tính … đạt 100% điểm tiêu chí”, nothing printed below 100%; encoded as ratio × max. "
                "The denominator falls back to the unit profile's workstations (Số lượng máy trạm) when not "
                "submitted. Verified from the data of the IOC.",
                b_extra={"profile": "workstations"}),
    "28": {"variables": [V("count", "Số máy tính bị nhiễm mã độc chưa được xử lý, loại bỏ mã độc kịp thời", "count")],
           "rule": {"kind": "deduction", "points": 2, "start": "max"},
           "notes": ["Deduction criterion: “Nếu có 01 máy nhiễm thì trừ 2 điểm”, from the max of 5.",
                     "The full-marks condition is “Không có máy tính bị nhiễm mã độc hoặc nếu có thì 100% máy tính bị "
                     "nhiễm nhưng đã được xử lý, loại bỏ mã độc kịp thời”, so a computer that was cleaned in time does "
                     "not lose points; the count is of infected computers not handled in time. (Counting every "
                     "infected computer would contradict that condition.)",
                     "Floor: the source does not say the criterion stops at 0, so no floor is set (the floor field is omitted, which means none; the parser rejects a literal null): "
                     "3 computers give 5 − 6 = −1 point, which lowers the pillar total. The evaluator may decide to "
                     "stop at 0; that would be floor: 0."]},
    "29": yesno("Có vận hành DVCTT trên Hue-S",
                "Condition: “có vận hành DVCTT trên Hue-S”. " + ALL_OR_NOTHING + " Encoded as yesno."),
    "30": ratio("Số phản ánh hiện trường được xử lý đúng hạn, trước hạn", "Tổng số phản ánh hiện trường phải xử lý",
                PAHT_NOTE),
    "31": ratio("Số phản ánh hiện trường có đánh giá hài lòng với việc xử lý",
                "Tổng số phản ánh hiện trường được đánh giá mức độ hài lòng", PAHT_NOTE),
    "32": ratio("Số phản ánh không đúng thẩm quyền được trả lại đúng thời gian",
                "Tổng số phản ánh không đúng thẩm quyền", PAHT_NOTE),
    "33": ratio("Số phản ánh của công dân có ý kiến được tương tác", "Tổng số phản ánh của công dân có ý kiến",
                PAHT_NOTE),
    "34": ratio("Số phản ánh hiện trường có bức xúc về kết quả xử lý", "Tổng số phản ánh hiện trường đã xử lý",
                PAHT_NOTE + " The rate of complaints (bức xúc) is one where lower is better; scoring a/b × max would "
                "reward complaints, so the points are the share without complaints, (b − a)/b × max. The source "
                "prints no direction; this is a declared choice.",
                formula="(b-a)/b"),
    "35": ratio("Số CBCC và người lao động có cài đặt Hue-S và có đăng ký tài khoản", "Tổng số CBCC và người lao động",
                RATE_NOTE),
    "36": ratio("Số CBCC và người lao động có liên kết tài khoản Hue-S với tài khoản công vụ trên nền tảng số hóa dùng "
                "chung", "Tổng số CBCC và người lao động", RATE_NOTE),
    "37": ratio("Số CBCCVC và người lao động sử dụng nền tảng làm việc số trên Hue-S", "Tổng số CBCCVC và người lao động",
                "Source: “Tính tỉ lệ CBCCVC và người lao động sử dụng trên tổng điểm” — ratio × max."),
    "38": at_least(1, "Số cuộc họp trực tuyến trên hệ thống của tỉnh được triển khai",
                   "Condition: “Tối thiểu 01 cuộc họp”. " + ALL_OR_NOTHING + " The name is split over a page break in "
                   "the source (“… để thực” / “hiện tốt chủ trương 4K1C”) and joined with one space."),
    "39": yesno("Có văn bản triển khai báo cáo số tại cơ quan",
                "Condition: “Có văn bản triển khai”. " + ALL_OR_NOTHING + " Encoded as yesno."),
    "40": ratio("Số CBCCVC sử dụng nền tảng trợ lý ảo", "Tổng số CBCCVC",
                RATE_NOTE + " The name says “(khi đã triển khai)”: where the virtual assistant is not deployed the "
                "criterion is not applicable; the format has no per-unit exemption, so such a unit leaves it "
                "unsubmitted (not scored, listed)."),
    "41": {"variables": [V("points", "Điểm chấm cho tiêu chí Tổng chi Ngân sách nhà nước cho chuyển đổi số", "points")],
           "rule": {"kind": "direct"},
           "notes": ["The source gives 5 points and asks only for a statistic (“Thống kê tổng chi Ngân sách cho chính "
                     "quyền số”), with no formula turning the amount into points; encoded as direct (the points the "
                     "evaluator awards). The amount itself is the unit profile's dx_budget."]},
    "42": ratio("Số CBCC có phát sinh giao dịch thanh toán các dịch vụ cơ bản trên ví điện tử trên Hue-S", "Tổng số CBCC",
                "Source: “Tỷ lệ CBCC có phát sinh giao dịch … tỷ lệ thuận theo số điểm” — ratio × max."),
    "43": ratio("Số lượng CBCC có chữ ký số hoặc chữ ký điện tử cá nhân qua USB Token", "Tổng số CBCCVC",
                "The name is a count (“Số lượng”) but the condition is a rate (“Đảm bảo 100% CBCCVC có chữ ký số …”); "
                "encoded as ratio × max, nothing is printed below 100%."),
    "44": ratio("Số lượng CBCC có chữ ký số hoặc chữ ký điện tử cá nhân qua SIM di động", "Tổng số CBCCVC",
                "The name is a count (“Số lượng”) but the condition is a rate (“Đảm bảo 100% CBCCVC có chữ ký số …”); "
                "encoded as ratio × max, nothing is printed below 100%."),
    "45": ratio("Số hộ gia đình được số hóa và cấp địa chỉ số", "Tổng số hộ gia đình trên địa bàn",
                "The name is a count (“Số hộ gia đình …”) but the condition is a rate (“100% hộ gia đình được số hóa "
                "và cấp địa chỉ số”); encoded as ratio × max, nothing is printed below 100%. The households are "
                "the commune's, not the agency's, so no profile fallback is declared: b is submitted."),
    "46": ratio("Số người dân có điện thoại thông minh trên địa bàn có hồ sơ sức khỏe điện tử",
                "Số người dân có điện thoại thông minh trên địa bàn",
                RATE_NOTE + " The denominator follows the condition (“100% người dân có điện thoại thông minh trên địa "
                "bàn có hồ sơ sức khỏe điện tử”), not the whole population."),
    "47": {"variables": [V("count", "Số lượng vấn đề lấy ý kiến người dân", "count")],
           "rule": {"kind": "per_item", "points": 1},
           "notes": ["Source: “Tối đa 1 ý kiến/ năm, mỗi ý kiến 1 điểm; 0 ý kiến thì 0 điểm”. Read literally "
                     "(at most 1 issue a year counted) the criterion could never give more than 1 of its printed max "
                     "of 10; the wording contradicts the max. Encoded as 1 point per issue consulted on, capped at "
                     "the max (10). If “Tối đa 1 ý kiến/ năm” is meant as a cap, the rule would be per_item with "
                     "cap: 1 (the evaluator's call; flagged as a source defect)."]},
    "48": ratio("Số câu hỏi trên Cổng/ Trang TTĐT được trả lời", "Tổng số câu hỏi trên Cổng/ Trang TTĐT",
                "Condition: “100% các câu hỏi được trả lời”; nothing printed below 100%, encoded as ratio × max. The "
                "“Nội dung thực hiện” repeats criterion 47's text (lấy ý kiến người dân); kept verbatim."),
    "49": {"variables": [V("answer", "Kiểm chứng đặt tên File theo tên thứ tự của tiêu chí, gửi và ký số đúng thời gian "
                                     "quy định", "yesno")],
           "rule": {"kind": "data"},
           "notes": ["Source defect: criterion 49 has no max points (and no completion time); it is a requirement on "
                     "how evidence is submitted. Kept as a data item (rule data: the answer is recorded, no points); "
                     "it counts neither in points nor in max."]},
}
for q in ("2", "3", "4", "5"):
    RULES[q] = {"variables": [V("a", "Có tổ chức", "yesno"), V("b", "Người đứng đầu đơn vị chủ trì", "yesno")],
                "rule": {"kind": "composite", "parts": [
                    {"weight": 0.5, "label": "Có tổ chức", "rule": {"kind": "yesno", "variable": "a"}},
                    {"weight": 0.5, "label": "Người đứng đầu đơn vị chủ trì", "rule": {"kind": "yesno", "variable": "b"}},
                ]},
                "notes": [QUARTER_NOTE]}
assert sorted(RULES, key=int) == [str(n) for n in range(1, 50)]

# ---------------------------------------------------------------------------------------------------------------
# Build the catalogue.
# ---------------------------------------------------------------------------------------------------------------
NULL_MAX = []
out_pillars = []
pillar_sums = []
for p in pillars:
    inds = []
    psum = Decimal(0)
    for r in p["rows"]:
        name, mx, deadline, how, evidence, lead = [clean(c) for c in r["cells"]]
        ind = {"code": r["code"], "name": name}
        if "BCD CDS" in name:
            # Reports print BCĐ CĐS; the verbatim name stays (catalogue display_name, with a note below).
            ind["display_name"] = name.replace("BCD CDS", "BCĐ CĐS")
        if mx:
            assert re.fullmatch(r"\d+", mx), mx
            ind["max_points"] = int(mx)
            psum += Decimal(mx)
        else:
            NULL_MAX.append(r["code"])
        if lead:
            ind["lead"] = lead
        if evidence:
            ind["evidence"] = evidence
        if deadline:
            ind["deadline"] = deadline
        if how:
            ind["how"] = how
        spec = RULES[r["code"]]
        ind["variables"] = spec["variables"]
        if spec.get("checks"):
            ind["checks"] = spec["checks"]
        ind["rule"] = spec["rule"]
        if spec.get("notes"):
            ind["notes"] = list(spec["notes"])
        if "display_name" in ind:
            ind.setdefault("notes", []).append(
                "display_name writes BCĐ CĐS (Ban chỉ đạo chuyển đổi số) for the printed BCD CDS." if r["code"] == "1" else
                "The name is printed with \"BCD CDS\" (Đ printed as D, for BCĐ CĐS); kept verbatim, display_name corrects it for reports.")
        inds.append(ind)
    pillar_sums.append((p["code"], psum))
    pnotes = [f"The source prints no max for the pillar; max_points is the sum of its criteria's maxima ({psum})."]
    shown = {}
    if p["code"] == "II":
        pnotes.append("Source typo kept verbatim: “THẺ CHẾ SỐ” (Thể chế số, digital institutions).")
        pnotes.append("display_name \"THỂ CHẾ SỐ\" is what reports print.")
        shown = {"display_name": "THỂ CHẾ SỐ"}
    if p["code"] == "III":
        pnotes.append("Criteria 20 and 21 have no max points and are not counted in the sum.")
    if p["code"] == "VI":
        pnotes.append("Source typo kept verbatim: “HOẠT ĐỘNG CHÍNH QUYỀN SỞ” (Hoạt động chính quyền số).")
        pnotes.append("Criterion 49 has no max points and is not counted in the sum.")
        pnotes.append("display_name \"HOẠT ĐỘNG CHÍNH QUYỀN SỐ\" is what reports print.")
        shown = {"display_name": "HOẠT ĐỘNG CHÍNH QUYỀN SỐ"}
    out_pillars.append({"code": p["code"], "name": p["name"], **shown, "max_points": int(psum), "notes": pnotes,
                        "indicators": inds})

TOTAL = sum(s for _, s in pillar_sums)
assert NULL_MAX == ["20", "21", "49"], NULL_MAX
assert TOTAL == 381, TOTAL

joined_desc = ", ".join(f"{c} ({['name', 'max', 'deadline', 'how', 'evidence', 'lead'][k]})" for c, k in joined)
notes = [
    "Quyết định 16/QĐ-UBND of UBND xã Hương Hữu (huyện Nam Đông, Thừa Thiên Huế), 10/01/2024: the DTI criteria for "
    "the commune's own agencies (phạm vi: “Cơ quan xã Hương Hữu”, “Các ngành đoàn thể cấp xã”; the officers and the "
    "đơn vị sự nghiệp trường, trạm y tế report data). It follows the province's Quyết định 2263/QĐ-UBND (27/9/2023) "
    "and the district's Quyết định 19/QĐ-UBND (09/01/2024).",
    "Title: the decision's heading (“Ban hành Bộ chỉ số đánh giá, xếp hạng chuyển đổi số / cơ quan xã Hương Hữu”, "
    "two lines joined with one space). The Phụ lục heading is kept verbatim in source.document, typos included "
    "(“CHUYÊN ĐỒI SỐ”).",
    "Evaluator: the text gives the scoring to the Ban chỉ đạo chuyển đổi số xã (“kiểm tra, thẩm định số liệu; tổng "
    "hợp, đánh giá, xếp hạng”), with Công chức Văn hóa và Thông tin xã as đơn vị chủ trì of the index; the decision "
    "is issued by ỦY BAN NHÂN DÂN XÃ HƯƠNG HỮU and the result is approved by UBND huyện (“trình UBND huyện phê duyệt "
    "kết quả trong tháng 12 hàng năm”).",
    f"No total is printed (no declared_total). The criteria's maxima sum to {TOTAL}: "
    + " + ".join(f"{c} {s}" for c, s in pillar_sums) + f" = {TOTAL}.",
    "The source prints no pillar maxima; each pillar's max_points is the sum of its criteria's maxima, so the total "
    "policy is a plain sum (the rating percentage is points ÷ 381).",
    "Criteria 20, 21 and 49 have no max points (and no completion time): they are data items (rule data), counted "
    "neither in points nor in max. Criterion 28 is a deduction (−2 points per infected computer).",
    "Rating bands as printed: “Trên 95%” Xuất sắc, “Từ 80% đến dưới 95%” Tốt, “Từ 70% đến dưới 80%” Khá, “Từ 50% "
    "đến dưới 70%” Trung bình, “Dưới 50%” Yếu kém. Encoded as above 95 (strictly), from 80, from 70, from 50 "
    "(inclusive), from 0. The source is ambiguous at exactly 95%: “Trên 95%” excludes it and “dưới 95%” excludes it "
    "too, so 95% falls in no printed band; it is read as Tốt. The lower bounds 80/70/50 are inclusive (“Từ”).",
    "Data period as printed (“Từ 01/11 năm trước đến 01/11 của năm hiện tại”: 01/11 is both ends); data entry and "
    "digital signature before 11/11 (deadline); most criteria print a completion time of 31.10 (2–4: the end of "
    "their quarter).",
    "Stages: the officers report the data (self), the Ban chỉ đạo chuyển đổi số xã checks, appraises and ranks "
    "(round1), UBND huyện approves the result in December and Văn hóa và Thông tin xã drafts the publication (final). "
    "There is no second appraisal round.",
    "Checks, constants and aliases (audit, issue 15): every a/b is a part of its total, declared `a <= b` (an error: "
    "the load refuses a > b). The source fixes one value: criterion 8's 12 news items a year (“1 tin bài/1 tháng”), "
    "written as the literal of its formula a/12, so it is no input; no variable is defined as another (no alias).",
    "The source defines no variables (no a/b): variable meanings are phrased from each criterion's name and "
    "conditions, in the source's words. Where the source gives only the condition for full marks, the rule is all "
    "or nothing (yesno, or tiers at the printed minimum); where it names a rate, ratio × max.",
    "Columns: lead = “Đơn vị giám sát, thực hiện”, evidence = “Tài liệu kiểm chứng”, deadline = “Thời gian hoàn "
    "thành”, how = “Hướng dẫn thực hiện” (HTML removed, white space collapsed). Cells split over a page break are "
    f"joined with one space: {joined_desc}.",
    "Abbreviations and typos are kept verbatim (BCD CDS for BCĐ CĐS, “Ipv4”, “THẺ CHẾ SỐ”, “CHÍNH QUYỀN SỞ”).",
]

catalogue = {
    "id": "huong-huu-agencies-2024",
    "title": TITLE,
    "source": {"file": SEED_NAME, "document": DOCUMENT, "number": NUMBER, "date": DATE},
    "level": "department",
    "years": {"from": 2024, "to": 2024},
    "evaluator": EVALUATOR,
    "scope": ["thua-thien-hue.nam-dong.huong-huu"],
    "total_policy": "sum",
    "rating_bands": RATING_BANDS,
    "stages": ["self", "round1", "final"],
    "data_period": DATA_PERIOD,
    "deadline": DEADLINE,
    "notes": notes,
    "pillars": out_pillars,
}


# ---------------------------------------------------------------------------------------------------------------
# Emit YAML by hand: every string double-quoted (JSON strings are valid YAML), variables and simple rules in flow
# style like the other catalogues.
# ---------------------------------------------------------------------------------------------------------------
def scalar(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return format(Decimal(str(v)).normalize(), "f") if isinstance(v, float) else str(v)
    return json.dumps(nfc(v), ensure_ascii=False)


def flow(v):
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}: {flow(x)}" for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ", ".join(flow(x) for x in v) + "]"
    return scalar(v)


def is_simple(v):
    if isinstance(v, dict):
        return all(not isinstance(x, (dict, list)) or (isinstance(x, list) and all(not isinstance(y, (dict, list))
                                                                                       for y in x))
                   for x in v.values())
    return False


out = []


def emit(key, v, ind, in_list=False):
    pad = " " * ind
    if isinstance(v, dict):
        if key in ("years",) or (key == "rule" and is_simple(v)):
            out.append(f"{pad}{key}: {flow(v)}")
            return
        out.append(f"{pad}{key}:")
        for k, x in v.items():
            emit(k, x, ind + 2)
    elif isinstance(v, list):
        if all(not isinstance(x, (dict, list)) for x in v) and key in ("scope", "stages"):
            out.append(f"{pad}{key}: {flow(v)}")
            return
        if key == "levels":
            out.append(f"{pad}{key}: {flow(v)}")
            return
        out.append(f"{pad}{key}:")
        for x in v:
            if isinstance(x, dict):
                if key in ("variables", "rating_bands"):
                    out.append(f"{pad}  - {flow(x)}")
                else:
                    first = True
                    for k, y in x.items():
                        emit_item(k, y, ind + 4, first, pad)
                        first = False
            else:
                out.append(f"{pad}  - {scalar(x)}")
    else:
        out.append(f"{pad}{key}: {scalar(v)}")


def emit_item(k, y, ind, first, pad):
    # Emit key k of a list item; the first key carries the "- ".
    start = len(out)
    emit(k, y, ind)
    if first:
        line = out[start]
        out[start] = pad + "  - " + line[ind:]


for k, v in catalogue.items():
    emit(k, v, 0)
yaml_text = "\n".join(out) + "\n"

# Round-trip check: the emitted YAML must load back to exactly the catalogue.
try:
    import yaml
except ImportError:
    yaml = None
if yaml is not None:
    def norm(v):
        if isinstance(v, dict):
            return {k: norm(x) for k, x in v.items()}
        if isinstance(v, list):
            return [norm(x) for x in v]
        if isinstance(v, float):
            return Decimal(str(v))
        if isinstance(v, int) and not isinstance(v, bool):
            return Decimal(v)
        return v
    assert norm(yaml.safe_load(yaml_text)) == norm(catalogue), "YAML round trip differs"

with open(OUT, "w", encoding="utf-8") as f:
    f.write(yaml_text)
n_ind = sum(len(p["indicators"]) for p in out_pillars)
print(f"{OUT}: {len(out_pillars)} pillars, {n_ind} criteria, per pillar "
      + ", ".join(f"{c}={s}" for c, s in pillar_sums) + f", total {TOTAL}, null max: {', '.join(NULL_MAX)}")
