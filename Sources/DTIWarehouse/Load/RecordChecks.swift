import DTICore
import Foundation

/// The checks of each staged record, given its resolved key and item (`Validation.resolve`). Pure: no I/O.
///
/// Each bad record gets one reason, the first that applies, in the order a person would fix them: what the reader saw
/// (`fields.count`, `cell.formula`, `value.too_large` …), the key (unit, year, catalogue, level, years of the catalogue),
/// the item (indicator, variable), the stage, the value (empty, not a number, negative, not whole, above the max, not
/// a yes/no answer, not an option), the unit outside the catalogue's scope, a key repeated in the file; a ratio above one
/// counts only for a record with no other reason. The message for people comes from `RejectMessages`.
///
/// The same pass decides what is written: for each good record, the number and text stored (`Stored`); with earlier
/// values (a correction), a record equal to the current value of its key is left out as unchanged.
enum RecordChecks {
    /// A resolved key (`stg_keys`): the unit, year and stage, or why the key is refused.
    struct Key: Sendable {
        var unitId: Int32? = nil
        var year: Int16? = nil
        var stage: String? = nil
        var code: String? = nil
        var detail: String? = nil
        var stageCode: String? = nil
        var scopeDetail: String? = nil
    }

    /// A resolved item (`stg_items`): the catalogue item and what its values must look like, or why it is refused.
    struct Item: Sendable {
        var itemId: Int32? = nil
        var numeric = false, count = false, yesNo = false, choice = false, allowNegative = false
        /// The max as numeric text, for items that have one.
        var maxValue: String? = nil
        var code: String? = nil
        var detail: String? = nil
        var choices: Set<String> = []
        /// A choice answer folded (`AnswerText.fold`: any case, any diacritics) → the option's code, its stored form.
        var choiceCodes: [String: String] = [:]
        var lastCode: String? = nil
        /// The variable's kind (`count`, `amount` …), how "45%" is read (`scale:`), its unit of measure (`tỷ đồng`).
        var kind: String? = nil
        var percentScale: PercentScale? = nil
        var unitOfMeasure: String? = nil
    }

    /// A numerator and denominator item of the file whose ratio may not exceed one.
    struct RatioLimit: Sendable, Equatable {
        var numerator: Int32, denominator: Int32
        var numeratorName: String, denominatorName: String
    }

    /// What the per-record paths read of an item: plain values, so that reading one copies no reference.
    struct ItemKind: Sendable {
        var itemId: Int32
        var resolved: Bool
        var numeric: Bool, count: Bool, yesNo: Bool, choice: Bool, allowNegative: Bool, hasMax: Bool
    }

    struct Reference: Sendable {
        let keys: [Key]
        let items: [Item]
        let ratios: [RatioLimit]
        /// `items` as the per-record paths read them.
        let kinds: [ItemKind]

        init(keys: [Key], items: [Item], ratios: [RatioLimit]) {
            self.keys = keys; self.items = items; self.ratios = ratios
            kinds = items.map { ItemKind(itemId: $0.itemId ?? 0, resolved: $0.itemId != nil, numeric: $0.numeric, count: $0.count,
                                         yesNo: $0.yesNo, choice: $0.choice, allowNegative: $0.allowNegative, hasMax: $0.maxValue != nil) }
        }
    }

    /// The current value of a key that the file has a value for (file key number, catalogue item).
    struct Earlier: Sendable {
        var key: Int32
        var itemId: Int32
        var value: String?, valueText: String?, evidence: String?
        /// "indicator.variable", for the summary's list of values kept from earlier submissions.
        var item: String = ""
    }

    struct Refusal: Sendable, Equatable {
        var record: Int
        var code: String
        var detail: String
    }

    /// The outcome for a whole file: refusals in file order, and which good records are unchanged.
    struct Outcome {
        var refusals: [Refusal] = []
        /// Per record: refused or unchanged (not to be written).
        var skip: [Bool]
        var unchanged = 0
        /// Per key of the file: its good records that are new, change a current value, or equal it.
        var perKey: [KeyCounts] = []
        /// Declared checks of severity warning that failed (the records load).
        var warnings: [DeclaredChecks.Hit] = []
        /// Records with a blank value: not answered, so not written; an earlier value of the key stays (and is listed as kept).
        var blank: [Int] = []
    }

    /// `blank`: records with no value (not answered: neither refused nor written). `withdrawn`: withdrawal markers
    /// (`Withdrawal`) of a value the key has; a marker for a value it does not have is counted unchanged.
    struct KeyCounts: Sendable, Equatable { var new = 0, changed = 0, unchanged = 0, blank = 0, withdrawn = 0 }

    /// The records of each key, in file order: a counting sort of the record numbers by key number.
    static func recordsByKey(_ staged: StagedFile) -> (order: [Int32], starts: [Int]) {
        let keyCount = staged.keyTexts.count
        var starts = [Int](repeating: 0, count: keyCount + 1)
        for k in staged.keyNo { starts[Int(k) + 1] += 1 }
        for k in 0..<keyCount { starts[k + 1] += starts[k] }
        var next = starts
        var order = [Int32](repeating: 0, count: staged.count)
        for (r, k) in staged.keyNo.enumerated() {
            order[next[Int(k)]] = Int32(r)
            next[Int(k)] += 1
        }
        return (order, starts)
    }

    /// Checks every record; `earlier` are the current values of keys the file corrects.
    static func run(_ staged: StagedFile, _ ref: Reference, grouped: (order: [Int32], starts: [Int]), earlier: [Earlier],
                    declared: DeclaredChecks = .none) -> Outcome {
        var out = Outcome(skip: [Bool](repeating: false, count: staged.count))
        out.perKey = [KeyCounts](repeating: KeyCounts(), count: grouped.starts.count - 1)
        let itemCount = ref.items.count
        // Per item: the key group it was last seen in, and its first record there (repeated keys, ratio denominators).
        var seenIn = [Int32](repeating: -1, count: itemCount)
        var firstAt = [Int32](repeating: 0, count: itemCount)
        var ratiosOf = [[RatioLimit]](repeating: [], count: itemCount)
        for limit in ref.ratios { ratiosOf[Int(limit.numerator)].append(limit) }
        var earlierByKey: [Int32: [Int32: Earlier]] = [:]
        for e in earlier { earlierByKey[e.key, default: [:]][e.itemId] = e }
        // Declared checks: the record of each item in the key being checked.
        var recordOf = [Int32](repeating: -1, count: declared.isEmpty ? 0 : itemCount)
        var recordKey = [Int32](repeating: -1, count: declared.isEmpty ? 0 : itemCount)

        for key in 0..<(grouped.starts.count - 1) {
            let k = ref.keys[key]
            let group = grouped.order[grouped.starts[key]..<grouped.starts[key + 1]]
            var ratioCandidates: [Int] = []
            let blankBefore = out.blank.count
            for r32 in group {
                let r = Int(r32)
                let itemNo = Int(staged.itemNo[r])
                let repeatedOf: Int? = seenIn[itemNo] == Int32(key) ? Int(firstAt[itemNo]) : nil
                if repeatedOf == nil { seenIn[itemNo] = Int32(key); firstAt[itemNo] = r32 }
                if let (code, detail) = reason(staged, record: r, key: k, itemNo: itemNo, ref: ref, repeatedOf: repeatedOf) {
                    out.skip[r] = true
                    // A blank value is "not answered" (a form's empty cell): not a refusal, and nothing is written.
                    if code == "value.empty" { out.blank.append(r); continue }
                    out.refusals.append(Refusal(record: r, code: code, detail: detail))
                } else if !ratiosOf[itemNo].isEmpty {
                    ratioCandidates.append(r)
                }
            }
            // a > b where the rule forbids it: only for records with no other reason, against the key's first b.
            for r in ratioCandidates {
                guard let n = staged.number(r) else { continue }
                for limit in ratiosOf[Int(staged.itemNo[r])] {
                    let d = Int(limit.denominator)
                    guard seenIn[d] == Int32(key), let dn = staged.number(Int(firstAt[d])), ExactCompare.compare(n, dn) > 0 else { continue }
                    out.refusals.append(Refusal(record: r, code: "value.ratio_over_one", detail: "\(limit.numeratorName)|\(limit.denominatorName)|\(dn)"))
                    out.skip[r] = true
                    break
                }
            }
            // Declared checks of the key's catalogue, for the indicators the file gives values of in this key.
            if !declared.isEmpty, k.code == nil, k.stageCode == nil, let checks = declared.byCatalogue[staged.keyTexts[key].catalogue] {
                for r32 in group {
                    let n = Int(staged.itemNo[Int(r32)])
                    if recordKey[n] != Int32(key) { recordKey[n] = Int32(key); recordOf[n] = r32 }
                }
                for (index, c) in checks.enumerated() {
                    evaluate(c, index: index, key: key, k: k, staged: staged, ref: ref, recordOf: recordOf, recordKey: recordKey,
                             current: earlierByKey[Int32(key)], profiles: declared.profiles, out: &out)
                }
            }
            // A correction: a good value equal to the current one is not written again.
            var counts = KeyCounts()
            if let current = earlierByKey[Int32(key)] {
                for r32 in group where !out.skip[Int(r32)] {
                    let r = Int(r32)
                    let kind = ref.kinds[Int(staged.itemNo[r])]
                    guard kind.resolved, let cur = current[kind.itemId] else {
                        if Self.withdraws(staged, r) { out.skip[r] = true; out.unchanged += 1; counts.unchanged += 1 } else { counts.new += 1 }
                        continue
                    }
                    let stored = Self.stored(staged, record: r, kind: kind, ref: ref, itemNo: Int(staged.itemNo[r]))
                    if stored.withdraws { counts.withdrawn += 1; continue }
                    let sameValue = cur.value.map { v in stored.number.map { ExactCompare.compare($0, v) == 0 } ?? false } ?? (stored.number == nil)
                    if sameValue && cur.valueText == stored.text && cur.evidence == staged.evidence[r32] {
                        out.skip[r] = true
                        out.unchanged += 1
                        counts.unchanged += 1
                    } else {
                        counts.changed += 1
                    }
                }
            } else {
                // Nothing current to withdraw: a marker changes nothing (and writes nothing).
                for r32 in group where !out.skip[Int(r32)] {
                    if Self.withdraws(staged, Int(r32)) { out.skip[Int(r32)] = true; out.unchanged += 1; counts.unchanged += 1 } else { counts.new += 1 }
                }
            }
            counts.blank = out.blank.count - blankBefore
            out.perKey[key] = counts
        }
        out.refusals.sort { $0.record < $1.record }
        return out
    }

    /// One declared check for one key: refuses the first record of the check's variables in the file (severity error),
    /// or notes a warning; says nothing while a value it reads is missing or refused.
    static func evaluate(_ c: DeclaredChecks.Compiled, index: Int, key: Int, k: Key, staged: StagedFile, ref: Reference,
                         recordOf: [Int32], recordKey: [Int32], current: [Int32: Earlier]?, profiles: [DeclaredChecks.ProfileKey: String],
                         out: inout Outcome) {
        // The record refused (or named by a warning): the file's record of the first name the check reads, left to right.
        var first: Int? = nil
        for case .item(let itemNo?, _, _) in c.sources where recordKey[Int(itemNo)] == Int32(key) {
            let r = Int(recordOf[Int(itemNo)])
            if !out.skip[r] { first = r; break }
        }
        guard let record = first else { return }
        var texts: [String] = []
        var itemIds: [Int32] = [], stored: [String] = []
        texts.reserveCapacity(c.sources.count)
        for source in c.sources {
            var value: String? = nil
            switch source {
            case .constant(let t): value = t.isEmpty ? nil : t
            case .profile(let field):
                if let u = k.unitId, let y = k.year { value = profiles[.init(unitId: u, year: y, field: field)] }
            case .item(let itemNo, let itemId, let profile):
                if let n = itemNo, recordKey[Int(n)] == Int32(key) {
                    let r = Int(recordOf[Int(n)])
                    if out.skip[r] { return }
                    value = staged.number(r)
                } else if let id = itemId, let cur = current?[id] {
                    value = cur.value
                } else if let p = profile, let u = k.unitId, let y = k.year {
                    value = profiles[.init(unitId: u, year: y, field: p)]
                }
                if let id = itemId, let v = value { itemIds.append(id); stored.append(v) }
            }
            guard let v = value else { return }
            texts.append(v)
        }
        let leftText: String, rightText: String
        if c.simple {
            func side(_ f: Formula) -> String {
                switch f {
                case .number(let d): return d.machineText
                case .variable(let name): return texts[c.names.firstIndex(of: name)!]
                default: return ""
                }
            }
            let l = side(c.check.left), r = side(c.check.right)
            let sign = ExactCompare.compare(l, r)
            if c.check.comparison.holds(sign) { return }
            leftText = label(c.check.left, l); rightText = label(c.check.right, r)
        } else {
            var values: [String: Decimal] = [:]
            let posix = Locale(identifier: "en_US_POSIX")
            for (name, t) in zip(c.names, texts) { values[name] = Decimal(string: t, locale: posix) }
            guard case .fails(let l, let r) = c.check.evaluate({ values[$0] }) else { return }
            leftText = label(c.check.left, l.machineText); rightText = label(c.check.right, r.machineText)
        }
        switch c.check.severity {
        case .error:
            out.refusals.append(Refusal(record: record, code: "check.failed", detail: DeclaredChecks.detail(c, left: leftText, right: rightText)))
            out.skip[record] = true
        case .warning:
            out.warnings.append(DeclaredChecks.Hit(record: record, key: Int32(key), compiled: index, catalogue: c.catalogue, indicator: c.indicator,
                                                   expression: c.check.expression, left: leftText, right: rightText,
                                                   itemIds: itemIds, values: stored))
        }
    }

    /// `a = 9`, `a + b = 13`, or the number itself.
    static func label(_ f: Formula, _ value: String) -> String {
        if case .number = f { return value }
        return "\(f) = \(value)"
    }

    /// Why record `r` is refused, and the detail its message needs; nil for a good record.
    @inline(__always)
    static func reason(_ staged: StagedFile, record r: Int, key k: Key, itemNo: Int, ref: Reference, repeatedOf: Int?) -> (String, String)? {
        if !staged.problem.isEmpty, let p = staged.problem[Int32(r)] { return (String(p.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)[0]), p) }
        let kind = ref.kinds[itemNo]
        if k.code != nil || !kind.resolved || k.stageCode != nil {
            let i = ref.items[itemNo]
            return (k.code ?? i.code ?? k.stageCode ?? "", k.detail ?? i.detail ?? "")
        }
        if !staged.valueProblem.isEmpty, let p = staged.valueProblem[Int32(r)] {
            let parts = p.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            return (String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
        }
        if let code = valueReason(staged, record: r, kind: kind, itemNo: itemNo, ref: ref) { return (code, k.detail ?? ref.items[itemNo].detail ?? "") }
        if let scope = k.scopeDetail { return ("unit.scope", scope) }
        if let first = repeatedOf { return ("key.duplicate", staged.ref(first)) }
        return nil
    }

    /// What is wrong with the value itself for its item, or nil.
    @inline(__always)
    static func valueReason(_ staged: StagedFile, record r: Int, kind: ItemKind, itemNo: Int, ref: Reference) -> String? {
        let form = staged.numberForm[r]
        if form == .none && staged.value[r].isEmpty { return "value.empty" }
        // "#rút": a withdrawal, whatever the item's kind (issue 15 point 5).
        if form == .none && Withdrawal.isMarker(staged.value[r]) { return nil }
        if kind.numeric || kind.count || kind.hasMax {
            let number = staged.number(r)
            if kind.numeric {
                guard let n = number else { return "value.not_number" }
                if !kind.allowNegative && ExactCompare.isNegative(n) { return "value.negative" }
            }
            if kind.count, let n = number, !ExactCompare.isWhole(n) { return "value.not_whole" }
            if kind.hasMax, let max = ref.items[itemNo].maxValue, let n = number, ExactCompare.compare(n, max) > 0 { return "value.above_max" }
        }
        if kind.yesNo && Answer.yesNo(staged.value[r]) == nil { return "value.not_yesno" }
        if kind.choice && !ref.items[itemNo].choices.contains(Normalize.lower(staged.value[r]))
            && ref.items[itemNo].choiceCodes[AnswerText.fold(staged.value[r])] == nil { return "value.not_choice" }
        return nil
    }

    /// What a good record stores: the number (counts, amounts; yes/no as 1/0) and the text (answers, options, text).
    /// Neither, for a withdrawal: the history keeps that the value was withdrawn, and readers see no current value.
    struct Stored {
        var number: String?; var text: String?
        var withdraws: Bool { number == nil && text == nil }
    }

    /// Whether good record r is a withdrawal marker ("#rút", "#withdraw").
    @inline(__always)
    static func withdraws(_ staged: StagedFile, _ r: Int) -> Bool {
        staged.numberForm[r] == .none && Withdrawal.isMarker(staged.value[r])
    }

    @inline(__always)
    /// Yes/no and choice answers are stored in one form whatever their case or diacritics ("co", "Có", "CÓ" → "có";
    /// an option's label → its code), so that `dti history` shows no change where there is none.
    static func stored(_ staged: StagedFile, record r: Int, kind: ItemKind, ref: Reference, itemNo: Int) -> Stored {
        if kind.numeric, let n = staged.number(r) { return Stored(number: n, text: nil) }
        if withdraws(staged, r) { return Stored(number: nil, text: nil) }
        let value = staged.value[r]
        if kind.yesNo {
            let yes = Answer.yesNo(value) == true
            return Stored(number: yes ? "1" : "0", text: YesNo.canonical(yes))
        }
        if kind.choice, let code = ref.items[itemNo].choiceCodes[AnswerText.fold(value)] { return Stored(number: nil, text: code) }
        return Stored(number: nil, text: value)
    }
}

/// Comparisons of exact numbers in machine form (`-12.50`: optional minus, digits, optional dot and digits), as
/// PostgreSQL compares numerics: by value, whatever the scale. They read the text's bytes in place: no Foundation
/// Decimal and no allocation on the path of every record.
enum ExactCompare {
    /// -1, 0 or 1. Texts not in machine form compare through Decimal.
    static func compare(_ a: String, _ b: String) -> Int {
        var a = a, b = b
        let result: Int? = a.withUTF8 { pa in
            b.withUTF8 { pb -> Int? in
                guard let x = Parts(pa), let y = Parts(pb) else { return nil }
                if x.isZero && y.isZero { return 0 }
                let xs = x.isZero ? 0 : (x.negative ? -1 : 1), ys = y.isZero ? 0 : (y.negative ? -1 : 1)
                if xs != ys { return xs < ys ? -1 : 1 }
                let magnitude = Parts.compareMagnitude(x, pa, y, pb)
                return xs < 0 ? -magnitude : magnitude
            }
        }
        if let result { return result }
        let posix = Locale(identifier: "en_US_POSIX")
        let p = Decimal(string: a, locale: posix) ?? 0, q = Decimal(string: b, locale: posix) ?? 0
        return p < q ? -1 : (p > q ? 1 : 0)
    }

    static func isNegative(_ a: String) -> Bool {
        var a = a
        return a.withUTF8 { p in Parts(p).map { $0.negative && !$0.isZero } ?? false }
    }

    /// No fractional digit other than zero.
    static func isWhole(_ a: String) -> Bool {
        var a = a
        return a.withUTF8 { p in Parts(p).map { $0.fraction.isEmpty } ?? false }
    }

    /// Where the significant digits of a machine-form number are in its bytes.
    private struct Parts {
        var negative: Bool
        var integer: Range<Int>      // no leading zeros
        var fraction: Range<Int>     // no trailing zeros
        var isZero: Bool { integer.isEmpty && fraction.isEmpty }

        init?(_ b: UnsafeBufferPointer<UInt8>) {
            var k = 0
            negative = b.first == UInt8(ascii: "-")
            if negative { k = 1 }
            var intStart = k
            while k < b.count, b[k] >= 48, b[k] <= 57 { k += 1 }
            let intEnd = k
            var fracStart = k, fracEnd = k
            if k < b.count, b[k] == UInt8(ascii: ".") {
                k += 1; fracStart = k
                while k < b.count, b[k] >= 48, b[k] <= 57 { k += 1 }
                fracEnd = k
            }
            guard k == b.count, intEnd > intStart || fracEnd > fracStart else { return nil }
            while intStart < intEnd, b[intStart] == 48 { intStart += 1 }
            while fracEnd > fracStart, b[fracEnd - 1] == 48 { fracEnd -= 1 }
            integer = intStart..<intEnd
            fraction = fracStart..<fracEnd
        }

        static func compareMagnitude(_ x: Parts, _ px: UnsafeBufferPointer<UInt8>, _ y: Parts, _ py: UnsafeBufferPointer<UInt8>) -> Int {
            if x.integer.count != y.integer.count { return x.integer.count < y.integer.count ? -1 : 1 }
            for (p, q) in zip(x.integer, y.integer) where px[p] != py[q] { return px[p] < py[q] ? -1 : 1 }
            for (p, q) in zip(x.fraction, y.fraction) where px[p] != py[q] { return px[p] < py[q] ? -1 : 1 }
            if x.fraction.count != y.fraction.count { return x.fraction.count < y.fraction.count ? -1 : 1 }
            return 0
        }
    }
}

/// Yes/no answers as the checks and the sheets read them.
enum Answer {
    private static let yes = YesNo.yesWords.map { Array($0.utf8) }, no = YesNo.noWords.map { Array($0.utf8) }

    /// true for a yes word, false for a no word, nil for anything else, in any case (`CÓ`, `Không`): `YesNo.parse`,
    /// with the words as written (nearly every answer) compared as bytes first. Hashing a String with Vietnamese letters
    /// normalises it, which costs more than the whole check.
    @inline(__always)
    static func yesNo(_ value: String) -> Bool? {
        var v = value
        let exact: Bool?? = v.withUTF8 { p -> Bool?? in
            if yes.contains(where: { $0.count == p.count && $0.elementsEqual(p) }) { return true }
            if no.contains(where: { $0.count == p.count && $0.elementsEqual(p) }) { return false }
            return nil
        }
        if let exact { return exact }
        return YesNo.parse(value)
    }
}
