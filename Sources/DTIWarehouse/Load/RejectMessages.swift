import DTICore

/// What a person reads about a refused record: the unit, the indicator, the value and what was expected.
enum RejectMessages {
    static func message(code: String, detail: String, unit: String, year: String, catalogue: String, indicator: String,
                        variable: String, value: String, stage: String) -> Message {
        let at = "đơn vị \(unit), chỉ số \(indicator), biến \(variable)"
        let atEn = "unit \(unit), indicator \(indicator), variable \(variable)"
        switch code {
        case "fields.count":
            let p = detail.split(separator: ":").map(String.init)
            let got = p.count > 1 ? p[1] : "?", want = p.count > 2 ? p[2] : "?"
            return Message(code, vi: "dòng có \(got) cột, dòng tiêu đề có \(want)", en: "the line has \(got) fields, the header has \(want)")
        case "cell.formula":
            return Message(code, vi: "\(at): ô chứa công thức (\(value)): hãy nhập giá trị, không nhập công thức",
                           en: "\(atEn): the cell holds a formula (\(value)): type the value, not a formula")
        case "cell.date":
            return Message(code, vi: "\(at): ô chứa ngày tháng, cần một số", en: "\(atEn): the cell holds a date, a number is expected")
        case "cell.error":
            return Message(code, vi: "\(at): ô chứa lỗi \(value)", en: "\(atEn): the cell holds the error \(value)")
        case "unit.empty":
            return Message(code, vi: "thiếu mã đơn vị (unit_code)", en: "the unit code (unit_code) is empty")
        case "unit.unknown":
            return Message(code, vi: "đơn vị '\(unit)' không có trong danh mục đơn vị (dti units list)", en: "unit '\(unit)' is not a known unit (dti units list)")
        case "year.invalid":
            return Message(code, vi: "năm '\(year)' không hợp lệ: cần 4 chữ số, ví dụ 2024", en: "year '\(year)' is not valid: expected 4 digits, e.g. 2024")
        case "catalogue.empty":
            return Message(code, vi: "thiếu mã bộ chỉ số (catalogue)", en: "the catalogue is empty")
        case "catalogue.unknown":
            return Message(code, vi: "bộ chỉ số '\(catalogue)' chưa được nạp (dti catalogue list)", en: "catalogue '\(catalogue)' is not loaded (dti catalogue list)")
        case "unit.level":
            let parts = detail.split(separator: "|").map(String.init)
            let unitLevel = parts.first ?? "", levels = parts.count > 1 ? parts[1] : ""
            return Message(code, vi: "đơn vị \(unit) là cấp \(unitLevel), bộ chỉ số \(catalogue) dành cho cấp \(levels)",
                           en: "unit \(unit) is a \(unitLevel), catalogue \(catalogue) is for \(levels)")
        case "unit.scope":
            return Message(code, vi: "đơn vị \(unit) không thuộc phạm vi áp dụng của bộ chỉ số \(catalogue) (\(detail))",
                           en: "unit \(unit) is outside the scope of catalogue \(catalogue) (\(detail))")
        case "year.outside":
            return Message(code, vi: "năm \(year) ngoài thời gian hiệu lực của bộ chỉ số \(catalogue) (\(detail))",
                           en: "year \(year) is outside the years of catalogue \(catalogue) (\(detail))")
        case "indicator.unknown":
            return Message(code, vi: "bộ chỉ số \(catalogue) không có chỉ số '\(indicator)'", en: "catalogue \(catalogue) has no indicator '\(indicator)'")
        case "indicator.parent":
            return Message(code, vi: "chỉ số \(indicator) là tổng của các chỉ số con (\(detail)): nhập số liệu cho từng chỉ số con",
                           en: "indicator \(indicator) is the sum of its sub-indicators (\(detail)): submit each sub-indicator")
        case "variable.unknown":
            return Message(code, vi: "chỉ số \(indicator) không có biến '\(variable)', cần một trong: \(detail)",
                           en: "indicator \(indicator) has no variable '\(variable)', expected one of: \(detail)")
        case "stage.invalid":
            return Message(code, vi: "giai đoạn '\(stage)' không hợp lệ, cần một trong: self, round1, round2, final",
                           en: "stage '\(stage)' is not valid, expected one of: self, round1, round2, final")
        case "value.empty":
            return Message(code, vi: "\(at): thiếu giá trị", en: "\(atEn): the value is empty")
        case "value.not_number":
            return Message(code, vi: "\(at): '\(value)' không phải là số (ví dụ 12 hoặc 0,5)",
                           en: "\(atEn): '\(value)' is not a number (e.g. 12 or 0.5)")
        case "value.too_large":
            return Message(code, vi: "\(at): '\(value)' quá lớn hoặc quá nhiều chữ số (tối đa \(DecimalText.maxIntegerDigits) chữ số phần nguyên, \(DecimalText.maxSignificantDigits) chữ số có nghĩa)",
                           en: "\(atEn): '\(value)' is too large or has too many digits (at most \(DecimalText.maxIntegerDigits) integer digits, \(DecimalText.maxSignificantDigits) significant digits)")
        case "value.negative":
            return Message(code, vi: "\(at): giá trị âm \(value) không được phép", en: "\(atEn): the negative value \(value) is not allowed")
        case "value.not_whole":
            return Message(code, vi: "\(at): '\(value)' phải là số nguyên (đây là số lượng)", en: "\(atEn): '\(value)' must be a whole number (it is a count)")
        case "value.above_max":
            return Message(code, vi: "\(at): \(value) vượt điểm tối đa \(detail)", en: "\(atEn): \(value) is above the max of \(detail)")
        case "value.not_yesno":
            return Message(code, vi: "\(at): '\(value)' không phải câu trả lời có/không (có, không, 1, 0)",
                           en: "\(atEn): '\(value)' is not a yes/no answer (có, không, yes, no, 1, 0)")
        case "value.not_choice":
            return Message(code, vi: "\(at): '\(value)' không phải một lựa chọn hợp lệ: \(detail)",
                           en: "\(atEn): '\(value)' is not one of the options: \(detail)")
        case "key.duplicate":
            return Message(code, vi: "\(at): trùng khóa với bản ghi ở \(detail) trong cùng tệp",
                           en: "\(atEn): the same key as the record at \(detail) in the same file")
        case "value.ratio_over_one":
            let p = detail.split(separator: "|").map(String.init)
            let n = p.first ?? "a", d = p.count > 1 ? p[1] : "b", dv = p.count > 2 ? p[2] : "?"
            return Message(code, vi: "\(at): \(n) = \(value) lớn hơn \(d) = \(dv), quy tắc không cho tỷ lệ vượt 100%",
                           en: "\(atEn): \(n) = \(value) is larger than \(d) = \(dv), the rule forbids a ratio above 100%")
        case "check.failed", "check.warning":
            let p = detail.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            let expr = p.first ?? "", l = p.count > 1 ? p[1] : "?", r = p.count > 2 ? p[2] : "?"
            let word = code == "check.failed" ? "không đạt" : "cảnh báo: không đạt"
            let wordEn = code == "check.failed" ? "fails" : "warning: fails"
            return Message(code, vi: "\(at): \(word) phép kiểm tra '\(expr)' của chỉ số \(indicator): \(l), \(r)",
                           en: "\(atEn): \(wordEn) the check '\(expr)' of indicator \(indicator): \(l), \(r)")
        case "variable.constant":
            return Message(code, vi: "\(at): biến \(variable) của chỉ số \(indicator) là hằng số nguồn quy định (\(variable) = \(detail)), không phải số liệu nộp: bỏ dòng này",
                           en: "\(atEn): variable \(variable) of indicator \(indicator) is a constant the source fixes (\(variable) = \(detail)), not an input: leave this line out")
        case "variable.alias":
            return Message(code, vi: "\(at): biến \(variable) của chỉ số \(indicator) được định nghĩa là \(detail) (\(variable) = \(detail)): chỉ nộp \(detail)",
                           en: "\(atEn): variable \(variable) of indicator \(indicator) is defined as \(detail) (\(variable) = \(detail)): submit \(detail) only")
        case "value.ambiguous_decimal":
            // separator | decimal reading | thousands reading | kind | unit of measure
            let p = detail.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            let sep = p.first ?? ".", dec = p.count > 1 ? p[1] : "?", th = p.count > 2 ? p[2] : "?"
            let (want, wantEn) = expected(kind: p.count > 3 ? p[3] : "", unit: p.count > 4 ? p[4] : "")
            let other = sep == "." ? "," : "."
            return Message(code,
                vi: "\(at): '\(value)' đọc được hai cách: \(th) (nếu '\(sep)' phân cách hàng nghìn) hoặc \(vi(dec)) (nếu '\(sep)' là dấu thập phân), và không số nào khác trong tệp cho biết tệp dùng dấu thập phân nào; cần \(want): viết không có dấu phân cách hàng nghìn (\(th), hoặc \(dec.replacingOccurrences(of: ".", with: other)) nếu là số thập phân), hoặc nạp lại với --decimal comma (dấu thập phân là ',') hay --decimal dot (dấu thập phân là '.')",
                en: "\(atEn): '\(value)' can be read two ways: \(th) (if '\(sep)' separates thousands) or \(dec) (if '\(sep)' is the decimal separator), and no other number in the file shows which decimal separator it uses; expected \(wantEn): write it without a thousands separator (\(th), or \(dec.replacingOccurrences(of: ".", with: other)) for a decimal), or load again with --decimal comma (',' is the decimal separator) or --decimal dot ('.' is)")
        case "value.decimal_conflict":
            // the separator the value uses for decimals | the forced convention | its separator
            let p = detail.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            let shown = p.first ?? ".", forced = p.count > 1 ? p[1] : "", fsep = p.count > 2 ? p[2] : ""
            return Message(code,
                vi: "\(at): '\(value)' dùng '\(shown)' làm dấu thập phân, nhưng lệnh nạp có --decimal \(forced) (dấu thập phân là '\(fsep)'): sửa giá trị, hoặc bỏ --decimal",
                en: "\(atEn): '\(value)' uses '\(shown)' as the decimal separator, but the load was given --decimal \(forced) ('\(fsep)' is the decimal separator): fix the value, or leave out --decimal")
        case "value.percent":
            // the number before % | as a ratio | kind | unit of measure
            let p = detail.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            let n = p.first ?? "?", r = p.count > 1 ? p[1] : "?", kind = p.count > 2 ? p[2] : ""
            let (want, wantEn) = expected(kind: kind, unit: p.count > 3 ? p[3] : "")
            if kind == "count" {
                return Message(code,
                    vi: "\(at): '\(value)' là một tỷ lệ phần trăm, nhưng biến \(variable) là \(want): nhập số đếm được, không có dấu %",
                    en: "\(atEn): '\(value)' is a percentage, but variable \(variable) is \(wantEn): type the number counted, without %")
            }
            return Message(code,
                vi: "\(at): '\(value)' có dấu phần trăm, nhưng bộ chỉ số không nói biến \(variable) là phần trăm hay tỷ lệ (scale: percent|ratio), nên có thể là \(vi(n)) hoặc \(vi(r)); cần \(want): nhập số không có dấu %",
                en: "\(atEn): '\(value)' has a percent sign, but the catalogue does not say whether variable \(variable) is a percent or a ratio (scale: percent|ratio), so it could be \(n) or \(r); expected \(wantEn): type the number without %")
        default:
            return Message(code, vi: "\(at): bị từ chối (\(code))", en: "\(atEn): refused (\(code))")
        }
    }

    /// A machine number as Vietnamese write it: a comma for decimals, no thousands separator (`2,768`).
    static func vi(_ machine: String) -> String { machine.replacingOccurrences(of: ".", with: ",") }

    /// What a variable of this kind holds, in words: "số tiền (tỷ đồng)", "a count".
    static func expected(kind: String, unit: String) -> (String, String) {
        let u = unit.isEmpty ? "" : " (\(unit))"
        switch kind {
        case "count": return ("số lượng (số nguyên ≥ 0)" + u, "a count (a whole number ≥ 0)" + u)
        case "amount": return ("số tiền" + u, "an amount" + u)
        case "points": return ("số điểm" + u, "points" + u)
        default: return ("một số" + u, "a number" + u)
        }
    }
}
