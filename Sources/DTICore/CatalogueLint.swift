import Foundation

/// Semantic checks of a parsed catalogue: codes, variables, maxima that must add up. Where the source itself is
/// inconsistent and a note on the item says so, a mismatch is a warning; otherwise it is an error.
public enum CatalogueLint {
    /// Runs every check. `fileName` (without directory) is compared with the catalogue id.
    public static func check(_ c: Catalogue, file: String, knownProfileFields: Set<String>? = nil) -> [Diagnostic] {
        var out: [Diagnostic] = []
        func report(_ severity: Diagnostic.Severity, _ at: SourcePosition, _ code: String, vi: String, en: String) {
            out.append(Diagnostic(severity, file: file, at: at, Message(code, vi: vi, en: en)))
        }
        let top = SourcePosition(line: 1, column: 1)

        let base = (file as NSString).lastPathComponent
        if base.hasSuffix(".yaml") && base != "\(c.id).yaml" {
            report(.error, top, "lint.file_name", vi: "id '\(c.id)' không khớp tên tệp '\(base)' (cần '\(c.id).yaml')",
                   en: "id '\(c.id)' does not match the file name '\(base)' (expected '\(c.id).yaml')")
        }
        if c.id.range(of: "^[a-z0-9][a-z0-9-]*$", options: .regularExpression) == nil {
            report(.error, top, "lint.id", vi: "id '\(c.id)' chỉ được dùng chữ thường không dấu, số và '-'",
                   en: "id '\(c.id)' may only use lower-case ASCII letters, digits and '-'")
        }

        // Duplicate codes.
        var seenPillars: [String: SourcePosition] = [:]
        for p in c.pillars {
            if let first = seenPillars[p.code] {
                report(.error, p.position, "lint.duplicate_pillar", vi: "mã trụ cột '\(p.code)' bị trùng (đã có ở dòng \(first.line))",
                       en: "duplicate pillar code '\(p.code)' (first at line \(first.line))")
            } else { seenPillars[p.code] = p.position }
        }
        var seenIndicators: [String: SourcePosition] = [:]
        for i in c.allIndicators {
            if let first = seenIndicators[i.code] {
                report(.error, i.position, "lint.duplicate_code", vi: "mã chỉ số '\(i.code)' bị trùng (đã có ở dòng \(first.line))",
                       en: "duplicate indicator code '\(i.code)' (first at line \(first.line))")
            } else { seenIndicators[i.code] = i.position }
        }

        let scored = c.kind == .scored
        for i in c.allIndicators {
            let noted = !i.notes.isEmpty
            // Variables.
            var declared = Set<String>()
            for v in i.variables {
                if declared.contains(v.name) {
                    report(.error, v.position, "lint.duplicate_variable", vi: "biến '\(v.name)' của chỉ số \(i.code) khai báo hai lần",
                           en: "variable '\(v.name)' of indicator \(i.code) is declared twice")
                }
                declared.insert(v.name)
                if v.name.range(of: "^[a-z][a-z0-9_]*$", options: .regularExpression) == nil {
                    report(.error, v.position, "lint.variable_name", vi: "tên biến '\(v.name)' chỉ dùng chữ thường không dấu, số và '_'",
                           en: "variable name '\(v.name)' may only use lower-case ASCII letters, digits and '_'")
                }
                if let p = v.profile, let known = knownProfileFields, !known.contains(p) {
                    report(.error, v.position, "lint.unknown_profile", vi: "trường hồ sơ '\(p)' không có trong unit-profile",
                           en: "profile field '\(p)' is not in unit-profile")
                }
                if let prev = v.previousYearOf, !i.variables.contains(where: { $0.name == prev }) {
                    report(.error, v.position, "lint.previous_year", vi: "previous_year_of '\(prev)' không phải biến của chỉ số \(i.code)",
                           en: "previous_year_of '\(prev)' is not a variable of indicator \(i.code)")
                }
                for feed in v.feeds where (feed.how == .count_yes || feed.how == .count_no) && v.kind != .yesno {
                    report(.error, feed.position, "lint.feed_kind", vi: "'\(feed.how.rawValue)' cần biến loại yesno, biến '\(v.name)' là \(v.kind.rawValue)",
                           en: "'\(feed.how.rawValue)' needs a yesno variable, '\(v.name)' is \(v.kind.rawValue)")
                }
            }
            // Constants and aliases (a value the source fixes, a variable defined as another), and declared checks.
            for v in i.variables {
                if v.constant != nil && v.sameAs != nil {
                    report(.error, v.position, "lint.constant_alias", vi: "biến '\(v.name)' của chỉ số \(i.code) không thể vừa là hằng số vừa là bí danh",
                           en: "variable '\(v.name)' of indicator \(i.code) cannot be both a constant and an alias")
                }
                if let target = v.sameAs, target == v.name || !i.variables.contains(where: { $0.name == target && $0.isInput }) {
                    report(.error, v.position, "lint.same_as", vi: "same_as '\(target)' của biến '\(v.name)' phải là một biến nhập khác của chỉ số \(i.code)",
                           en: "same_as '\(target)' of variable '\(v.name)' must be another input variable of indicator \(i.code)")
                }
                if v.constant != nil && !v.kind.isNumeric {
                    report(.error, v.position, "lint.constant_kind", vi: "hằng số '\(v.name)' phải là biến số (number, count, amount)",
                           en: "constant '\(v.name)' must be a numeric variable (number, count, amount)")
                }
            }
            for check in i.checks {
                for name in check.names {
                    if name.hasPrefix(Check.profilePrefix) {
                        let field = String(name.dropFirst(Check.profilePrefix.count))
                        if let known = knownProfileFields, !known.contains(field) {
                            report(.error, check.position, "lint.check_profile", vi: "phép kiểm tra '\(check.expression)': trường hồ sơ '\(field)' không có trong unit-profile",
                                   en: "check '\(check.expression)': profile field '\(field)' is not in unit-profile")
                        }
                    } else if let v = i.variable(name) {
                        if !v.kind.isNumeric {
                            report(.error, check.position, "lint.check_kind", vi: "phép kiểm tra '\(check.expression)': biến '\(name)' là \(v.kind.rawValue), cần biến số",
                                   en: "check '\(check.expression)': variable '\(name)' is \(v.kind.rawValue), a numeric variable is needed")
                        }
                    } else {
                        report(.error, check.position, "lint.check_variable", vi: "phép kiểm tra '\(check.expression)': chỉ số \(i.code) không có biến '\(name)'",
                               en: "check '\(check.expression)': indicator \(i.code) has no variable '\(name)'")
                    }
                }
                if check.variables.isEmpty {
                    report(.error, check.position, "lint.check_no_variable", vi: "phép kiểm tra '\(check.expression)' không dùng biến nào của chỉ số \(i.code)",
                           en: "check '\(check.expression)' reads no variable of indicator \(i.code)")
                }
            }
            if let rule = i.rule {
                let implicit: Set<String> = (rule.kind == "direct" || rule.kind == "bonus") ? ["points"] : []
                for v in rule.variables where !declared.contains(v) && !implicit.contains(v) {
                    report(.error, i.position, "lint.undeclared_variable", vi: "chỉ số \(i.code): quy tắc dùng biến '\(v)' nhưng biến chưa được khai báo trong 'variables'",
                           en: "indicator \(i.code): the rule uses variable '\(v)' which is not declared in 'variables'")
                }
                checkRule(rule, indicator: i, report: report)
                if !i.children.isEmpty {
                    report(.error, i.position, "lint.rule_with_children", vi: "chỉ số \(i.code) có chỉ số con nên không được có 'rule' (điểm là tổng các chỉ số con)",
                           en: "indicator \(i.code) has children, so it must not have a 'rule' (its points are the sum of theirs)")
                }
            }

            // Max points.
            let needsMax = scored && i.rule.map { $0.kind != "data" && $0.kind != "bonus" } ?? (i.children.isEmpty == false && i.children.allSatisfy { $0.maxPoints == nil })
            if needsMax && i.maxPoints == nil && i.children.isEmpty {
                report(noted ? .warning : .error, i.position, "lint.missing_max",
                       vi: "chỉ số \(i.code) không có điểm tối đa" + (noted ? " (nguồn không ghi, xem ghi chú)" : ": thêm 'max_points' hoặc một ghi chú giải thích"),
                       en: "indicator \(i.code) has no max points" + (noted ? " (the source gives none, see the note)" : ": add 'max_points' or a note that explains why"))
            }
            if !i.children.isEmpty, let parentMax = i.maxPoints {
                let sum = i.children.compactMap(\.maxPoints).reduce(0, +)
                if sum != parentMax {
                    let childNoted = noted || i.children.contains { !$0.notes.isEmpty }
                    report(childNoted ? .warning : .error, i.position, "lint.children_sum",
                           vi: "điểm tối đa của các chỉ số con của \(i.code) cộng lại là \(sum.machineText), khác \(parentMax.machineText)",
                           en: "the max points of \(i.code)'s children add up to \(sum.machineText), not \(parentMax.machineText)")
                }
            }
            if scored, let m = i.maxPoints, m < 0 {
                report(.error, i.position, "lint.negative_max", vi: "điểm tối đa của \(i.code) âm", en: "max points of \(i.code) are negative")
            }
        }

        // Pillars.
        if scored {
            for p in c.pillars {
                let sum = p.indicatorMaxSum
                let noted = !p.notes.isEmpty
                if p.indicators.isEmpty {
                    report(.error, p.position, "lint.empty_pillar", vi: "trụ cột \(p.code) không có chỉ số nào", en: "pillar \(p.code) has no indicators")
                }
                guard let m = p.maxPoints else {
                    report(noted ? .warning : .error, p.position, "lint.pillar_no_max",
                           vi: "trụ cột \(p.code) không có điểm tối đa" + (noted ? " (nguồn không ghi, xem ghi chú)" : ": thêm 'max_points' hoặc một ghi chú"),
                           en: "pillar \(p.code) has no max points" + (noted ? " (the source gives none, see the note)" : ": add 'max_points' or a note"))
                    continue
                }
                if sum != m {
                    report(noted ? .warning : .error, p.position, "lint.pillar_sum",
                           vi: "điểm tối đa các chỉ số của trụ cột \(p.code) cộng lại là \(sum.machineText), khác \(m.machineText) (chính sách tổng: \(c.policy(for: p).rawValue))",
                           en: "the indicator maxima of pillar \(p.code) add up to \(sum.machineText), not \(m.machineText) (total policy: \(c.policy(for: p).rawValue))")
                }
            }
            if let declared = c.declaredTotal {
                let sum = c.pillarMaxSum
                if sum != declared {
                    report(c.notes.isEmpty ? .error : .warning, top, "lint.declared_total",
                           vi: "tổng điểm tối đa các trụ cột là \(sum.machineText), khác tổng công bố \(declared.machineText)",
                           en: "the pillar maxima add up to \(sum.machineText), not the declared total \(declared.machineText)")
                }
            }
        }

        // Rating bands from best to worst.
        for (a, b) in zip(c.ratingBands, c.ratingBands.dropFirst()) where b.threshold > a.threshold {
            report(.error, top, "lint.band_order", vi: "dải xếp loại phải xếp từ cao xuống thấp ('\(a.name)' trước '\(b.name)')",
                   en: "rating bands must go from best to worst ('\(a.name)' before '\(b.name)')")
        }
        return out.sorted { ($0.position, $0.message.code) < ($1.position, $1.message.code) }
    }

    static func checkRule(_ rule: Rule, indicator i: Indicator,
                          report: (Diagnostic.Severity, SourcePosition, String, String, String) -> Void) {
        func fractionOK(_ f: Decimal) -> Bool { f >= 0 && f <= 1 }
        switch rule {
        case .composite(let parts):
            let total = parts.map(\.weight).reduce(0, +)
            if total != 1 {
                report(.error, i.position, "lint.composite_weights", "chỉ số \(i.code): tổng trọng số các phần là \(total.machineText), cần bằng 1",
                       "indicator \(i.code): the parts' weights add up to \(total.machineText), they must add up to 1")
            }
            for p in parts {
                if p.rule.needsPeers {
                    report(.error, i.position, "lint.composite_minmax", "chỉ số \(i.code): không dùng minmax trong composite",
                           "indicator \(i.code): minmax cannot be a part of a composite")
                }
                checkRule(p.rule, indicator: i, report: report)
            }
        case .tiers(_, let levels, let otherwise, let gate, _):
            for l in levels where !fractionOK(l.fraction) {
                report(.error, i.position, "lint.fraction", "chỉ số \(i.code): tỷ lệ điểm \(l.fraction.machineText) phải từ 0 đến 1",
                       "indicator \(i.code): fraction \(l.fraction.machineText) must be between 0 and 1")
            }
            if !fractionOK(otherwise) {
                report(.error, i.position, "lint.fraction", "chỉ số \(i.code): 'otherwise' phải từ 0 đến 1", "indicator \(i.code): 'otherwise' must be between 0 and 1")
            }
            if let gate, let v = i.variable(gate), v.kind != .yesno {
                report(.error, v.position, "lint.gate_kind", "chỉ số \(i.code): biến điều kiện '\(gate)' phải là loại yesno",
                       "indicator \(i.code): gate variable '\(gate)' must be of kind yesno")
            }
        case .choice(_, let options):
            var codes = Set<String>()
            for o in options {
                if !fractionOK(o.fraction) {
                    report(.error, i.position, "lint.fraction", "chỉ số \(i.code): lựa chọn '\(o.code)' có tỷ lệ \(o.fraction.machineText) ngoài khoảng 0–1",
                           "indicator \(i.code): option '\(o.code)' has fraction \(o.fraction.machineText) outside 0–1")
                }
                if !codes.insert(o.code).inserted {
                    report(.error, i.position, "lint.duplicate_option", "chỉ số \(i.code): lựa chọn '\(o.code)' bị trùng",
                           "indicator \(i.code): option '\(o.code)' is duplicated")
                }
            }
        case .yesno(_, let yes, let no):
            if !fractionOK(yes) || !fractionOK(no) {
                report(.error, i.position, "lint.fraction", "chỉ số \(i.code): 'yes' và 'no' phải từ 0 đến 1", "indicator \(i.code): 'yes' and 'no' must be between 0 and 1")
            }
        case .perItem(_, let points, _):
            if points <= 0 {
                report(.error, i.position, "lint.per_item", "chỉ số \(i.code): điểm mỗi mục phải lớn hơn 0", "indicator \(i.code): points per item must be above 0")
            }
        default:
            break
        }
    }
}
