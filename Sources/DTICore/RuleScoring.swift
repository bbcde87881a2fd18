import Foundation

/// The outcome of applying one rule to one unit's values, before peers are known.
public enum RuleOutcome: Sendable, Equatable {
    /// Points awarded. `ratio` is the value the rule compared or scaled (nil for yes/no, choice, direct …).
    case points(Decimal, ratio: Decimal?, notes: [Message])
    /// A min–max rule: the unit's ratio, to be placed between the best and worst of its peer group.
    case needsPeers(ratio: Fraction, notes: [Message])
    /// Not scored, with the reason (missing variable, zero denominator, invalid answer …).
    case notScored(Message)
    /// A data item: no points by design.
    case noPoints
}

enum Notes {
    static func missing(_ v: String) -> Message {
        Message("score.missing", vi: "thiếu biến \(v)", en: "variable \(v) is missing")
    }
    static func zeroDenominator(_ f: String) -> Message {
        Message("score.zero_denominator", vi: "mẫu số \(f) bằng 0", en: "denominator \(f) is 0")
    }
    static func zeroDenominatorPolicy(_ f: String, _ p: ZeroDenominatorPolicy) -> Message {
        p == .zero
            ? Message("score.zero_denominator_zero", vi: "mẫu số \(f) bằng 0: tính 0 điểm theo quy tắc", en: "denominator \(f) is 0: 0 points by rule")
            : Message("score.zero_denominator_full", vi: "mẫu số \(f) bằng 0: tính điểm tối đa theo quy tắc", en: "denominator \(f) is 0: full marks by rule")
    }
    static let overOneCapped = Message("score.capped_ratio", vi: "tỷ lệ lớn hơn 100%: tính là 100%", en: "ratio above 100%: counted as 100%")
    static let overOneRejected = Message("score.ratio_over_one", vi: "tỷ lệ lớn hơn 100% (tử số lớn hơn mẫu số) trong khi quy tắc không cho phép", en: "ratio above 100% (numerator larger than denominator) where the rule forbids it")
    static func negative(_ v: String) -> Message {
        Message("score.negative", vi: "giá trị âm ở biến \(v)", en: "negative value for variable \(v)")
    }
    static let negativeRatio = Message("score.negative_ratio", vi: "tỷ lệ âm: tính 0 điểm", en: "negative ratio: 0 points")
    static let negativeGrowth = Message("score.negative_growth", vi: "tăng trưởng âm hoặc bằng 0: tính 0 điểm", en: "growth at or below 0: 0 points")
    static func notYesNo(_ v: String, _ raw: String) -> Message {
        Message("score.not_yesno", vi: "biến \(v) = '\(raw)' không phải câu trả lời có/không", en: "variable \(v) = '\(raw)' is not a yes/no answer")
    }
    static func notNumber(_ v: String, _ raw: String) -> Message {
        Message("score.not_number", vi: "biến \(v) = '\(raw)' không phải là số", en: "variable \(v) = '\(raw)' is not a number")
    }
    static func unknownChoice(_ raw: String, _ options: [ChoiceOption]) -> Message {
        let list = options.map(\.code).joined(separator: ", ")
        return Message("score.unknown_choice", vi: "lựa chọn '\(raw)' không hợp lệ, cần một trong: \(list)", en: "choice '\(raw)' is not valid, expected one of: \(list)")
    }
    static func directCapped(_ max: Decimal) -> Message {
        Message("score.direct_capped", vi: "điểm chấm vượt điểm tối đa \(max.machineText): tính bằng điểm tối đa", en: "awarded points above the max of \(max.machineText): counted as the max")
    }
    static let noMax = Message("score.no_max", vi: "nguồn không cho điểm tối đa: không chấm điểm", en: "the source gives no max points: not scored")
    static let gateClosed = Message("score.gate", vi: "điều kiện tiên quyết chưa đạt: 0 điểm", en: "precondition not met: 0 points")
    static let notApplicable = Message("score.not_applicable", vi: "không áp dụng cho đơn vị này", en: "does not apply to this unit")
}

extension Rule {
    /// Applies the rule to one unit's values with the given max points. Pure and exact.
    public func score(_ values: VariableValues, max: Decimal?, variables: [Variable] = []) -> RuleOutcome {
        if case .data = self { return .noPoints }
        let allowsNegative = Set(variables.filter(\.allowNegative).map(\.name))

        func number(_ name: String) -> Result<Decimal, Message> {
            guard let v = values[name] else { return .failure(Notes.missing(name)) }
            guard let d = v.number else { return .failure(Notes.notNumber(name, v.description)) }
            if d < 0 && !allowsNegative.contains(name) { return .failure(Notes.negative(name)) }
            return .success(d)
        }
        func evaluate(_ f: Formula) -> Result<Fraction, Message> {
            for name in f.variables {
                if case .failure(let m) = number(name) { return .failure(m) }
            }
            let lookup: (String) -> Decimal? = { name in
                if case .success(let d) = number(name) { return d }
                return nil
            }
            switch Result(catching: { () throws(Formula.EvaluationError) -> Fraction in try f.evaluate(lookup) }) {
            case .success(let x): return .success(x)
            case .failure(.missing(let v)): return .failure(Notes.missing(v))
            case .failure(.zeroDenominator(let d)): return .failure(Notes.zeroDenominator(d))
            }
        }
        /// Evaluates a formula, applying the zero-denominator policy: returns either the fraction or a final outcome.
        func evaluate(_ f: Formula, _ zero: ZeroDenominatorPolicy, max m: Decimal) -> Result<Fraction, OutcomeBox> {
            switch evaluate(f) as Result<Fraction, Message> {
            case .success(let x): return .success(x)
            case .failure(let msg):
                if msg.code == "score.zero_denominator" && zero != .unscored {
                    let pts = zero == .full ? m : 0
                    return .failure(OutcomeBox(.points(pts, ratio: nil, notes: [Notes.zeroDenominatorPolicy(f.description, zero)])))
                }
                return .failure(OutcomeBox(.notScored(msg)))
            }
        }

        switch self {
        case .direct, .bonus:
            let cap: Decimal? = { if case .bonus(let c) = self { return c }; return max }()
            switch number("points") {
            case .failure(let m): return .notScored(m)
            case .success(let p):
                if let cap, p > cap { return .points(cap, ratio: nil, notes: [Notes.directCapped(cap)]) }
                return .points(p, ratio: nil, notes: [])
            }
        case .data:
            return .noPoints
        default:
            break
        }

        guard let m = max else { return .notScored(Notes.noMax) }

        switch self {
        case .ratio(let f, let overOne, let zero):
            switch evaluate(f, zero, max: m) {
            case .failure(let box): return box.outcome
            case .success(let x):
                if x.isNegative { return .points(0, ratio: x.value, notes: [Notes.negativeRatio]) }
                if x.greaterThan(1) {
                    switch overOne {
                    case .cap: return .points(m, ratio: x.value, notes: [Notes.overOneCapped])
                    case .reject: return .notScored(Notes.overOneRejected)
                    case .allow: break
                    }
                }
                return .points(x.times(m).value, ratio: x.value, notes: [])
            }

        case .target(let f, let target, let below, let zero):
            switch evaluate(f, zero, max: m) {
            case .failure(let box): return box.outcome
            case .success(let x):
                if x.isNegative { return .points(0, ratio: x.value, notes: [Notes.negativeRatio]) }
                if x.atLeast(target) { return .points(m, ratio: x.value, notes: []) }
                switch below {
                case .scaled: return .points((x.times(m) / Fraction(target)).value, ratio: x.value, notes: [])
                case .ratio: return .points(x.times(m).value, ratio: x.value, notes: [])
                }
            }

        case .tiers(let f, let levels, let otherwise, let gate, let zero):
            if let gate {
                guard let raw = values[gate] else { return .notScored(Notes.missing(gate)) }
                guard let yes = YesNo.parse(raw) else { return .notScored(Notes.notYesNo(gate, raw.description)) }
                if !yes { return .points(0, ratio: nil, notes: [Notes.gateClosed]) }
            }
            switch evaluate(f, zero, max: m) {
            case .failure(let box): return box.outcome
            case .success(let x):
                for level in levels where x.atLeast(level.atLeast) {
                    return .points(level.fraction * m, ratio: x.value, notes: [])
                }
                return .points(otherwise * m, ratio: x.value, notes: [])
            }

        case .yesno(let v, let yes, let no):
            guard let raw = values[v] else { return .notScored(Notes.missing(v)) }
            guard let answer = YesNo.parse(raw) else { return .notScored(Notes.notYesNo(v, raw.description)) }
            return .points((answer ? yes : no) * m, ratio: nil, notes: [])

        case .choice(let v, let options):
            guard let raw = values[v] else { return .notScored(Notes.missing(v)) }
            let answer = ChoiceMatching.normalize(raw.description)
            guard let option = options.first(where: {
                ChoiceMatching.normalize($0.code) == answer || ChoiceMatching.normalize($0.label) == answer
            }) else { return .notScored(Notes.unknownChoice(raw.description, options)) }
            return .points(option.fraction * m, ratio: nil, notes: [])

        case .composite(let parts):
            var total: Decimal = 0
            var notes: [Message] = []
            for part in parts {
                switch part.rule.score(values, max: part.weight * m, variables: variables) {
                case .points(let p, _, let n): total += p; notes += n
                case .notScored(let reason): return .notScored(reason)
                case .needsPeers, .noPoints: return .notScored(Notes.noMax)
                }
            }
            return .points(total, ratio: nil, notes: notes)

        case .perItem(let v, let points, let cap):
            switch number(v) {
            case .failure(let msg): return .notScored(msg)
            case .success(let n):
                let raw = n * points
                let limit = cap ?? m
                return .points(raw > limit ? limit : raw, ratio: n, notes: [])
            }

        case .minmax(let f, _, let zero):
            switch evaluate(f, zero, max: m) {
            case .failure(let box): return box.outcome
            case .success(let x): return .needsPeers(ratio: x, notes: [])
            }

        case .growth(let f, let reference, let zero):
            switch evaluate(f, zero, max: m) {
            case .failure(let box): return box.outcome
            case .success(let g):
                if !g.greaterThan(0) { return .points(0, ratio: g.value, notes: [Notes.negativeGrowth]) }
                if g.atLeast(reference) { return .points(m, ratio: g.value, notes: []) }
                return .points((g.times(m) / Fraction(reference)).value, ratio: g.value, notes: [])
            }

        case .deduction(let v, let points, let start, let floor):
            switch number(v) {
            case .failure(let msg): return .notScored(msg)
            case .success(let n):
                var p = (start == .max ? m : 0) - n * points
                if let floor, p < floor { p = floor }
                return .points(p, ratio: n, notes: [])
            }

        case .direct, .bonus, .data:
            return .noPoints // handled above
        }
    }

    /// Places a min–max ratio between the best and the worst ratio of the peer group.
    public static func minmaxPoints(ratio: Fraction, best: Fraction, worst: Fraction, higherIsBetter: Bool, max m: Decimal) -> Decimal {
        let (hi, lo) = higherIsBetter ? (best, worst) : (worst, best)
        let span = hi - lo
        if span.numerator.isZero {
            // Every unit of the group has the same ratio: all are the best, unless nobody achieved anything.
            return ratio.numerator.isZero && higherIsBetter ? 0 : m
        }
        let position = (ratio - lo) / span
        return position.times(m).value
    }
}

/// A box so that a final outcome can travel in a `Result`'s failure.
struct OutcomeBox: Error {
    let outcome: RuleOutcome
    init(_ o: RuleOutcome) { outcome = o }
}

enum ChoiceMatching {
    static func normalize(_ s: String) -> String {
        s.precomposedStringWithCanonicalMapping.trimmingCharacters(in: .whitespaces).lowercased()
    }
}
