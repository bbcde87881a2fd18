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

@Suite("Submission status: the set-based view gives what the per-unit one gave", .serialized)
struct StatusEquivalenceTests {
    /// The view's rows as the definition of before gave them: its columns, in the years somebody submitted to the catalogue
    /// (a scoped catalogue is now owed in every year it is valid, and deadline_date and overdue were added: issue 15 point 6).
    static let comparable = """
        SELECT s.unit_code, s.unit_name, s.year, s.catalogue_id, s.expected, s.submitted, s.missing, s.last_loaded_at, s.deadline
          FROM dti.v_submission_status s
         WHERE EXISTS (SELECT 1 FROM dti.submission_sheets x JOIN dti.catalogue_items i ON i.item_id = x.item_ids[1]
                        WHERE i.catalogue_id = s.catalogue_id AND x.year = s.year)
        """

    @Test("v_submission_status: the same rows as the definition that called unit_ancestry per unit and per sheet, for the owner and for a district login")
    func sameAsBefore() throws {
        let f = try HistoryFixture.make("status-same")
        let d = try ReaderReference.difference(f.db, new: Self.comparable, reference: ReaderReference.submissionStatus)
        #expect(d.onlyNew.isEmpty && d.onlyReference.isEmpty, "new \(d.onlyNew), before \(d.onlyReference)")
        #expect(d.count == d.referenceCount && d.count > 25)
        // Rows with something missing, derived values and two provinces are among them.
        #expect(try f.scalar("SELECT count(DISTINCT split_part(unit_code, '.', 1)) FROM dti.v_submission_status", as: Int.self) >= 2)
        #expect(try f.scalar("SELECT count(*) FROM dti.v_submission_status WHERE cardinality(missing) > 0 AND submitted > 0", as: Int.self) > 0)

        // A district login: the rows of its own units, the same as the owner's, and the same as before for it too.
        let role = "t_status_" + UUID().uuidString.prefix(8).lowercased()
        _ = try Logins(connection: f.db).create(role: role, kind: .district, district: RollupFixture.district, password: WarehouseFixture.password(role))
        let c = try PostgresConnection(conninfo: try f.conninfo(as: role))
        defer { c.close(); try? f.db.simpleQuery("DROP OWNED BY \"\(role)\"; DROP ROLE IF EXISTS \"\(role)\"") }
        let own = [RollupFixture.district] + RollupFixture.communes
        let mine = try c.query("SELECT x::text AS r FROM dti.v_submission_status x ORDER BY 1").map { try $0["r"].decode(String.self) }
        let owners = try f.db.query("SELECT x::text AS r FROM dti.v_submission_status x WHERE unit_code = ANY(\(own)) ORDER BY 1")
            .map { try $0["r"].decode(String.self) }
        #expect(mine == owners && !mine.isEmpty)
        // The definition of before, as a view of the view owner's (it reads dti.load_batches, which a login may not).
        try f.db.simpleQuery("""
            CREATE VIEW dti.test_status_before AS \(ReaderReference.submissionStatus);
            ALTER VIEW dti.test_status_before OWNER TO dti_viewer; GRANT SELECT ON dti.test_status_before TO dti_district
            """)
        let dl = try ReaderReference.difference(c, new: Self.comparable, reference: "SELECT * FROM dti.test_status_before")
        #expect(dl.onlyNew.isEmpty && dl.onlyReference.isEmpty && dl.count == mine.count, "new \(dl.onlyNew), before \(dl.onlyReference)")
    }
}
