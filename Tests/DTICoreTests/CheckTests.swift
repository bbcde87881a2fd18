import Foundation
import Testing
@testable import DTICore

/// The check language of `checks:` (DTICore.Check) and the checks, constants and aliases each shipped catalogue declares.
@Suite("Declared checks: the expression language and the shipped catalogues")
struct CheckTests {
    @Test("parse once, evaluate exactly: a <= b, a + b <= c, a <= profile.communes, and errors with their offset")
    func language() throws {
        let c = try Check.parse("a + b <= c")
        #expect(c.names == ["a", "b", "c"] && c.comparison == .lessOrEqual)
        #expect(c.evaluate { ["a": 6, "b": 5, "c": 10][$0] } == .fails(left: 11, right: 10))
        #expect(c.evaluate { ["a": 5, "b": 5, "c": 10][$0] } == .holds)
        #expect(c.evaluate { ["a": 5, "c": 10][$0] } == .notEvaluated("b"))
        let p = try Check.parse("a <= profile.communes")
        #expect(p.variables == ["a"] && p.profileFields == ["communes"])
        // exact: 1/3 + 1/3 + 1/3 = 1, no rounding on the way
        #expect(try Check.parse("a/3 + a/3 + a/3 = a").evaluate { _ in 1 } == .holds)
        #expect(try Check.parse("a ≤ b").comparison == .lessOrEqual)
        let noComparison = #expect(throws: Formula.ParseError.self) { try Check.parse("a + b") }
        #expect(noComparison?.message.code == "check.no_comparison")
        do { _ = try Check.parse("a <= b +"); Issue.record("must not parse") } catch { #expect(error.offset == 8) }
        do { _ = try Check.parse("a <= b <= c"); Issue.record("must not parse") } catch { #expect(error.message.code == "check.two_comparisons") }
    }

    /// Every check of a catalogue as "indicator: expression (severity)".
    static func listed(_ c: Catalogue) -> [String] {
        c.allIndicators.flatMap { i in i.checks.map { "\(i.code): \($0.expression)\($0.severity == .warning ? " (warning)" : "")" } }
    }

    @Test("bac-giang-district-2022 (004): every part-of-a-total relation its wording implies; 3.6 b = 7 and d = a")
    func bacGiang() throws {
        let c = try Shipped.load("bac-giang-district-2022")
        #expect(Self.listed(c) == [
            "1.2.1: a <= b", "1.2.2: a <= b", "1.3: a <= b", "2.4: a <= b", "3.1: a <= b", "3.2: a <= b", "3.3: a <= b", "3.4: a <= b",
            "3.6: c <= d", "3.7: a <= b", "4.1: a <= b", "4.2: a <= b", "4.3: a + b <= e", "4.3: c + d <= f", "4.5: a <= b", "4.6: a <= b",
            "4.7: a <= b", "4.8: a <= b", "4.9: a <= b", "4.10: a <= b", "5.2: a <= b", "5.3: a <= b", "5.4: a <= b",
            "5.5.1: a + b <= c (warning)", "5.5.6: a <= b (warning)", "5.5.7: a <= b", "6.4: c <= a", "6.4: d <= b", "6.5: b + c <= a",
            "6.6: a <= c", "6.6: b <= d", "6.7: b <= a", "6.7: d <= c", "6.14: a + b <= c (warning)", "6.15: a <= b", "6.16: a <= b",
            "6.19: a <= b", "7.1: a <= b (warning)", "7.2: a <= b", "7.3: a <= b", "7.4: a <= b", "7.5: a <= b", "7.6: a <= b", "7.7: a <= b",
            "7.8: a <= b", "7.10: a <= b (warning)", "7.11: a <= b (warning)", "7.13: a <= b (warning)", "8.1: a <= b", "8.2: a <= b",
            "8.3: a <= b (warning)", "8.4: a <= b", "8.5: a <= b", "8.9: a <= b",
        ])
        let i = try #require(c.indicator("3.6"))
        #expect(i.variable("b")?.constant == 7 && i.variable("d")?.sameAs == "a")
        #expect(i.variables.filter(\.isInput).map(\.name) == ["a", "c"])
        // 3.6 scores with b = 7 and d = a whatever was submitted: ½ × 20 × 5/7 + ½ × 20 × 3/5
        let values: VariableValues = ["a": .number(5), "c": .number(3), "b": .number(29_891)]
        let r = Scorer(catalogue: c).score(UnitSubmission(unitCode: "bac-giang.tan-yen", values: ["3.6": values]))
        let points = try #require(r.indicator("3.6")?.points)
        #expect(points == Decimal(string: "13.14285714285714285714")!, "\(points)")
    }

    @Test("commune-data-2024 (003's commune sheet): its checks, with the profile")
    func communeData() throws {
        #expect(Self.listed(try Shipped.load("commune-data-2024")) == [
            "1.2: a <= b", "1.3: a <= b", "3.3: a <= profile.population (warning)", "3.4: a <= profile.households (warning)",
            "3.5: a <= profile.households (warning)", "4.2: a <= profile.villages (warning)", "4.7: a <= b", "5.2: a <= b", "5.7: a <= b",
            "5.8.1: a + b <= c (warning)", "6.1: a <= b", "6.2: c <= a", "6.2: d <= b", "6.3: b + c <= a", "6.4: a <= c", "6.4: b <= d",
            "6.6: a <= b", "6.7: a <= b", "7.5: a <= b", "8.1: a <= b", "8.4: a <= profile.working_age_population (warning)",
        ])
    }

    @Test("huong-huu-agencies-2024 (000): every a/b is a part of its total; the other catalogues have no a/b")
    func others() throws {
        let hh = Self.listed(try Shipped.load("huong-huu-agencies-2024"))
        #expect(hh == ["10", "13", "14", "15", "25", "26", "27", "30", "31", "32", "33", "34", "35", "36", "37", "40", "42", "43", "44", "45", "46", "48"]
                        .map { "\($0): a <= b" }, "\(hh)")
        for id in ["hanoi-city-2024", "hanoi-district-2024", "thanh-hoa-district-2022", "unit-profile"] {
            let c = try Shipped.load(id)
            #expect(Self.listed(c).isEmpty && c.allIndicators.allSatisfy { $0.variables.allSatisfy(\.isInput) }, "\(id)")
            #expect(c.notes.contains { $0.hasPrefix("Checks, constants and aliases (audit, issue 15)") }, "\(id) notes the audit")
        }
    }
}
