import DTICore
import DTITestSupport
import DTIWarehouse
import Foundation
import PostgresClient
import Testing

/// Issue 15 point 5: `dti status` counts an indicator as submitted only when every variable it needs has a current
/// value, and names the missing variables. 004's 1.2.1: a = the province's meetings the district leader attended,
/// b = all of them; a alone is not a submission. 004's 3.6 fixes b = 7 and d = a: a and c are all it needs.
/// Through the `dti` binary as an ETL login.
@Suite("dti status: an indicator counts only with every variable it needs", .serialized)
struct RequiredVariablesTests {
    static let unit = "bac-giang.tan-yen"
    static let catalogue = "bac-giang-district-2022"

    @Test("1.2.1 with a only is missing 'b'; with b it counts; 3.6 needs a and c, not the constant b or the alias d")
    func everyVariable() throws {
        let f = try WarehouseFixture("status-required", catalogues: [Self.catalogue, "unit-profile"])
        let role = "t_etl_" + UUID().uuidString.prefix(8).lowercased()
        _ = try Logins(connection: f.db).create(role: role, kind: .etl, district: nil, password: WarehouseFixture.password(role))
        let etl = try f.conninfo(as: role)
        let header = "unit_code,year,catalogue,indicator,variable,value,evidence,stage\n"
        func load(_ name: String, _ rows: [String]) throws {
            let r = try DTIProcess.run(["load", try f.file(name, header + rows.map { "\(Self.unit),2022,\(Self.catalogue),\($0),," }.joined(separator: "\n") + "\n")],
                                       conninfo: etl)
            #expect(r.status == 0, "\(r.text)")
        }
        func status() throws -> [String: String] {
            let r = try DTIProcess.run(["status", "--year", "2022", "--under", Self.unit, "--catalogue", Self.catalogue, "--format", "csv"], conninfo: etl)
            #expect(r.status == 0, "\(r.text)")
            return try #require(try OwedStatusTests.csvRows(r.text).first { $0["unit_code"] == Self.unit }, "\(r.text)")
        }
        try load("a.csv", ["1.2.1,a,3", "3.6,a,5", "3.6,c,2"])
        let first = try status()
        #expect(first["submitted"] == "1", "3.6 only: \(first)")
        let missing = (first["missing"] ?? "").components(separatedBy: "; ")
        #expect(missing.contains("1.2.1 (b)") && !missing.contains("1.2.1"), "1.2.1 is missing its denominator: \(first["missing"] ?? "")")
        #expect(!missing.contains { $0.hasPrefix("3.6") }, "3.6's b is the constant 7 and d is a")
        #expect(missing.contains("1.1"), "an indicator with nothing submitted is listed by its code alone")
        let view = try f.db.query("SELECT submitted, missing_variables FROM dti.v_submission_status WHERE unit_code = \(Self.unit) AND year = 2022 AND catalogue_id = \(Self.catalogue)")
        #expect(try view[0]["missing_variables"].decode([String].self) == ["1.2.1 (b)"])

        // The table form names it too.
        let table = try DTIProcess.run(["status", "--year", "2022", "--under", Self.unit, "--catalogue", Self.catalogue, "--missing"], conninfo: etl)
        #expect(table.text.contains("1.2.1 (b)"), "\(table.text)")

        try load("b.csv", ["1.2.1,b,4"])
        let second = try status()
        #expect(second["submitted"] == "2", "\(second)")
        #expect(!(second["missing"] ?? "").contains("1.2.1"), "\(second)")
    }
}
