import DTICore
import DTITestSupport
import DTIWarehouse
import Foundation
import PostgresClient
import Testing

/// The README's five worked questions (issue 16 point 4), read out of README.md itself so the text cannot drift from
/// what is tested, each run as an analyst login against a history with known answers, and each answer checked
/// against the same answer computed another way (from the base tables or the fixture's own numbers).
@Suite("The README's worked analyst questions", .serialized)
struct AnalystQuestionTests {
    /// The ```sql blocks between the README's worked-questions markers, in order.
    static func questions() throws -> [String] {
        let readme = try String(contentsOfFile: TestServer.repositoryRoot + "/README.md", encoding: .utf8)
        let begin = try #require(readme.range(of: "<!-- worked-questions:begin -->"))
        let end = try #require(readme.range(of: "<!-- worked-questions:end -->"))
        let part = readme[begin.upperBound..<end.lowerBound]
        var out: [String] = [], current: [String]? = nil
        for line in part.split(separator: "\n", omittingEmptySubsequences: false) {
            let t = line.trimmingCharacters(in: .whitespaces)
            if current == nil, t == "```sql" { current = [] }
            else if current != nil, t == "```" { out.append(current!.joined(separator: "\n")); current = nil }
            else if current != nil { current!.append(String(line)) }
        }
        return out
    }

    /// HistoryFixture (corrections, a JSON file, another stage, a 2024 roll-up) and a 2023 year for Bắc Giang with a
    /// lower district count (8.8) and another 4.7 for district Y, then both years rolled up.
    static func fixture() throws -> WarehouseFixture {
        let f = try HistoryFixture.make("analyst-q")
        let y2023 = RollupFixture.submissions.replacingOccurrences(of: ",2024,", with: ",2023,")
            .replacingOccurrences(of: "8.8,count,7,", with: "8.8,count,2,")
            .replacingOccurrences(of: "\(RollupFixture.peerY),2023,bac-giang-district-2022,4.7,a,1012,", with: "\(RollupFixture.peerY),2023,bac-giang-district-2022,4.7,a,2024,")
        let r = try SubmissionLoader(connection: f.db).load(path: try f.file("y2023.csv", y2023))
        #expect(r.committed && r.rejected.isEmpty, "\(r.rejected.map { "\($0.ref) \($0.message)" })")
        for year in [2023, 2024] { _ = try Rollup(connection: f.db).run(province: "bac-giang", year: year, stage: .final) }
        return f
    }

    static func texts(_ rows: PostgresRows, _ columns: [String]) throws -> [[String]] {
        try rows.map { r in try columns.map { try r[$0].decode(String?.self) ?? "∅" } }
    }

    @Test("five questions in the README, each answered as an analyst with the fixture's known answer")
    func workedQuestions() throws {
        let q = try Self.questions()
        try #require(q.count == 5, "the README has five worked questions, found \(q.count)")
        let f = try Self.fixture()
        let role = "t_q_" + UUID().uuidString.prefix(6).lowercased()
        _ = try Logins(connection: f.db).create(role: role, kind: .analyst, district: nil, password: WarehouseFixture.password(role))
        let c = try PostgresConnection(conninfo: try f.conninfo(as: role))
        defer { c.close(); try? f.db.simpleQuery("DROP ROLE IF EXISTS \"\(role)\"") }
        // The README's queries name the views without their schema, as an analyst types them: a real database has
        // search_path = dti, public from migration 0007 (ALTER DATABASE); a test database is a copy of a template,
        // and CREATE DATABASE … TEMPLATE does not copy database settings, so the session gets it here.
        try c.simpleQuery("SET search_path = dti, public")
        func run(_ k: Int) throws -> PostgresRows { try c.query("\(unescaped: q[k])") }
        let district = RollupFixture.district, communes = HistoryFixture.c

        // 1. From the communes' own values: commune i earns P(3.1) × a_i ÷ Σa of 3.1 (3.3.a, at the most advanced stage:
        // commune 4's round 1) and P(3.4) × yes_i ÷ Σyes of 3.4 (3.6 answered yes).
        let values = try f.db.query("""
            SELECT DISTINCT ON (unit_code, indicator_code) unit_code, indicator_code, value::text AS v FROM dti.v_submitted_values
             WHERE parent_code = \(district) AND year = 2024 AND catalogue_id = 'commune-data-2024' AND indicator_code IN ('3.3', '3.6')
             ORDER BY unit_code, indicator_code, stage DESC
            """)
        var a: [String: Decimal] = [:], yes: [String: Decimal] = [:]
        for r in values {
            let v = Decimal(string: try r["v"].decode(String.self))!
            if try r["indicator_code"].decode(String.self) == "3.3" { a[try r["unit_code"].decode(String.self)] = v } else { yes[try r["unit_code"].decode(String.self)] = v }
        }
        func points(_ i: String) throws -> Decimal {
            Decimal(string: try f.scalar("SELECT points::text FROM dti.v_indicator_scores WHERE unit_code = \(district) AND year = 2024 AND indicator_code = \(i)", as: String.self))!
        }
        let (p31, p34) = (try points("3.1"), try points("3.4"))
        let sumA = a.values.reduce(0, +), sumYes = yes.values.reduce(0, +)
        #expect(a.count == 22 && a[communes[3]] == 350 && a[communes[0]] == 102 && sumYes > 0)
        let expected1 = communes.map { ($0, p31 * a[$0, default: 0] / sumA + p34 * yes[$0, default: 0] / sumYes) }
            .sorted { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }.prefix(5)
        let got1 = try run(0).map { (try $0["commune_code"].decode(String.self), try $0["points"].decode(Decimal.self)) }
        #expect(got1.map { $0.0 } == expected1.map { $0.0 }, "least contributing communes: \(got1) vs \(Array(expected1))")
        for (g, e) in zip(got1, expected1) { #expect(abs(g.1 - e.1) < Decimal(string: "1e-15")!, "\(g.0): \(g.1) vs \(e.1)") }

        // 2. The index change of every district, from v_unit_index's two years.
        let index = try f.db.query("SELECT unit_code, year, points::text AS p FROM dti.unit_index WHERE stage = 'final' AND unit_code LIKE 'bac-giang.%' AND year IN (2023, 2024)")
        var byYear: [String: [Int: Decimal]] = [:]
        for r in index { byYear[try r["unit_code"].decode(String.self), default: [:]][try r["year"].decode(Int.self)] = Decimal(string: try r["p"].decode(String.self)) }
        var expected2: [(String, Decimal?)] = []
        for (u, y) in byYear { if let now = y[2024] { expected2.append((u, y[2023].map { now - $0 })) } }
        expected2.sort { l, r in
            let dl = l.1 ?? Decimal(-1_000_000), dr = r.1 ?? Decimal(-1_000_000)
            return dl != dr ? dl > dr : l.0 < r.0
        }
        let got2: [(String, Decimal?)] = try run(1).map { (try $0["unit_code"].decode(String.self), try $0["delta_points"].decode(Decimal?.self)) }
        #expect(got2.map { $0.0 } == expected2.map { $0.0 } && got2.map { $0.1 } == expected2.map { $0.1 }, "\(got2) vs \(expected2)")
        #expect(got2.count == 3 && got2.allSatisfy { $0.1 != nil } && got2.contains { $0.0 == district && ($0.1 ?? 0) > 0 }, "Tân Yên gains: its 8.8 count went from 2 to 7")

        // 3. The indicators most districts lose points on, from the base table's leaf scores of 2024.
        let leaves = try f.db.query("""
            SELECT s.indicator_code, (s.max_points - s.points)::text AS lost FROM dti.indicator_scores s
              JOIN dti.units u ON u.code = s.unit_code AND u.level = 'district'
              JOIN dti.indicators i ON i.version_id = s.version_id AND i.indicator_code = s.indicator_code AND i.is_leaf
             WHERE s.year = 2024 AND s.stage = 'final' AND s.points < s.max_points
            """)
        var losing: [String: (Int, Decimal)] = [:]
        for r in leaves {
            let code: String = try r["indicator_code"].decode()
            let old = losing[code] ?? (0, 0)
            losing[code] = (old.0 + 1, old.1 + Decimal(string: try r["lost"].decode(String.self))!)
        }
        struct Lost: Equatable { let code: String; let districts: Int; let points: Decimal }
        var all3: [Lost] = losing.map { Lost(code: $0.key, districts: $0.value.0, points: $0.value.1) }
        all3.sort { l, r in l.districts != r.districts ? l.districts > r.districts : (l.points != r.points ? l.points > r.points : l.code < r.code) }
        let expected3 = Array(all3.prefix(10))
        let got3: [Lost] = try run(2).map { Lost(code: try $0["indicator_code"].decode(String.self), districts: try $0["districts_losing"].decode(Int.self),
                                                   points: try $0["points_lost"].decode(Decimal.self)) }
        #expect(got3 == expected3, "\(got3) vs \(expected3)")
        #expect(got3.count >= 3 && got3.first?.code == "4.7" && got3.first?.districts == 2, "4.7 (min–max: Y is best) costs Tân Yên and Z points: \(got3)")

        // 4. The corrections the fixture made (all loaded after 2024): commune 1's 3.3.a twice and 6.3.b, and the ten
        // values commune 2 changed by sending its whole form again. Not commune 2's new item 4.3, commune 3's added
        // item, commune 4's round 1 (a stage of its own), nor the 2023 file.
        let got4 = try Self.texts(try run(3), ["unit_code", "indicator_code", "variable", "before", "after", "file_name"])
            .map { [$0[0], $0[1], $0[2], $0[3], $0[4], ($0[5] as NSString).lastPathComponent] }
        let c1 = communes[0], c2 = communes[1]
        #expect(got4.filter { $0[0] == c1 } == [[c1, "3.3", "a", "100", "101", "fix-1.csv"], [c1, "3.3", "a", "101", "102", "fix-1b.csv"], [c1, "6.3", "b", "30", "31", "fix-1b.csv"]], "\(got4)")
        let c2rows = got4.filter { $0[0] == c2 }
        #expect(c2rows.count == 10 && c2rows.allSatisfy { $0[5] == "whole-2.csv" && $0[3] != $0[4] }, "\(c2rows)")
        #expect(Set(c2rows.map { "\($0[1]).\($0[2])" }) == ["3.3.a", "3.6.answer", "4.1.answer", "4.6.a", "5.8.1.a", "5.8.1.b", "5.8.1.c", "6.3.a", "6.3.b", "6.3.c"])
        #expect(got4.count == 13, "\(got4)")
        #expect(try run(3).allSatisfy { try !($0["loaded_by"].decode(String?.self) ?? "").isEmpty })

        // 5. Every current value of Tân Yên and its communes, each with its file and line.
        let got5 = try run(4)
        let own = try f.scalar("SELECT count(*) FROM dti.v_submitted_values WHERE year = 2024 AND (unit_code = \(district) OR parent_code = \(district))", as: Int.self)
        #expect(got5.count == own && own > 200)
        let rows5 = try Self.texts(got5, ["unit_code", "indicator_code", "variable", "value", "file_name", "source_ref"])
        #expect(rows5.allSatisfy { $0[4] != "∅" && $0[5] != "∅" })
        #expect(rows5.contains { $0[0] == c1 && $0[1] == "3.3" && $0[2] == "a" && $0[3] == "102" && $0[4].hasSuffix("fix-1b.csv") && $0[5] == "2" })
        #expect(rows5.contains { $0[0] == communes[2] && $0[1] == "4.3" && $0[4].hasSuffix("add-3.json") && $0[5] == "[0]" })
        #expect(!rows5.contains { !([district] + communes).contains($0[0]) }, "no other district's values")
    }
}
