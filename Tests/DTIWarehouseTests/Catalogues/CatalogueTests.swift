import DTICore
import DTITestSupport
import DTIWarehouse
import Foundation
import PostgresClient
import Testing

@Suite("Catalogues: lint, load, versions, dti score", .serialized)
struct CatalogueTests {
    static let broken = TestServer.repositoryRoot + "/Tests/DTIWarehouseTests/Fixtures/catalogues/broken-district-2022.yaml"

    @Test("Lint reports every mistake of the broken fixture with file:line:column")
    func lintBroken() throws {
        let checked = CatalogueFiles.check(path: Self.broken)
        let found = checked.diagnostics.filter { $0.severity == .error }.map { "\($0.position.line):\($0.position.column) \($0.message.code)" }
        #expect(found == [
            "19:22 catalogue.unknown_rule", "19:34 catalogue.unknown_field", "20:9 lint.undeclared_variable", "26:9 lint.duplicate_code",
            "30:9 lint.missing_max", "33:9 lint.children_sum",
        ])
        let r = try DTIProcess.run(["catalogue", "lint", Self.broken], conninfo: "")
        #expect(r.status == 2)
        #expect(r.text.contains("broken-district-2022.yaml:20:9: lỗi: chỉ số 1.2: quy tắc dùng biến 'b' nhưng biến chưa được khai báo trong 'variables'"))
        #expect(r.text.contains("1 tệp, 6 lỗi"))
    }

    @Test("dti catalogue load refuses a file with errors and changes nothing, even when loaded with good files")
    func loadRefuses() throws {
        let f = try WarehouseFixture("cat-refuse")
        let before = try f.footprint()
        let r = try DTIProcess.run(["catalogue", "load", f.home.catalogues + "/thanh-hoa-district-2022.yaml", Self.broken], conninfo: f.database.conninfo)
        #expect(r.status == 2, "\(r.text)")
        #expect(try f.footprint() == before)
        #expect(try f.count("dti.catalogues") == 0)
    }

    @Test("Every shipped catalogue loads; loading again changes nothing; an edited file becomes version 2 and old scores keep version 1")
    func versions() throws {
        let f = try WarehouseFixture("cat-versions")
        let store = CatalogueStore(connection: f.db)
        let all = try FileManager.default.contentsOfDirectory(atPath: f.home.catalogues).filter { $0.hasSuffix(".yaml") }.sorted()
        #expect(all.count == 7)
        let first = try store.load(paths: all.map { f.home.catalogues + "/" + $0 })
        #expect(first.count == all.count && first.allSatisfy { $0.changed && $0.version == 1 }, "allSatisfy of nothing is true")
        let again = try store.load(paths: all.map { f.home.catalogues + "/" + $0 })
        #expect(again.count == all.count && again.allSatisfy { !$0.changed && $0.version == 1 })

        _ = try SubmissionLoader(connection: f.db).load(path: f.home.reference + "/yen-dinh-2022.csv", options: .init(stage: .final))
        _ = try Rollup(connection: f.db).run(province: "thanh-hoa", year: 2022, stage: .final)
        let v1 = try f.scalar("SELECT DISTINCT version_id FROM dti.indicator_scores WHERE catalogue_id = 'thanh-hoa-district-2022'", as: Int.self)

        let edited = try String(contentsOfFile: f.home.catalogues + "/thanh-hoa-district-2022.yaml", encoding: .utf8)
            .replacingOccurrences(of: "name: \"Nhận thức số\"", with: "name: \"Nhận thức số (sửa)\"")
        let path = try f.file("thanh-hoa-district-2022.yaml", edited)
        let second = try store.load(paths: [path])
        #expect(second.count == 1 && second[0].changed && second[0].version == 2 && second[0].versionId != v1)
        #expect(try f.scalar("SELECT DISTINCT version_id FROM dti.indicator_scores WHERE catalogue_id = 'thanh-hoa-district-2022'", as: Int.self) == v1,
                "scores computed before keep pointing at the version they used")
        _ = try Rollup(connection: f.db).run(province: "thanh-hoa", year: 2022, stage: .final)
        #expect(try f.scalar("SELECT DISTINCT pillar_name FROM dti.v_pillar_scores WHERE pillar_code = '1'", as: String.self) == "Nhận thức số (sửa)")
    }

    @Test("dti score (no database) reproduces Yên Định's published 2022 totals from its points")
    func scoreYenDinh() throws {
        let input = TestServer.repositoryRoot + "/etl/reference/yen-dinh-2022.csv"
        let json = try DTIProcess.run(["score", "--catalogue", "thanh-hoa-district-2022", "--input", input, "--format", "json"],
                                      conninfo: "host=/nonexistent dbname=none")
        #expect(json.status == 0, "\(json.text)")
        let body = json.text[json.text.firstIndex(of: "[")!...]
        let units = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [[String: Any]])
        #expect(units.count == 1)
        // Compare as text so the exact decimals are checked, not a binary double.
        #expect(body.contains("\"points\":891.195,"))
        for (pillar, points) in zip(1...8, ["83.125", "100", "95", "92.85", "95", "184.08", "136.74", "104.4"]) {
            #expect(body.contains("{\"pillar\":\"\(pillar)\",\"points\":\(points),"), "pillar \(pillar)")
        }
        let csv = try DTIProcess.run(["score", "--catalogue", "thanh-hoa-district-2022", "--input", input], conninfo: "host=/nonexistent dbname=none")
        let lines = csv.text.split(separator: "\n")
        #expect(lines.first == "unit_code,year,catalogue,indicator,points,max_points")
        #expect(lines.contains("thanh-hoa.yen-dinh,2022,thanh-hoa-district-2022,4.4,2.85,10"))
        #expect(lines.contains("thanh-hoa.yen-dinh,2022,thanh-hoa-district-2022,1.2,18.125,20"))
    }
}
