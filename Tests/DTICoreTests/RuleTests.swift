import Foundation
import Testing
@testable import DTICore

/// One row of a rule table: the indicator it comes from, the values submitted, and the points computed by hand
/// from the source's wording.
struct RuleCase: CustomTestStringConvertible, Sendable {
    let name: String
    let values: [String: String]
    let max: Decimal?
    /// nil = not scored; the reason code must then match `reason`.
    let points: Decimal?
    var reason: String? = nil
    var note: String? = nil
    var testDescription: String { name }
}

func d(_ s: String) -> Decimal { Decimal(string: s, locale: Locale(identifier: "en_US_POSIX"))! }
func f(_ s: String) -> Formula { try! Formula.parse(s) }

func check(_ rule: Rule, _ c: RuleCase, variables: [Variable] = []) {
    let values = c.values.mapValues { InputValue.parse($0) }
    let outcome = rule.score(values, max: c.max, variables: variables)
    switch outcome {
    case .points(let p, _, let notes):
        #expect(c.points == p, "\(c.name): expected \(c.points.map { "\($0)" } ?? "not scored (\(c.reason ?? ""))"), got \(p)")
        if let note = c.note { #expect(notes.contains { $0.code == note }, "\(c.name): expected note \(note), got \(notes.map(\.code))") }
    case .notScored(let why):
        #expect(c.points == nil, "\(c.name): expected \(c.points!), got not scored: \(why.vi)")
        if let reason = c.reason { #expect(why.code == reason, "\(c.name): expected reason \(reason), got \(why.code)") }
    default:
        Issue.record("\(c.name): unexpected outcome \(outcome)")
    }
}

@Suite("Rule kinds, case tables from the sources")
struct RuleTests {
    // 004 3.3: a = hộ gia đình có kết nối Internet băng rộng cáp quang, b = tổng số hộ gia đình; Điểm = a/b × 10.
    static let ratioCases: [RuleCase] = [
        RuleCase(name: "004 3.3: 9 000 of 12 000 households → 7.5", values: ["a": "9000", "b": "12000"], max: 10, points: d("7.5")),
        RuleCase(name: "004 3.3: 0 households → 0", values: ["a": "0", "b": "12000"], max: 10, points: 0),
        RuleCase(name: "004 3.3: 1 of 3 → 10/3, one division rounded at the 20th place", values: ["a": "1", "b": "3"], max: 10, points: Decimal(string: "3.33333333333333333333")!),
        RuleCase(name: "004 3.3: 2 of 3 of 3 points → exactly 2", values: ["a": "2", "b": "3"], max: 3, points: 2),
        RuleCase(name: "004 3.3: b = 0 → not scored, never a silent 0", values: ["a": "5", "b": "0"], max: 10, points: nil, reason: "score.zero_denominator"),
        RuleCase(name: "004 3.3: a > b → capped at max with a note", values: ["a": "13000", "b": "12000"], max: 10, points: 10, note: "score.capped_ratio"),
        RuleCase(name: "004 3.3: b missing → not scored", values: ["a": "5"], max: 10, points: nil, reason: "score.missing"),
        RuleCase(name: "004 3.3: negative a → not scored", values: ["a": "-5", "b": "10"], max: 10, points: nil, reason: "score.negative"),
        RuleCase(name: "004 3.3: value '0,5' with a comma reads as 0.5", values: ["a": "0,5", "b": "1"], max: 10, points: 5),
    ]
    @Test(arguments: ratioCases) func ratio(_ c: RuleCase) {
        check(.ratio(formula: f("a/b"), overOne: .cap, zeroDenominator: .unscored), c)
    }

    // 004 6.4: Tỷ lệ = (c+d)/(a+b); 6.7: (b+d)/(a+c); 4.3 style sums of several variables.
    static let formulaCases: [RuleCase] = [
        RuleCase(name: "004 6.4: (30+45)/(100+50) × 10 = 5", values: ["a": "100", "b": "50", "c": "30", "d": "45"], max: 10, points: 5),
        RuleCase(name: "004 6.4: (0+0)/(100+50) → 0", values: ["a": "100", "b": "50", "c": "0", "d": "0"], max: 10, points: 0),
        RuleCase(name: "004 6.4: a+b = 0 → not scored", values: ["a": "0", "b": "0", "c": "0", "d": "0"], max: 10, points: nil, reason: "score.zero_denominator"),
        RuleCase(name: "004 6.4: d missing → not scored naming d", values: ["a": "1", "b": "1", "c": "1"], max: 10, points: nil, reason: "score.missing"),
    ]
    @Test(arguments: formulaCases) func ratioOverSeveralVariables(_ c: RuleCase) {
        check(.ratio(formula: f("(c+d)/(a+b)"), overOne: .cap, zeroDenominator: .unscored), c)
    }

    @Test func ratioOverOneRejectedWhenTheRuleSaysSo() {
        check(.ratio(formula: f("a/b"), overOne: .reject, zeroDenominator: .unscored),
              RuleCase(name: "a > b refused", values: ["a": "3", "b": "2"], max: 10, points: nil, reason: "score.ratio_over_one"))
        check(.ratio(formula: f("a/b"), overOne: .allow, zeroDenominator: .unscored),
              RuleCase(name: "a > b allowed", values: ["a": "3", "b": "2"], max: 10, points: 15))
    }

    // 004 5.4: số sự cố đã xử lý / tổng số sự cố; no incident at all is full marks (zero_denominator: full).
    static let zeroDenominatorCases: [RuleCase] = [
        RuleCase(name: "004 5.4: 0 incidents → full 5 by rule", values: ["a": "0", "b": "0"], max: 5, points: 5, note: "score.zero_denominator_full"),
        RuleCase(name: "004 5.4: 3 of 4 handled → 3.75", values: ["a": "3", "b": "4"], max: 5, points: d("3.75")),
        RuleCase(name: "004 5.4: 4 of 4 handled → 5", values: ["a": "4", "b": "4"], max: 5, points: 5),
    ]
    @Test(arguments: zeroDenominatorCases) func zeroDenominatorFull(_ c: RuleCase) {
        check(.ratio(formula: f("a/b"), overOne: .cap, zeroDenominator: .full), c)
    }

    // 004 6.5: Tỷ lệ = (b+c)/a; ≥ 80%: điểm tối đa (20); < 80%: Tỷ lệ/80% × điểm tối đa.
    static let targetCases: [RuleCase] = [
        RuleCase(name: "004 6.5: (500+300)/1000 = 80% → 20", values: ["a": "1000", "b": "500", "c": "300"], max: 20, points: 20),
        RuleCase(name: "004 6.5: 95% → 20 (not above max)", values: ["a": "1000", "b": "600", "c": "350"], max: 20, points: 20),
        RuleCase(name: "004 6.5: 70% → 0.7/0.8 × 20 = 17.5", values: ["a": "1000", "b": "400", "c": "300"], max: 20, points: d("17.5")),
        RuleCase(name: "004 6.5: 0% → 0", values: ["a": "1000", "b": "0", "c": "0"], max: 20, points: 0),
        RuleCase(name: "004 6.5: a = 0 → not scored", values: ["a": "0", "b": "0", "c": "0"], max: 20, points: nil, reason: "score.zero_denominator"),
    ]
    @Test(arguments: targetCases) func target(_ c: RuleCase) {
        check(.target(formula: f("(b+c)/a"), target: d("0.8"), below: .scaled, zeroDenominator: .unscored), c)
    }

    // 004 7.1: Tỷ lệ = a/b; ≥ 20%: điểm tối đa; < 20%: điểm = điểm tối đa × tỷ lệ (as printed: no division by 20%).
    static let targetAsPrintedCases: [RuleCase] = [
        RuleCase(name: "004 7.1: 10% → 20 × 0.1 = 2", values: ["a": "1", "b": "10"], max: 20, points: 2),
        RuleCase(name: "004 7.1: 20% → 20", values: ["a": "2", "b": "10"], max: 20, points: 20),
        RuleCase(name: "004 7.1: 19% → 3.8 (the printed rule jumps at the target)", values: ["a": "19", "b": "100"], max: 20, points: d("3.8")),
    ]
    @Test(arguments: targetAsPrintedCases) func targetBelowAsRatio(_ c: RuleCase) {
        check(.target(formula: f("a/b"), target: d("0.2"), below: .ratio, zeroDenominator: .unscored), c)
    }

    // 004 6.14: (a+b)/c ≥ 1% → 10; else Tỷ lệ/1% × 10. Amounts in tỷ đồng.
    static let target614Cases: [RuleCase] = [
        RuleCase(name: "004 6.14: (0.2+0.3)/100 = 0.5% → 5", values: ["a": "0.2", "b": "0.3", "c": "100"], max: 10, points: 5),
        RuleCase(name: "004 6.14: 1.2% → 10", values: ["a": "1", "b": "0.2", "c": "100"], max: 10, points: 10),
        RuleCase(name: "004 6.14: 0,25 + 0 of 100 → 2.5", values: ["a": "0,25", "b": "0", "c": "100"], max: 10, points: d("2.5")),
    ]
    @Test(arguments: target614Cases) func targetOnBudgetShare(_ c: RuleCase) {
        check(.target(formula: f("(a+b)/c"), target: d("0.01"), below: .scaled, zeroDenominator: .unscored), c)
    }

    // 004 5.5.1: Tỷ lệ = (a+b)/c; ≥10% → 100%, ≥7% → 70%, ≥3% → 30%, < 3% → 0. Max 5.
    static let tierCases: [RuleCase] = [
        RuleCase(name: "004 5.5.1: 10% → 5", values: ["a": "0.6", "b": "0.4", "c": "10"], max: 5, points: 5),
        RuleCase(name: "004 5.5.1: 8% → 3.5", values: ["a": "0.5", "b": "0.3", "c": "10"], max: 5, points: d("3.5")),
        RuleCase(name: "004 5.5.1: 7% exactly → 3.5", values: ["a": "0.7", "b": "0", "c": "10"], max: 5, points: d("3.5")),
        RuleCase(name: "004 5.5.1: 5% → 1.5", values: ["a": "0.5", "b": "0", "c": "10"], max: 5, points: d("1.5")),
        RuleCase(name: "004 5.5.1: 2% → 0", values: ["a": "0.2", "b": "0", "c": "10"], max: 5, points: 0),
        RuleCase(name: "004 5.5.1: c = 0 → not scored", values: ["a": "1", "b": "0", "c": "0"], max: 5, points: nil, reason: "score.zero_denominator"),
    ]
    static let percentTiers = [Tier(atLeast: d("0.10"), fraction: 1), Tier(atLeast: d("0.07"), fraction: d("0.7")), Tier(atLeast: d("0.03"), fraction: d("0.3"))]
    @Test(arguments: tierCases) func tiersOnARatio(_ c: RuleCase) {
        check(.tiers(formula: f("(a+b)/c"), levels: Self.percentTiers, otherwise: 0, gate: nil, zeroDenominator: .unscored), c)
    }

    // 004 5.5.2: Kinh phí giám sát ATTT (tỷ đồng): ≥2 → 100%, ≥1 → 70%, ≥0,5 → 30%, < 0,5 → 0. Max 2.
    static let amountTierCases: [RuleCase] = [
        RuleCase(name: "004 5.5.2: 2 tỷ → 2", values: ["a": "2"], max: 2, points: 2),
        RuleCase(name: "004 5.5.2: 1,5 tỷ → 1.4", values: ["a": "1,5"], max: 2, points: d("1.4")),
        RuleCase(name: "004 5.5.2: 0,5 tỷ → 0.6", values: ["a": "0,5"], max: 2, points: d("0.6")),
        RuleCase(name: "004 5.5.2: 0,4 tỷ → 0", values: ["a": "0.4"], max: 2, points: 0),
    ]
    @Test(arguments: amountTierCases) func tiersOnAnAmount(_ c: RuleCase) {
        let levels = [Tier(atLeast: 2, fraction: 1), Tier(atLeast: 1, fraction: d("0.7")), Tier(atLeast: d("0.5"), fraction: d("0.3"))]
        check(.tiers(formula: f("a"), levels: levels, otherwise: 0, gate: nil, zeroDenominator: .unscored), c)
    }

    // 004 1.4: has a section (gate) and ≥20 articles → max; 10–19 → 1/2; < 10 → 1/4; no section → 0. Max 10.
    static let gatedTierCases: [RuleCase] = [
        RuleCase(name: "004 1.4: section, 25 articles → 10", values: ["answer": "có", "count": "25"], max: 10, points: 10),
        RuleCase(name: "004 1.4: section, 12 articles → 5", values: ["answer": "có", "count": "12"], max: 10, points: 5),
        RuleCase(name: "004 1.4: section, 3 articles → 2.5", values: ["answer": "yes", "count": "3"], max: 10, points: d("2.5")),
        RuleCase(name: "004 1.4: no section → 0 whatever the count", values: ["answer": "không", "count": "40"], max: 10, points: 0, note: "score.gate"),
        RuleCase(name: "004 1.4: gate answer missing → not scored", values: ["count": "40"], max: 10, points: nil, reason: "score.missing"),
    ]
    @Test(arguments: gatedTierCases) func tiersOnACountWithAGate(_ c: RuleCase) {
        let levels = [Tier(atLeast: 20, fraction: 1), Tier(atLeast: 10, fraction: d("0.5"))]
        check(.tiers(formula: f("count"), levels: levels, otherwise: d("0.25"), gate: "answer", zeroDenominator: .unscored), c)
    }

    // 004 2.1: Đã ban hành: điểm tối đa; chưa ban hành: 0. Max 5.
    static let yesnoCases: [RuleCase] = [
        RuleCase(name: "004 2.1: có → 5", values: ["answer": "có"], max: 5, points: 5),
        RuleCase(name: "004 2.1: Không → 0", values: ["answer": "Không"], max: 5, points: 0),
        RuleCase(name: "004 2.1: 1 → 5", values: ["answer": "1"], max: 5, points: 5),
        RuleCase(name: "004 2.1: 'maybe' → not scored", values: ["answer": "maybe"], max: 5, points: nil, reason: "score.not_yesno"),
        RuleCase(name: "004 2.1: no answer → not scored", values: [:], max: 5, points: nil, reason: "score.missing"),
    ]
    @Test(arguments: yesnoCases) func yesno(_ c: RuleCase) {
        check(.yesno(variable: "answer", yes: 1, no: 0), c)
    }

    // 004 1.1: Trưởng ban là Bí thư/Chủ tịch: tối đa; Phó: 1/2; chưa có: 0. Max 10.
    static let choiceOptions = [
        ChoiceOption(code: "chu-tich", label: "Trưởng ban là Bí thư/Chủ tịch huyện", fraction: 1),
        ChoiceOption(code: "pho-chu-tich", label: "Trưởng ban là Phó Bí thư/Phó Chủ tịch huyện", fraction: d("0.5")),
        ChoiceOption(code: "khong", label: "Chưa có Ban chỉ đạo", fraction: 0),
    ]
    static let choiceCases: [RuleCase] = [
        RuleCase(name: "004 1.1: chairman → 10", values: ["answer": "chu-tich"], max: 10, points: 10),
        RuleCase(name: "004 1.1: vice chairman → 5", values: ["answer": "pho-chu-tich"], max: 10, points: 5),
        RuleCase(name: "004 1.1: verbatim label accepted", values: ["answer": "Trưởng ban là Phó Bí thư/Phó Chủ tịch huyện"], max: 10, points: 5),
        RuleCase(name: "004 1.1: no board → 0", values: ["answer": "khong"], max: 10, points: 0),
        RuleCase(name: "004 1.1: unknown option → not scored listing the options", values: ["answer": "giam-doc"], max: 10, points: nil, reason: "score.unknown_choice"),
    ]
    @Test(arguments: choiceCases) func choice(_ c: RuleCase) {
        check(.choice(variable: "answer", options: Self.choiceOptions), c)
    }

    // 004 6.1: đáp ứng yêu cầu chức năng: 4/5 × max; IPv6: 1/5 × max. Max 10.
    static let compositeCases: [RuleCase] = [
        RuleCase(name: "004 6.1: both → 10", values: ["a": "có", "b": "có"], max: 10, points: 10),
        RuleCase(name: "004 6.1: functions only → 8", values: ["a": "có", "b": "không"], max: 10, points: 8),
        RuleCase(name: "004 6.1: IPv6 only → 2", values: ["a": "không", "b": "có"], max: 10, points: 2),
        RuleCase(name: "004 6.1: a part missing → not scored", values: ["a": "có"], max: 10, points: nil, reason: "score.missing"),
    ]
    @Test(arguments: compositeCases) func composite(_ c: RuleCase) {
        check(.composite(parts: [
            CompositePart(weight: d("0.8"), label: nil, rule: .yesno(variable: "a", yes: 1, no: 0)),
            CompositePart(weight: d("0.2"), label: nil, rule: .yesno(variable: "b", yes: 1, no: 0)),
        ]), c)
    }

    // 004 3.6: ½ × a/b (platforms deployed of the 7 required) + ½ × c/d (deployed centrally). Max 20.
    static let halfHalfCases: [RuleCase] = [
        RuleCase(name: "004 3.6: 7/7 and 7/7 → 20", values: ["a": "7", "b": "7", "c": "7", "d": "7"], max: 20, points: 20),
        RuleCase(name: "004 3.6: 5/7 and 2/5 → 50/7 (20 places) + 4", values: ["a": "5", "b": "7", "c": "2", "d": "5"], max: 20, points: Decimal(string: "11.14285714285714285714")!),
        RuleCase(name: "004 3.6: nothing deployed → d = 0, not scored", values: ["a": "0", "b": "7", "c": "0", "d": "0"], max: 20, points: nil, reason: "score.zero_denominator"),
    ]
    @Test(arguments: halfHalfCases) func compositeOfRatios(_ c: RuleCase) {
        check(.composite(parts: [
            CompositePart(weight: d("0.5"), label: nil, rule: .ratio(formula: f("a/b"), overOne: .cap, zeroDenominator: .unscored)),
            CompositePart(weight: d("0.5"), label: nil, rule: .ratio(formula: f("c/d"), overOne: .cap, zeroDenominator: .unscored)),
        ]), c)
    }

    // 004 6.13: mỗi hoạt động có ứng dụng AI: 1 điểm; tổng điểm không quá điểm tối đa (10).
    static let perItemCases: [RuleCase] = [
        RuleCase(name: "004 6.13: 3 activities → 3", values: ["count": "3"], max: 10, points: 3),
        RuleCase(name: "004 6.13: 12 activities → capped at 10", values: ["count": "12"], max: 10, points: 10),
        RuleCase(name: "004 6.13: none → 0", values: ["count": "0"], max: 10, points: 0),
        RuleCase(name: "004 6.13: count missing → not scored", values: [:], max: 10, points: nil, reason: "score.missing"),
    ]
    @Test(arguments: perItemCases) func perItem(_ c: RuleCase) {
        check(.perItem(variable: "count", points: 1, cap: nil), c)
    }

    // 000 criterion 1: 4 cuộc họp cho 4 quý đạt 2 điểm, tham gia 1 cuộc được tính 0,5 điểm.
    static let perEventCases: [RuleCase] = [
        RuleCase(name: "000 #1: 1 meeting → 0.5", values: ["count": "1"], max: 2, points: d("0.5")),
        RuleCase(name: "000 #1: 3 meetings → 1.5", values: ["count": "3"], max: 2, points: d("1.5")),
        RuleCase(name: "000 #1: 4 meetings → 2", values: ["count": "4"], max: 2, points: 2),
        RuleCase(name: "000 #1: 6 meetings → still 2", values: ["count": "6"], max: 2, points: 2),
    ]
    @Test(arguments: perEventCases) func perEvent(_ c: RuleCase) {
        check(.perItem(variable: "count", points: d("0.5"), cap: nil), c)
    }

    // 000 criterion 28: nếu có 01 máy nhiễm thì trừ 2 điểm (max 5).
    static let deductionCases: [RuleCase] = [
        RuleCase(name: "000 #28: no infected computer → 5", values: ["count": "0"], max: 5, points: 5),
        RuleCase(name: "000 #28: 1 infected → 3", values: ["count": "1"], max: 5, points: 3),
        RuleCase(name: "000 #28: 2 infected → 1", values: ["count": "2"], max: 5, points: 1),
        RuleCase(name: "000 #28: 3 infected → −1 (no floor declared)", values: ["count": "3"], max: 5, points: -1),
    ]
    @Test(arguments: deductionCases) func deduction(_ c: RuleCase) {
        check(.deduction(variable: "count", points: 2, start: .max, floor: nil), c)
    }

    @Test func deductionWithAFloorStopsThere() {
        check(.deduction(variable: "count", points: 2, start: .max, floor: 0),
              RuleCase(name: "000 #28 with floor 0: 4 infected → 0", values: ["count": "4"], max: 5, points: 0))
        check(.deduction(variable: "count", points: 2, start: .zero, floor: nil),
              RuleCase(name: "negative points per item from zero: 2 → −4", values: ["count": "2"], max: 5, points: -4))
    }

    // 004 7.12: Tỷ lệ = a/b − 100%; ≥ 12,5%: tối đa (20); < 12,5%: Tỷ lệ/12,5% × tối đa.
    static let growthCases: [RuleCase] = [
        RuleCase(name: "004 7.12: 112.5 over 100 → 12.5% → 20", values: ["a": "112.5", "b": "100"], max: 20, points: 20),
        RuleCase(name: "004 7.12: 105 over 100 → 5% → 8", values: ["a": "105", "b": "100"], max: 20, points: 8),
        RuleCase(name: "004 7.12: 95 over 100 → negative growth → 0 with a note", values: ["a": "95", "b": "100"], max: 20, points: 0, note: "score.negative_growth"),
        RuleCase(name: "004 7.12: last year 0 → not scored", values: ["a": "95", "b": "0"], max: 20, points: nil, reason: "score.zero_denominator"),
    ]
    @Test(arguments: growthCases) func growth(_ c: RuleCase) {
        check(.growth(formula: f("a/b - 1"), reference: d("0.125"), zeroDenominator: .unscored), c)
    }

    // 002: points awarded by the evaluator (Yên Định 2022, 1.2.1: 8,125 of 10).
    static let directCases: [RuleCase] = [
        RuleCase(name: "002 1.2.1: 8,125 → 8.125", values: ["points": "8,125"], max: 10, points: d("8.125")),
        RuleCase(name: "002 1.5: 0 → 0", values: ["points": "0"], max: 10, points: 0),
        RuleCase(name: "002 1.2.1: 12 above the max of 10 → 10 with a note", values: ["points": "12"], max: 10, points: 10, note: "score.direct_capped"),
        RuleCase(name: "002 1.2.1: no points → not scored", values: [:], max: 10, points: nil, reason: "score.missing"),
        RuleCase(name: "002 1.2.1: negative → not scored", values: ["points": "-1"], max: 10, points: nil, reason: "score.negative"),
    ]
    @Test(arguments: directCases) func direct(_ c: RuleCase) {
        check(.direct, c)
    }

    // 001 Điều 2.3.b: điểm khuyến khích for initiatives, outside the max.
    static let bonusCases: [RuleCase] = [
        RuleCase(name: "001 KK: 5 bonus points", values: ["points": "5"], max: nil, points: 5),
        RuleCase(name: "001 KK: 0,5 bonus point", values: ["points": "0,5"], max: nil, points: d("0.5")),
        RuleCase(name: "001 KK: none submitted → not scored", values: [:], max: nil, points: nil, reason: "score.missing"),
    ]
    @Test(arguments: bonusCases) func bonus(_ c: RuleCase) {
        check(.bonus(cap: nil), c)
    }

    @Test func bonusWithACap() {
        check(.bonus(cap: 10), RuleCase(name: "capped bonus", values: ["points": "15"], max: nil, points: 10, note: "score.direct_capped"))
    }

    @Test func dataItemsGiveNoPoints() {
        #expect(Rule.data.score(["a": .number(3)], max: nil) == .noPoints)
        #expect(Rule.data.score([:], max: 10) == .noPoints)
        #expect(Rule.data.score(["answer": .text("có")], max: nil) == .noPoints)
    }

    @Test func aRuleWithoutMaxPointsIsNotScoredWithAReason() {
        // 000 criteria 20, 21, 49 and 004 4.9 print no max points.
        check(.yesno(variable: "answer", yes: 1, no: 0), RuleCase(name: "000 #20: no max", values: ["answer": "có"], max: nil, points: nil, reason: "score.no_max"))
        check(.ratio(formula: f("a/b"), overOne: .cap, zeroDenominator: .unscored), RuleCase(name: "004 4.9: no max", values: ["a": "1", "b": "2"], max: nil, points: nil, reason: "score.no_max"))
        check(.choice(variable: "answer", options: Self.choiceOptions), RuleCase(name: "004 9.1: no max", values: ["answer": "khong"], max: nil, points: nil, reason: "score.no_max"))
    }
}

@Suite("Min–max against the peer group")
struct MinMaxTests {
    // 004 4.3: Tỷ lệ = (a+b+c+d)/(e+f); Min–Max: the highest ratio gets the max (10) and the others decrease.
    @Test func fourPointThreeAcrossThreeDistricts() {
        let best = Fraction(d("0.1")), worst = Fraction(d("0.02"))
        #expect(Rule.minmaxPoints(ratio: Fraction(d("0.1")), best: best, worst: worst, higherIsBetter: true, max: 10) == 10)
        #expect(Rule.minmaxPoints(ratio: Fraction(d("0.05")), best: best, worst: worst, higherIsBetter: true, max: 10) == d("3.75"))
        #expect(Rule.minmaxPoints(ratio: Fraction(d("0.02")), best: best, worst: worst, higherIsBetter: true, max: 10) == 0)
    }

    @Test func everyUnitEqual() {
        let r = Fraction(d("0.3"))
        #expect(Rule.minmaxPoints(ratio: r, best: r, worst: r, higherIsBetter: true, max: 5) == 5)
        let zero = Fraction(0)
        #expect(Rule.minmaxPoints(ratio: zero, best: zero, worst: zero, higherIsBetter: true, max: 5) == 0)
    }

    @Test func lowerIsBetter() {
        #expect(Rule.minmaxPoints(ratio: Fraction(2), best: Fraction(8), worst: Fraction(2), higherIsBetter: false, max: 10) == 10)
        #expect(Rule.minmaxPoints(ratio: Fraction(8), best: Fraction(8), worst: Fraction(2), higherIsBetter: false, max: 10) == 0)
    }
}
