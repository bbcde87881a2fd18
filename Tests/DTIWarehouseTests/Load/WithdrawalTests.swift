import DTICore
import DTITestSupport
@testable import DTIWarehouse
import Foundation
import PostgresClient
import Testing

/// Withdrawals (issue 15, point 5): "#rút" in a value's cell withdraws the unit's current value and the history keeps
/// it; through the `dti` binary run by an ETL login, on 004's 1.2.1 (a = provincial meetings the district leader
/// attended, b = all such meetings) and on 003's commune sheet (3.3 a, summed into the district's 3.1 a).
@Suite("Withdrawals: #rút removes a current value and stays in the history", .serialized)
struct WithdrawalTests {
    static let header = "unit_code,year,catalogue,indicator,variable,value,evidence,stage\n"
    static let unit = "bac-giang.tan-yen"
    static let catalogue = "bac-giang-district-2022"

    func fixture(_ prefix: String, catalogues: [String] = ["bac-giang-district-2022"]) throws -> (WarehouseFixture, String) {
        let f = try WarehouseFixture(prefix, catalogues: catalogues)
        let role = "t_etl_" + UUID().uuidString.prefix(8).lowercased()
        _ = try Logins(connection: f.db).create(role: role, kind: .etl, district: nil, password: WarehouseFixture.password(role))
        return (f, try f.conninfo(as: role))
    }

    static func line(_ indicator: String, _ variable: String, _ value: String) -> String {
        "\(unit),2022,\(catalogue),\(indicator),\(variable),\(value),,\n"
    }

    func current(_ f: WarehouseFixture, _ indicator: String, _ variable: String) throws -> String? {
        try f.db.query("""
            SELECT coalesce(value::text, value_text, '(a row with neither)') AS v FROM dti.v_submitted_values
             WHERE unit_code = \(Self.unit) AND catalogue_id = \(Self.catalogue) AND year = 2022 AND indicator_code = \(indicator) AND variable = \(variable)
            """).first?["v"].text
    }

    func sheets(_ f: WarehouseFixture) throws -> Int { try f.scalar("SELECT count(*) FROM dti.submission_sheets", as: Int.self) }

    @Test("#rút withdraws 1.2.1 a: the dry run says so and writes nothing, the load leaves no current a, history shows (rút lại) without *, status names 1.2.1 (a), #RUT again changes nothing, a new value comes back")
    func withdrawOneValue() throws {
        let (f, etl) = try fixture("withdraw-one")
        let v1 = try f.file("v1.csv", Self.header + Self.line("1.2.1", "a", "3") + Self.line("1.2.1", "b", "4"))
        #expect(try DTIProcess.run(["load", v1], conninfo: etl).status == 0)
        let v2 = try f.file("v2.csv", Self.header + Self.line("1.2.1", "a", "#rút"))

        let before = try f.footprint()
        let json = try DTIProcess.run(["load", "--dry-run", "--format", "json", v2], conninfo: etl)
        #expect(json.status == 0 && json.text.contains("\"withdrawn\" : 1"), "\(json.text)")
        let dry = try DTIProcess.run(["load", "--dry-run", v2], conninfo: etl)
        #expect(dry.text.contains("  \(Self.unit) 2022 \(Self.catalogue) self: mới 0, thay đổi 0, không đổi 0, rút lại 1"), "\(dry.text)")
        #expect(try f.footprint() == before, "a dry run writes nothing")

        let r = try DTIProcess.run(["load", v2], conninfo: etl)
        #expect(r.status == 0, "\(r.text)")
        // The README's example, line for line.
        #expect(r.text.contains(": lô 2: 1 bản ghi, nhận 1, không đổi 0, từ chối 0"), "\(r.text)")
        #expect(r.text.contains("  \(Self.unit) 2022 \(Self.catalogue) self: mới 0, thay đổi 0, không đổi 0, rút lại 1, giữ từ trước 1 (1.2.1.b)"), "\(r.text)")
        #expect(try current(f, "1.2.1", "a") == nil, "withdrawn: no current a")
        #expect(try current(f, "1.2.1", "b") == "4", "b is not touched")
        #expect(try f.scalar("""
            SELECT count(*) FROM dti.current_values cv JOIN dti.catalogue_items i USING (item_id)
             WHERE i.indicator_code = '1.2.1' AND i.variable = 'a'
            """, as: Int.self) == 0)

        let history = try DTIProcess.run(["history", "--unit", Self.unit, "--indicator", "1.2.1"], conninfo: etl)
        #expect(history.status == 0, "\(history.text)")
        let aRows = history.text.split(separator: "\n").filter { $0.contains(" a ") }
        #expect(aRows.count == 2, "the value 3 and its withdrawal: \(history.text)")
        #expect(aRows.last.map { $0.contains("(rút lại)") && !$0.contains("*") } == true, "\(history.text)")
        #expect(aRows.first.map { $0.contains("3") && !$0.contains("*") } == true, "the withdrawn 3 is no longer current: \(history.text)")
        let en = try DTIProcess.run(["history", "--unit", Self.unit, "--indicator", "1.2.1", "--lang", "en"], conninfo: etl)
        #expect(en.text.contains("(withdrawn)"), "\(en.text)")

        let status = try DTIProcess.run(["status", "--year", "2022", "--under", Self.unit, "--format", "csv"], conninfo: etl)
        #expect(status.status == 0, "\(status.text)")
        #expect(status.text.contains("1.2.1 (a)"), "a partly submitted indicator names its withdrawn variable: \(status.text)")

        // dti.withdrawn_items() (0034, a definer function for the view) answers only for the units a login may see.
        #expect(try f.scalar("SELECT count(*) FROM dti.withdrawn_items()", as: Int.self) == 1)
        let other = "t_yd_" + UUID().uuidString.prefix(8).lowercased()
        _ = try Logins(connection: f.db).create(role: other, kind: .district, district: "thanh-hoa.yen-dinh", password: WarehouseFixture.password(other))
        let yd = try PostgresConnection(conninfo: try f.conninfo(as: other))
        #expect(try yd.query("SELECT count(*) AS n FROM dti.withdrawn_items()")[0]["n"].decode(Int.self) == 0, "another district's login learns nothing")
        yd.close()

        // The same withdrawal again, written another way: nothing is current to withdraw, nothing is written.
        let sheetsBefore = try sheets(f)
        let again = try DTIProcess.run(["load", try f.file("v3.csv", Self.header + Self.line("1.2.1", "a", "#RUT"))], conninfo: etl)
        #expect(again.status == 0 && again.text.contains("không đổi 1"), "\(again.text)")
        #expect(try sheets(f) == sheetsBefore)

        // A value again after a withdrawal is a new value.
        let back = try DTIProcess.run(["load", try f.file("v4.csv", Self.header + Self.line("1.2.1", "a", "2"))], conninfo: etl)
        #expect(back.status == 0, "\(back.text)")
        #expect(try current(f, "1.2.1", "a") == "2")
        let status2 = try DTIProcess.run(["status", "--year", "2022", "--under", Self.unit, "--format", "csv"], conninfo: etl)
        #expect(!status2.text.contains("1.2.1 (a)"), "\(status2.text)")
    }

    @Test("#Withdraw on a yes/no answer and #rút beside a changed value are counted per unit; '#xóa' is a bad value, refused with exit 2")
    func markersAndBadMarker() throws {
        let (f, etl) = try fixture("withdraw-kinds")
        let v1 = try f.file("v1.csv", Self.header + Self.line("1.5", "answer", "có") + Self.line("1.2.1", "a", "3") + Self.line("1.2.1", "b", "4"))
        #expect(try DTIProcess.run(["load", v1], conninfo: etl).status == 0)
        let v2 = try f.file("v2.csv", Self.header + Self.line("1.5", "answer", "#Withdraw") + Self.line("1.2.1", "a", "#rút") + Self.line("1.2.1", "b", "5"))
        let r = try DTIProcess.run(["load", v2], conninfo: etl)
        #expect(r.status == 0, "\(r.text)")
        #expect(r.text.contains("mới 0, thay đổi 1, không đổi 0, rút lại 2"), "\(r.text)")
        #expect(try current(f, "1.5", "answer") == nil)
        #expect(try current(f, "1.2.1", "a") == nil)
        #expect(try current(f, "1.2.1", "b") == "5")

        let sheetsBefore = try sheets(f)
        let bad = try DTIProcess.run(["load", try f.file("v3.csv", Self.header + Self.line("1.2.1", "b", "#xóa"))], conninfo: etl)
        #expect(bad.status == 2, "not a marker: a bad value: \(bad.text)")
        #expect(bad.text.contains("#xóa"), "\(bad.text)")
        #expect(try sheets(f) == sheetsBefore)
        #expect(try current(f, "1.2.1", "b") == "5")
    }

    @Test("a commune's withdrawn 3.3 a drops out of the district's sum and its count of communes, and leaves v_commune_items")
    func communeWithdrawalInRollup() throws {
        let (f, etl) = try fixture("withdraw-rollup", catalogues: ["bac-giang-district-2022", "commune-data-2024", "unit-profile", "thanh-hoa-district-2022"])
        try f.units(RollupFixture.unitsCSV)
        let load = try SubmissionLoader(connection: f.db).load(path: try f.file("submissions.csv", RollupFixture.submissions))
        #expect(load.committed && load.rejected.isEmpty)
        func derived() throws -> (String, Int) {
            let row = try f.db.query("""
                SELECT derived_value::text AS v, children_count AS n FROM dti.v_derived_values
                 WHERE unit_code = 'bac-giang.tan-yen' AND year = 2024 AND indicator_code = '3.1' AND variable = 'a'
                """)
            return (row.first?["v"].text ?? "", try row.first?["n"].decode(Int.self) ?? -1)
        }
        let rollup = ["rollup", "--year", "2024", "--province", "bac-giang", "--allow-incomplete"]
        #expect(try DTIProcess.run(rollup, conninfo: etl).status == 0)
        let (sum, children) = try derived()
        #expect(Decimal(string: sum) == 25300 && children == 22, "\(sum) from \(children)")

        let first = RollupFixture.communes[0]
        let w = try f.file("w.csv", RollupFixture.header + "\(first),2024,commune-data-2024,3.3,a,#rút,,\n")
        let r = try DTIProcess.run(["load", w], conninfo: etl)
        #expect(r.status == 0 && r.text.contains("rút lại 1"), "\(r.text)")
        #expect(try DTIProcess.run(rollup, conninfo: etl).status == 0)
        let (sum2, children2) = try derived()
        #expect(Decimal(string: sum2) == 25200 && children2 == 21, "commune 1 gave 100: \(sum2) from \(children2)")
        #expect(try f.scalar("""
            SELECT count(*) FROM dti.v_commune_items WHERE commune_code = \(first) AND year = 2024 AND source_indicator = '3.3'
            """, as: Int.self) == 0)
    }
}
