import DTICore
import DTIFormats
import DTITestSupport
import DTIWarehouse
import Foundation
import PostgresClient
import Testing

/// `dti status` lists who owes data, not only who sent some (issue 15, point 6), through the `dti` binary run by an
/// ETL login (the ICT department's): every unit a scoped catalogue expects, the deadline from the catalogue, overdue
/// flags, `--under` at any level, `--format csv`.
@Suite("dti status: every unit that owes data, deadlines, overdue, --under, --format csv", .serialized)
struct OwedStatusTests {
    func fixture(_ prefix: String) throws -> (WarehouseFixture, String) {
        let f = try WarehouseFixture(prefix, catalogues: ["hanoi-district-2024", "hanoi-city-2024", "huong-huu-agencies-2024"])
        let role = "t_etl_" + UUID().uuidString.prefix(8).lowercased()
        _ = try Logins(connection: f.db).create(role: role, kind: .etl, district: nil, password: WarehouseFixture.password(role))
        return (f, try f.conninfo(as: role))
    }

    static func csvRows(_ text: String) throws -> [[String: String]] {
        let path = NSTemporaryDirectory() + "status-\(UUID().uuidString.prefix(6)).csv"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        var reader = try CSVReader(path: path)
        guard let header = try reader.next()?.fields else { return [] }
        var out: [[String: String]] = []
        while let r = try reader.next() { out.append(Dictionary(uniqueKeysWithValues: zip(header, r.fields))) }
        return out
    }

    @Test("nobody in Hà Nội has submitted for 2024: its 30 districts still owe hanoi-district-2024, each listed with what it owes")
    func owedWithoutSubmissions() throws {
        let (f, etl) = try fixture("status-owed")
        #expect(try f.count("dti.submission_sheets") == 0)
        let r = try DTIProcess.run(["status", "--year", "2024", "--under", "ha-noi", "--catalogue", "hanoi-district-2024", "--format", "csv"], conninfo: etl)
        #expect(r.status == 0, "\(r.text)")
        #expect(!r.text.contains("không có bộ chỉ số nào"), "\(r.text)")
        let rows = try Self.csvRows(r.text)
        let districts = try f.scalar("SELECT count(*) FROM dti.units WHERE parent_code = 'ha-noi' AND level = 'district'", as: Int.self)
        #expect(districts == 30)
        #expect(rows.count == districts, "\(rows.count) rows")
        #expect(rows.allSatisfy { $0["submitted"] == "0" && $0["expected"] != "0" && $0["catalogue_id"] == "hanoi-district-2024" })
        #expect(rows.contains { $0["unit_code"] == "ha-noi.ba-dinh" })
        // The table says the same.
        let table = try DTIProcess.run(["status", "--year", "2024", "--under", "ha-noi"], conninfo: etl)
        #expect(table.status == 0 && table.text.contains("ha-noi.ba-dinh") && table.text.contains("hanoi-city-2024"), "\(table.text)")
        // --under at a district: that district only.
        let one = try Self.csvRows(try DTIProcess.run(["status", "--year", "2024", "--under", "ha-noi.ba-dinh", "--format", "csv"], conninfo: etl).text)
        #expect(one.map { $0["unit_code"] } == ["ha-noi.ba-dinh"], "\(one)")
        // A year outside the catalogue's validity owes nothing.
        let before = try Self.csvRows(try DTIProcess.run(["status", "--year", "2023", "--under", "ha-noi", "--format", "csv"], conninfo: etl).text)
        #expect(before.isEmpty)
    }

    @Test("the deadline comes from the catalogue (000: 'trước 11/11 của năm hiện tại'), and units still missing data after it are overdue; --under at a commune")
    func deadlineAndOverdue() throws {
        let (f, etl) = try fixture("status-deadline")
        let commune = "thua-thien-hue.nam-dong.huong-huu"
        let r = try DTIProcess.run(["status", "--year", "2024", "--under", commune, "--format", "csv"], conninfo: etl)
        #expect(r.status == 0, "\(r.text)")
        let rows = try Self.csvRows(r.text)
        let agencies = try f.scalar("SELECT count(*) FROM dti.units WHERE parent_code = \(commune) AND level = 'department'", as: Int.self)
        #expect(rows.count == agencies && agencies > 0, "\(rows)")
        #expect(rows.allSatisfy { $0["deadline"] == "trước 11/11 của năm hiện tại" && $0["deadline_date"] == "2024-11-11" }, "\(rows)")
        #expect(rows.allSatisfy { $0["overdue"] == "true" }, "nothing submitted and 11/11/2024 has passed")
        let table = try DTIProcess.run(["status", "--year", "2024", "--under", commune], conninfo: etl)
        #expect(table.text.contains("QUÁ HẠN") && table.text.contains("\(agencies) quá hạn"), "\(table.text)")
        // A unit that has submitted everything is not overdue.
        let overdue = try f.scalar("""
            SELECT count(*) FROM dti.v_submission_status WHERE year = 2024 AND overdue AND submitted = expected
            """, as: Int.self)
        #expect(overdue == 0)
    }
}
