import DTICore
import DTITestSupport
import DTIWarehouse
import Foundation
import PostgresClient
import Testing

@Suite("Submission status", .serialized)
struct StatusTests {
    @Test("v_submission_status: expected vs submitted per unit and catalogue, what is missing, last load; a catalogue without scope expects only the provinces that use it")
    func status() throws {
        let f = try RollupFixture.make("status")
        _ = try SubmissionLoader(connection: f.db).load(path: f.home.reference + "/yen-dinh-2022.csv", options: .init(stage: .final))
        func row(_ unit: String, _ catalogue: String, _ year: Int) throws -> (Int, Int, [String])? {
            let r = try f.db.query("""
                SELECT expected, submitted, missing FROM dti.v_submission_status WHERE unit_code = \(unit) AND catalogue_id = \(catalogue) AND year = \(year)
                """)
            guard let first = r.first else { return nil }
            return (try first["expected"].decode(Int.self), try first["submitted"].decode(Int.self), try first["missing"].decode([String].self))
        }
        // Yên Định submitted all 64 scored indicators of 002 (scope thanh-hoa).
        let yd = try #require(try row("thanh-hoa.yen-dinh", "thanh-hoa-district-2022", 2022))
        #expect(yd.0 == 64 && yd.1 == 64 && yd.2.isEmpty)
        // A fixture commune submitted 6 of the commune data items; the missing ones are listed in catalogue order.
        let commune = try #require(try row(RollupFixture.communes[0], "commune-data-2024", 2024))
        #expect(commune.1 == 6)
        #expect(commune.0 - commune.1 == commune.2.count && commune.2.first == "1.1")
        // 004 has no scope: it is expected in Bắc Giang, where it is used, and not from Hà Nội's districts.
        #expect(try row("ha-noi.ba-dinh", "bac-giang-district-2022", 2024) == nil)
        #expect(try row(RollupFixture.peerY, "bac-giang-district-2022", 2024) != nil)
        #expect(try f.scalar("SELECT count(*) FROM dti.v_submission_status WHERE catalogue_id = 'commune-data-2024' AND year = 2024", as: Int.self) == 22)
        // The command prints the same, as a table.
        let r = try DTIProcess.run(["status", "--year", "2022"], conninfo: f.database.conninfo)
        #expect(r.status == 0)
        #expect(r.text.contains("thanh-hoa.yen-dinh") && r.text.contains("thanh-hoa-district-2022"))
    }
}
