import Foundation
import Yams

/// Reads a catalogue YAML file into a `Catalogue`, reporting every problem with its line and column instead of
/// stopping at the first. Semantic checks (sums, codes, variables) are in `CatalogueLint`.
public struct CatalogueParser {
    public let file: String
    private(set) var diagnostics: [Diagnostic] = []

    public init(file: String) { self.file = file }

    /// Parses the text of a catalogue file. Returns the catalogue when it could be built (possibly with warnings)
    /// and every diagnostic found on the way.
    public static func parse(_ text: String, file: String) -> (catalogue: Catalogue?, diagnostics: [Diagnostic]) {
        var parser = CatalogueParser(file: file)
        let catalogue = parser.run(text.precomposedStringWithCanonicalMapping)
        return (catalogue, parser.diagnostics.sorted { $0.position < $1.position })
    }

    // MARK: - reading YAML nodes

    mutating func error(_ at: Node?, _ code: String, vi: String, en: String) {
        diagnostics.append(Diagnostic(.error, file: file, at: position(at), Message(code, vi: vi, en: en)))
    }

    func position(_ node: Node?) -> SourcePosition {
        guard let mark = node?.mark else { return SourcePosition(line: 1, column: 1) }
        return SourcePosition(line: mark.line, column: mark.column)
    }

    /// A mapping being read: remembers which keys were asked for, so unknown keys (typos) are reported.
    struct Fields {
        let node: Node
        let mapping: Node.Mapping
        var used: Set<String> = []
        subscript(_ key: String) -> Node? {
            mutating get {
                used.insert(key)
                guard let v = mapping[key] else { return nil }
                if case .scalar(let s) = v, s.tag == Tag(.null) || (s.style == .plain && ["", "~", "null", "Null", "NULL"].contains(s.string)) { return nil }
                return v
            }
        }
        func keyNode(_ key: String) -> Node? { mapping.keys.first { $0.string == key } }
    }

    mutating func fields(_ node: Node?, _ what: String) -> Fields? {
        guard let node else { return nil }
        guard let mapping = node.mapping else {
            error(node, "catalogue.not_mapping", vi: "\(what) phải là một bảng khóa: giá trị", en: "\(what) must be a mapping of key: value")
            return nil
        }
        return Fields(node: node, mapping: mapping)
    }

    mutating func finish(_ f: Fields, _ what: String, allowed: [String]) {
        for key in f.mapping.keys {
            guard let name = key.string else { continue }
            if !f.used.contains(name) {
                let hint = allowed.isEmpty ? "" : " (\(allowed.joined(separator: ", ")))"
                error(key, "catalogue.unknown_field", vi: "trường '\(name)' không có trong \(what)\(hint)",
                      en: "unknown field '\(name)' in \(what)\(hint)")
            }
        }
    }

    mutating func string(_ node: Node?, _ what: String, required: Bool = false, parent: Node? = nil) -> String? {
        guard let node else {
            if required { error(parent, "catalogue.missing_field", vi: "thiếu trường bắt buộc '\(what)'", en: "required field '\(what)' is missing") }
            return nil
        }
        guard case .scalar(let s) = node else {
            error(node, "catalogue.not_text", vi: "'\(what)' phải là một giá trị văn bản", en: "'\(what)' must be a text value")
            return nil
        }
        let t = s.string.trimmingCharacters(in: .whitespacesAndNewlines)
        if t.isEmpty && required {
            error(node, "catalogue.empty_field", vi: "'\(what)' không được để trống", en: "'\(what)' must not be empty")
            return nil
        }
        return t
    }

    mutating func decimal(_ node: Node?, _ what: String) -> Decimal? {
        guard let text = string(node, what) else { return nil }
        let cleaned = text.hasSuffix("%") ? String(text.dropLast()) : text
        guard let d = DecimalText.decimal(cleaned) else {
            error(node, "catalogue.not_number", vi: "'\(what)' = '\(text)' không phải là số", en: "'\(what)' = '\(text)' is not a number")
            return nil
        }
        return text.hasSuffix("%") ? d / 100 : d
    }

    mutating func int(_ node: Node?, _ what: String) -> Int? {
        guard let text = string(node, what) else { return nil }
        guard let i = Int(text) else {
            error(node, "catalogue.not_integer", vi: "'\(what)' = '\(text)' không phải là số nguyên", en: "'\(what)' = '\(text)' is not a whole number")
            return nil
        }
        return i
    }

    mutating func bool(_ node: Node?, _ what: String) -> Bool? {
        guard let text = string(node, what) else { return nil }
        switch text.lowercased() {
        case "true", "yes", "có": return true
        case "false", "no", "không": return false
        default:
            error(node, "catalogue.not_bool", vi: "'\(what)' phải là true hoặc false", en: "'\(what)' must be true or false")
            return nil
        }
    }

    mutating func list(_ node: Node?, _ what: String) -> [Node] {
        guard let node else { return [] }
        guard let seq = node.sequence else {
            error(node, "catalogue.not_list", vi: "'\(what)' phải là một danh sách", en: "'\(what)' must be a list")
            return []
        }
        return Array(seq)
    }

    mutating func strings(_ node: Node?, _ what: String) -> [String] {
        guard let node else { return [] }
        if case .scalar = node { return string(node, what).map { [$0] } ?? [] }
        return list(node, what).compactMap { string($0, what) }
    }

    mutating func enumValue<E: RawRepresentable & CaseIterable>(_ node: Node?, _ what: String, as: E.Type) -> E? where E.RawValue == String {
        guard let text = string(node, what) else { return nil }
        if let e = E(rawValue: text) { return e }
        let allowed = E.allCases.map(\.rawValue).joined(separator: ", ")
        error(node, "catalogue.bad_value", vi: "'\(what)' = '\(text)' không hợp lệ, cần một trong: \(allowed)",
              en: "'\(what)' = '\(text)' is not valid, expected one of: \(allowed)")
        return nil
    }

    // MARK: - the catalogue

    static let topFields = ["id", "title", "source", "level", "years", "evaluator", "scope", "kind", "total_policy", "declared_total",
                            "rating_bands", "stages", "data_period", "deadline", "notes", "pillars", "bonus"]

    mutating func run(_ text: String) -> Catalogue? {
        let root: Node
        do {
            guard let r = try Yams.compose(yaml: text) else {
                diagnostics.append(Diagnostic(.error, file: file, at: SourcePosition(line: 1, column: 1),
                    Message("catalogue.empty", vi: "tệp danh mục rỗng", en: "the catalogue file is empty")))
                return nil
            }
            root = r
        } catch let e as YamlError {
            diagnostics.append(yamlDiagnostic(e))
            return nil
        } catch {
            diagnostics.append(Diagnostic(.error, file: file, at: SourcePosition(line: 1, column: 1),
                Message("catalogue.yaml", vi: "YAML không hợp lệ: \(error)", en: "invalid YAML: \(error)")))
            return nil
        }
        guard var f = fields(root, "danh mục") else { return nil }

        let id = string(f["id"], "id", required: true, parent: root)
        let title = string(f["title"], "title", required: true, parent: root)
        let evaluator = string(f["evaluator"], "evaluator", required: true, parent: root)
        let kind = f["kind"].map { enumValue($0, "kind", as: CatalogueKind.self) } ?? .scored
        let policy = f["total_policy"].map { enumValue($0, "total_policy", as: TotalPolicy.self) } ?? nil
        if policy == nil && kind == .scored && f.mapping["total_policy"] == nil {
            error(root, "catalogue.missing_field", vi: "thiếu trường bắt buộc 'total_policy' (sum, capped hoặc rescaled)",
                  en: "required field 'total_policy' is missing (sum, capped or rescaled)")
        }
        let declaredTotal = decimal(f["declared_total"], "declared_total")

        // source
        var source = SourceDocument(file: "", document: "", number: nil, date: nil)
        if var s = fields(f["source"], "source") {
            source.file = string(s["file"], "source.file", required: true, parent: s.node) ?? ""
            source.document = string(s["document"], "source.document", required: true, parent: s.node) ?? ""
            source.number = string(s["number"], "source.number")
            source.date = string(s["date"], "source.date")
            finish(s, "source", allowed: ["file", "document", "number", "date"])
        } else if f.mapping["source"] == nil {
            error(root, "catalogue.missing_field", vi: "thiếu trường bắt buộc 'source'", en: "required field 'source' is missing")
        }

        // level
        var levels: [UnitLevel] = []
        if let node = f["level"] {
            levels = strings(node, "level").compactMap { text in
                if let l = UnitLevel(rawValue: text) { return l }
                error(node, "catalogue.bad_value", vi: "'level' = '\(text)' không hợp lệ, cần một trong: province, district, commune, department",
                      en: "'level' = '\(text)' is not valid, expected one of: province, district, commune, department")
                return nil
            }
        } else {
            error(root, "catalogue.missing_field", vi: "thiếu trường bắt buộc 'level'", en: "required field 'level' is missing")
        }

        // years
        var years: ClosedRange<Int>? = nil
        if let node = f["years"] {
            if case .scalar = node, let y = int(node, "years") {
                years = y...y
            } else if var y = fields(node, "years") {
                let from = int(y["from"], "years.from"), to = int(y["to"], "years.to")
                finish(y, "years", allowed: ["from", "to"])
                if let from, let to {
                    if from <= to { years = from...to } else {
                        error(node, "catalogue.years", vi: "năm bắt đầu \(from) sau năm kết thúc \(to)", en: "years.from \(from) is after years.to \(to)")
                    }
                } else {
                    error(node, "catalogue.years", vi: "'years' cần 'from' và 'to'", en: "'years' needs 'from' and 'to'")
                }
            }
        } else {
            error(root, "catalogue.missing_field", vi: "thiếu trường bắt buộc 'years'", en: "required field 'years' is missing")
        }

        // rating bands
        var bands: [RatingBand] = []
        for node in list(f["rating_bands"], "rating_bands") {
            guard var b = fields(node, "rating_bands") else { continue }
            let name = string(b["name"], "name", required: true, parent: node)
            let above = decimal(b["above"], "above"), from = decimal(b["from"], "from")
            finish(b, "rating band", allowed: ["name", "above", "from"])
            if above != nil && from != nil {
                error(node, "catalogue.band", vi: "dải xếp loại chỉ dùng một trong 'above' hoặc 'from'", en: "a rating band takes 'above' or 'from', not both")
            }
            guard let name, let threshold = above ?? from else {
                if above == nil && from == nil {
                    error(node, "catalogue.band", vi: "dải xếp loại cần 'above' (trên) hoặc 'from' (từ)", en: "a rating band needs 'above' or 'from'")
                }
                continue
            }
            bands.append(RatingBand(name: name, threshold: threshold, inclusive: above == nil))
        }

        var stages: [Stage] = []
        if let node = f["stages"] {
            for s in strings(node, "stages") {
                if let st = Stage(rawValue: s) { stages.append(st) } else {
                    error(node, "catalogue.bad_value", vi: "giai đoạn '\(s)' không hợp lệ, cần một trong: self, round1, round2, final",
                          en: "stage '\(s)' is not valid, expected one of: self, round1, round2, final")
                }
            }
        }
        let dataPeriod = string(f["data_period"], "data_period")
        let deadline = string(f["deadline"], "deadline")
        let notes = strings(f["notes"], "notes")
        let scope = strings(f["scope"], "scope")

        var pillars: [Pillar] = []
        if f.mapping["pillars"] == nil {
            error(root, "catalogue.missing_field", vi: "thiếu trường bắt buộc 'pillars'", en: "required field 'pillars' is missing")
        }
        for node in list(f["pillars"], "pillars") {
            if let p = pillar(node) { pillars.append(p) }
        }
        var bonus: [Indicator] = []
        for node in list(f["bonus"], "bonus") {
            if let i = indicator(node, pillarCode: nil, parentCode: nil) { bonus.append(i) }
        }
        let precision = displayPrecision(&f)
        finish(f, "danh mục", allowed: Self.topFields + ["display_precision"])

        guard let id, let title, let evaluator, let kind, let years, !levels.isEmpty else { return nil }
        var catalogue = Catalogue(id: id, title: title, source: source, levels: levels, years: years, evaluator: evaluator,
                         scope: scope, kind: kind, totalPolicy: policy ?? .sum, declaredTotal: declaredTotal, ratingBands: bands,
                         stages: stages, dataPeriod: dataPeriod, deadline: deadline, notes: notes,
                         pillars: pillars, bonus: bonus)
        catalogue.displayPrecision = precision
        return catalogue
    }

    func yamlDiagnostic(_ e: YamlError) -> Diagnostic {
        var pos = SourcePosition(line: 1, column: 1)
        var problem = "\(e)"
        switch e {
        case .scanner(_, let p, let mark, _), .parser(_, let p, let mark, _), .composer(_, let p, let mark, _):
            pos = SourcePosition(line: mark.line, column: mark.column)
            problem = p
        case .duplicatedKeysInMapping(let dups, let context):
            pos = SourcePosition(line: context.mark.line, column: context.mark.column)
            problem = "duplicate keys: \(dups.joined(separator: ", "))"
        default: break
        }
        return Diagnostic(.error, file: file, at: pos, Message("catalogue.yaml", vi: "YAML không hợp lệ: \(problem)", en: "invalid YAML: \(problem)"))
    }

    static let pillarFields = ["code", "name", "max_points", "group", "total_policy", "applies_to", "notes", "indicators"]

    mutating func pillar(_ node: Node) -> Pillar? {
        guard var f = fields(node, "pillar") else { return nil }
        let code = string(f["code"], "code", required: true, parent: node).map(IndicatorCode.normalize)
        let name = string(f["name"], "name", required: true, parent: node)
        let max = decimal(f["max_points"], "max_points")
        let group = string(f["group"], "group")
        let policy = f["total_policy"].flatMap { enumValue($0, "total_policy", as: TotalPolicy.self) }
        let applies = applicability(f["applies_to"])
        let notes = strings(f["notes"], "notes")
        var indicators: [Indicator] = []
        for child in list(f["indicators"], "indicators") {
            if let i = indicator(child, pillarCode: code, parentCode: nil) { indicators.append(i) }
        }
        let display = displayTexts(&f, name: name, lead: nil, notes: notes, what: "chỉ số chính \(code ?? "?")")
        finish(f, "pillar", allowed: Self.pillarFields + Self.displayFields)
        guard let code, let name else { return nil }
        return Pillar(code: code, name: name, maxPoints: max, group: group, totalPolicy: policy, appliesTo: applies,
                      notes: notes, indicators: indicators, position: position(node), displayName: display.name)
    }

    mutating func applicability(_ node: Node?) -> Applicability? {
        guard var a = fields(node, "applies_to") else { return nil }
        let tag = string(a["tag"], "applies_to.tag", required: true, parent: a.node)
        finish(a, "applies_to", allowed: ["tag"])
        return tag.map(Applicability.init)
    }

    static let indicatorFields = ["code", "name", "max_points", "lead", "supporting", "evidence", "deadline", "how",
                                  "variables", "rule", "children", "applies_to", "notes"]

    mutating func indicator(_ node: Node, pillarCode: String?, parentCode: String?) -> Indicator? {
        guard var f = fields(node, "indicator") else { return nil }
        let code = string(f["code"], "code", required: true, parent: node).map(IndicatorCode.normalize)
        let name = string(f["name"], "name", required: true, parent: node)
        let max = decimal(f["max_points"], "max_points")
        let lead = string(f["lead"], "lead"), supporting = string(f["supporting"], "supporting")
        let evidence = string(f["evidence"], "evidence"), deadline = string(f["deadline"], "deadline")
        let how = string(f["how"], "how")
        let applies = applicability(f["applies_to"])
        let notes = strings(f["notes"], "notes")
        var variables: [Variable] = []
        for v in list(f["variables"], "variables") {
            if let variable = variable(v) { variables.append(variable) }
        }
        let checks = self.checks(f["checks"])
        var children: [Indicator] = []
        for c in list(f["children"], "children") {
            if let i = indicator(c, pillarCode: pillarCode, parentCode: code) { children.append(i) }
        }
        var rule: Rule? = nil
        if let r = f["rule"] { rule = self.rule(r) }
        else if children.isEmpty, f.mapping["rule"] == nil {
            error(node, "catalogue.missing_rule", vi: "chỉ số \(code ?? "?") thiếu 'rule' (cách tính điểm)",
                  en: "indicator \(code ?? "?") has no 'rule'")
        }
        let display = displayTexts(&f, name: name, lead: lead, notes: notes, what: "chỉ số \(code ?? "?")")
        finish(f, "indicator", allowed: Self.indicatorFields + Self.displayFields + ["checks"])
        guard let code, let name else { return nil }
        var indicator = Indicator(code: code, name: name, maxPoints: max, lead: lead, supporting: supporting, evidence: evidence,
                                  deadline: deadline, how: how, variables: variables, rule: rule, children: children,
                                  appliesTo: applies, notes: notes, position: position(node), pillarCode: pillarCode, parentCode: parentCode,
                                  displayName: display.name, displayLead: display.lead)
        indicator.checks = checks
        return indicator
    }

    /// `checks:` of an indicator: each an expression (`"a <= b"`, severity error) or `{check, severity, note}`.
    mutating func checks(_ node: Node?) -> [Check] {
        var out: [Check] = []
        for c in list(node, "checks") {
            var text: String?, severity: Check.Severity? = .error, note: String? = nil, at: Node = c
            if case .scalar = c {
                text = string(c, "checks")
            } else if var cf = fields(c, "check") {
                text = string(cf["check"], "check", required: true, parent: c)
                if let n = cf["check"] { at = n }
                severity = cf["severity"].map { enumValue($0, "severity", as: Check.Severity.self) } ?? .error
                note = string(cf["note"], "note")
                finish(cf, "check", allowed: ["check", "severity", "note"])
            }
            guard let text, let severity else { continue }
            do {
                out.append(try Check.parse(text, severity: severity, note: note, position: position(at)))
            } catch {
                var pos = position(at)
                // a quoted scalar starts one column before its text
                if case .scalar(let s) = at, s.style == .doubleQuoted || s.style == .singleQuoted { pos = SourcePosition(line: pos.line, column: pos.column + 1) }
                diagnostics.append(Diagnostic(.error, file: file, at: SourcePosition(line: pos.line, column: pos.column + error.offset),
                    Message("catalogue.check", vi: "phép kiểm tra '\(text)': \(error.message.vi)", en: "check '\(text)': \(error.message.en)")))
            }
        }
        return out
    }

    static let variableFields = ["name", "meaning", "kind", "unit", "profile", "previous_year_of", "allow_negative", "feeds"]

    mutating func variable(_ node: Node) -> Variable? {
        guard var f = fields(node, "variable") else { return nil }
        let name = string(f["name"], "name", required: true, parent: node)
        let meaning = string(f["meaning"], "meaning", required: true, parent: node)
        let kind = f["kind"].map { enumValue($0, "kind", as: VariableKind.self) } ?? .number
        let unit = string(f["unit"], "unit")
        let profile = string(f["profile"], "profile")
        let previous = string(f["previous_year_of"], "previous_year_of")
        let negative = bool(f["allow_negative"], "allow_negative") ?? false
        var feeds: [Feed] = []
        for n in list(f["feeds"], "feeds") {
            guard var ff = fields(n, "feed") else { continue }
            let cat = string(ff["catalogue"], "catalogue", required: true, parent: n)
            let ind = string(ff["indicator"], "indicator", required: true, parent: n).map(IndicatorCode.normalize)
            let v = string(ff["variable"], "variable", required: true, parent: n)
            let how = ff["how"].map { enumValue($0, "how", as: FeedAggregate.self) } ?? nil
            if ff.mapping["how"] == nil {
                error(n, "catalogue.missing_field", vi: "thiếu 'how' (sum, count_yes, …) trong feeds", en: "'how' (sum, count_yes, …) is missing in feeds")
            }
            let precedence = ff["precedence"].map { enumValue($0, "precedence", as: FeedPrecedence.self) } ?? .derived
            finish(ff, "feed", allowed: ["catalogue", "indicator", "variable", "how", "precedence"])
            if let cat, let ind, let v, let how, let precedence {
                feeds.append(Feed(catalogue: cat, indicator: ind, variable: v, how: how, precedence: precedence, position: position(n)))
            }
        }
        let constant = decimal(f["constant"], "constant")
        let sameAs = string(f["same_as"], "same_as")
        let scale = f["scale"].flatMap { enumValue($0, "scale", as: PercentScale.self) }
        finish(f, "variable", allowed: Self.variableFields + ["constant", "same_as", "scale"])
        guard let name, let meaning, let kind else { return nil }
        var v = Variable(name: name, meaning: meaning, kind: kind, unit: unit, profile: profile, previousYearOf: previous,
                         allowNegative: negative, feeds: feeds, position: position(node))
        v.constant = constant
        v.sameAs = sameAs
        v.scale = scale
        return v
    }

    // MARK: - rules

    mutating func formula(_ node: Node?, parent: Node) -> Formula? {
        guard let text = string(node, "formula", required: true, parent: parent) else { return nil }
        do {
            return try Formula.parse(text)
        } catch {
            var pos = position(node)
            pos = SourcePosition(line: pos.line, column: pos.column + error.offset)
            diagnostics.append(Diagnostic(.error, file: file, at: pos, Message("catalogue.formula",
                vi: "công thức '\(text)': \(error.message.vi)", en: "formula '\(text)': \(error.message.en)")))
            return nil
        }
    }

    mutating func rule(_ node: Node) -> Rule? {
        guard var f = fields(node, "rule") else { return nil }
        guard let kind = string(f["kind"], "kind", required: true, parent: node) else { return nil }
        let zero = f["zero_denominator"].flatMap { enumValue($0, "zero_denominator", as: ZeroDenominatorPolicy.self) } ?? .unscored
        var allowed = ["kind"]
        defer { finish(f, "rule \(kind)", allowed: allowed) }

        switch kind {
        case "ratio":
            allowed += ["formula", "over_one", "zero_denominator"]
            let over = f["over_one"].flatMap { enumValue($0, "over_one", as: OverOnePolicy.self) } ?? .cap
            guard let fm = formula(f["formula"], parent: node) else { return nil }
            return .ratio(formula: fm, overOne: over, zeroDenominator: zero)
        case "target":
            allowed += ["formula", "target", "below", "zero_denominator"]
            let below = f["below"].flatMap { enumValue($0, "below", as: TargetBelow.self) } ?? .scaled
            let target = decimal(f["target"], "target")
            if f.mapping["target"] == nil { error(node, "catalogue.missing_field", vi: "quy tắc target cần 'target'", en: "a target rule needs 'target'") }
            guard let fm = formula(f["formula"], parent: node), let target else { return nil }
            if target <= 0 { error(f.mapping["target"], "catalogue.target", vi: "'target' phải lớn hơn 0", en: "'target' must be above 0"); return nil }
            return .target(formula: fm, target: target, below: below, zeroDenominator: zero)
        case "tiers":
            allowed += ["formula", "levels", "otherwise", "gate", "zero_denominator"]
            let fm = formula(f["formula"], parent: node)
            var levels: [Tier] = []
            for l in list(f["levels"], "levels") {
                guard var lf = fields(l, "level") else { continue }
                let at = decimal(lf["at_least"], "at_least"), fr = decimal(lf["fraction"], "fraction")
                finish(lf, "tier level", allowed: ["at_least", "fraction"])
                guard let at, let fr else {
                    error(l, "catalogue.tier", vi: "mỗi mức cần 'at_least' và 'fraction'", en: "each level needs 'at_least' and 'fraction'")
                    continue
                }
                levels.append(Tier(atLeast: at, fraction: fr))
            }
            if levels.isEmpty { error(node, "catalogue.tier", vi: "quy tắc tiers cần ít nhất một mức trong 'levels'", en: "a tiers rule needs at least one level") }
            for (a, b) in zip(levels, levels.dropFirst()) where b.atLeast >= a.atLeast {
                error(node, "catalogue.tier_order", vi: "các mức phải xếp từ cao xuống thấp (\(a.atLeast.machineText) rồi \(b.atLeast.machineText))",
                      en: "levels must go from highest to lowest (\(a.atLeast.machineText) then \(b.atLeast.machineText))")
            }
            let otherwise = decimal(f["otherwise"], "otherwise") ?? 0
            let gate = string(f["gate"], "gate")
            guard let fm else { return nil }
            return .tiers(formula: fm, levels: levels, otherwise: otherwise, gate: gate, zeroDenominator: zero)
        case "yesno":
            allowed += ["variable", "yes", "no"]
            return .yesno(variable: string(f["variable"], "variable") ?? "answer",
                          yes: decimal(f["yes"], "yes") ?? 1, no: decimal(f["no"], "no") ?? 0)
        case "choice":
            allowed += ["variable", "options"]
            var options: [ChoiceOption] = []
            for o in list(f["options"], "options") {
                guard var of = fields(o, "option") else { continue }
                let code = string(of["code"], "code", required: true, parent: o)
                let label = string(of["label"], "label", required: true, parent: o)
                let fraction = decimal(of["fraction"], "fraction")
                finish(of, "option", allowed: ["code", "label", "fraction"])
                if fraction == nil { error(o, "catalogue.option", vi: "lựa chọn cần 'fraction'", en: "an option needs 'fraction'") }
                if let code, let label, let fraction { options.append(ChoiceOption(code: code, label: label, fraction: fraction)) }
            }
            if options.isEmpty { error(node, "catalogue.option", vi: "quy tắc choice cần 'options'", en: "a choice rule needs 'options'") }
            return .choice(variable: string(f["variable"], "variable") ?? "answer", options: options)
        case "composite":
            allowed += ["parts"]
            var parts: [CompositePart] = []
            for p in list(f["parts"], "parts") {
                guard var pf = fields(p, "part") else { continue }
                let weight = decimal(pf["weight"], "weight")
                let label = string(pf["label"], "label")
                let sub = pf["rule"].flatMap { rule($0) }
                finish(pf, "composite part", allowed: ["weight", "label", "rule"])
                if weight == nil { error(p, "catalogue.part", vi: "phần cần 'weight'", en: "a part needs 'weight'") }
                if pf.mapping["rule"] == nil { error(p, "catalogue.part", vi: "phần cần 'rule'", en: "a part needs 'rule'") }
                if let weight, let sub { parts.append(CompositePart(weight: weight, label: label, rule: sub)) }
            }
            if parts.isEmpty { error(node, "catalogue.part", vi: "quy tắc composite cần 'parts'", en: "a composite rule needs 'parts'") }
            return .composite(parts: parts)
        case "per_item":
            allowed += ["variable", "points", "cap"]
            guard let pts = decimal(f["points"], "points") else {
                error(node, "catalogue.missing_field", vi: "quy tắc per_item cần 'points' (điểm mỗi mục)", en: "a per_item rule needs 'points'")
                return nil
            }
            return .perItem(variable: string(f["variable"], "variable") ?? "count", points: pts, cap: decimal(f["cap"], "cap"))
        case "minmax":
            allowed += ["formula", "higher_is_better", "zero_denominator"]
            guard let fm = formula(f["formula"], parent: node) else { return nil }
            return .minmax(formula: fm, higherIsBetter: bool(f["higher_is_better"], "higher_is_better") ?? true, zeroDenominator: zero)
        case "growth":
            allowed += ["formula", "reference", "zero_denominator"]
            guard let fm = formula(f["formula"], parent: node) else { return nil }
            guard let reference = decimal(f["reference"], "reference") else {
                error(node, "catalogue.missing_field", vi: "quy tắc growth cần 'reference' (tốc độ tham chiếu)", en: "a growth rule needs 'reference'")
                return nil
            }
            return .growth(formula: fm, reference: reference, zeroDenominator: zero)
        case "deduction":
            allowed += ["variable", "points", "start", "floor"]
            guard let pts = decimal(f["points"], "points") else {
                error(node, "catalogue.missing_field", vi: "quy tắc deduction cần 'points' (điểm trừ mỗi mục)", en: "a deduction rule needs 'points'")
                return nil
            }
            let start = f["start"].flatMap { enumValue($0, "start", as: DeductionStart.self) } ?? .max
            return .deduction(variable: string(f["variable"], "variable") ?? "count", points: pts < 0 ? -pts : pts,
                              start: start, floor: decimal(f["floor"], "floor"))
        case "direct":
            return .direct
        case "bonus":
            allowed += ["cap"]
            return .bonus(cap: decimal(f["cap"], "cap"))
        case "data":
            return .data
        default:
            error(f.mapping["kind"], "catalogue.unknown_rule", vi: "loại quy tắc '\(kind)' không tồn tại, cần một trong: \(Rule.kinds.joined(separator: ", "))",
                  en: "unknown rule kind '\(kind)', expected one of: \(Rule.kinds.joined(separator: ", "))")
            allowed = f.mapping.keys.compactMap(\.string)
            return nil
        }
    }
}

/// Indicator codes as printed: `1,4` (a spreadsheet locale) is `1.4`; spaces and a trailing dot are dropped.
public enum IndicatorCode {
    public static func normalize(_ raw: String) -> String {
        var s = raw.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ",", with: ".")
        s = s.replacingOccurrences(of: " ", with: "")
        while s.hasSuffix(".") { s.removeLast() }
        return s
    }
}
