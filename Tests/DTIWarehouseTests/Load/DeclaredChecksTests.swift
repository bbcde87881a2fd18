import DTICore
import DTITestSupport
import DTIWarehouse
import Foundation
import PostgresClient
import Testing

/// Declared checks (`checks:`), constants and aliases of the shipped catalogues, as `dti load` applies them; fixtures
/// from the sources' wording (004's 1.2.1 and 3.6, 003's commune sheet).
@Suite("dti load: declared checks, constants and aliases", .serialized)
struct DeclaredChecksTests {
    static let header = "unit_code,year,catalogue,indicator,variable,value,evidence,stage\n"
    static let district = "bac-giang.tan-yen"
    static let x1 = TanYenFixture.communes[0]
    static let b = "bac-giang-district-2022"

    func fixture(_ prefix: String) throws -> WarehouseFixture {
        let f = try WarehouseFixture(prefix, catalogues: ["unit-profile", "commune-data-2024", Self.b])
        try f.units(TanYenFixture.unitsCSV)
        return f
    }

    @Test("004 1.2.1: a = meetings the leader attended, b = all such meetings; a = 9, b = 4 is refused naming the check and both values")
    func partOfTotal() throws {
        let f = try fixture("checks-121")
        let bad = try f.file("121.csv", Self.header + "\(Self.district),2022,\(Self.b),1.2.1,a,9,,\n\(Self.district),2022,\(Self.b),1.2.1,b,4,,\n")
        let before = try f.footprint()
        let r = try DTIProcess.run(["load", bad], conninfo: f.database.conninfo)
        #expect(r.status == 2, "\(r.text)")
        #expect(r.text.contains("\(bad):2: đơn vị bac-giang.tan-yen, chỉ số 1.2.1, biến a: không đạt phép kiểm tra 'a <= b' của chỉ số 1.2.1: a = 9, b = 4"), "\(r.text)")
        #expect(try f.footprint() == before)
        let en = try DTIProcess.run(["load", "--dry-run", "--lang", "en", bad], conninfo: f.database.conninfo)
        #expect(en.status == 2)
        #expect(en.text.contains("fails the check 'a <= b' of indicator 1.2.1: a = 9, b = 4"), "\(en.text)")
        // b = 4 loaded first, then a = 9 on its own: the check reads b's current value.
        let good = try f.file("121b.csv", Self.header + "\(Self.district),2022,\(Self.b),1.2.1,a,3,,\n\(Self.district),2022,\(Self.b),1.2.1,b,4,,\n")
        #expect(try DTIProcess.run(["load", good], conninfo: f.database.conninfo).status == 0)
        let correction = try f.file("121c.csv", Self.header + "\(Self.district),2022,\(Self.b),1.2.1,a,9,,\n")
        let c = try SubmissionLoader(connection: f.db).load(path: correction)
        #expect(!c.committed && c.rejected.map(\.code) == ["check.failed"])
        #expect(c.rejected.first?.message.vi.hasSuffix("a = 9, b = 4") == true)
    }

    @Test("004 3.6: b = 7 is fixed by the source and d = a; a value for either is refused; c <= d reads a; the score uses b = 7")
    func constantAndAlias() throws {
        let f = try fixture("checks-36")
        let path = try f.file("36.csv", Self.header + "\(Self.district),2022,\(Self.b),3.6,a,5,,\n\(Self.district),2022,\(Self.b),3.6,b,29891,,\n"
                              + "\(Self.district),2022,\(Self.b),3.6,c,6,,\n\(Self.district),2022,\(Self.b),3.6,d,5,,\n")
        let r = try SubmissionLoader(connection: f.db).load(path: path)
        #expect(!r.committed)
        #expect(r.rejected.map { "\($0.ref) \($0.code)" } == ["3 variable.constant", "4 check.failed", "5 variable.alias"])
        #expect(r.rejected[0].message.vi.contains("là hằng số nguồn quy định (b = 7)"), "\(r.rejected[0].message.vi)")
        #expect(r.rejected[1].message.vi.hasSuffix("không đạt phép kiểm tra 'c <= d' của chỉ số 3.6: c = 6, d = 5"), "\(r.rejected[1].message.vi)")
        #expect(r.rejected[2].message.vi.contains("được định nghĩa là a (d = a)"), "\(r.rejected[2].message.vi)")
        let ok = try f.file("36ok.csv", Self.header + "\(Self.district),2022,\(Self.b),3.6,a,5,,\n\(Self.district),2022,\(Self.b),3.6,c,3,,\n")
        #expect(try SubmissionLoader(connection: f.db).load(path: ok).committed)
        // The template offers neither b nor d.
        let catalogue = try CatalogueStore(connection: f.db).catalogue(Self.b).catalogue
        let inputs = catalogue.indicator("3.6")!.variables.filter(\.isInput).map(\.name)
        #expect(inputs == ["a", "c"])
    }

    @Test("a warning loads, is listed in the summary and in v_check_warnings while its values are current; the roll-up's mismatch is there too")
    func warnings() throws {
        let f = try RollupFixture.make("checks-warn")
        // 7.1 (warning): the digital economy's value added a is part of GRDP b.
        let path = try f.file("71.csv", Self.header + "\(Self.district),2024,\(Self.b),7.1,a,50,,\n\(Self.district),2024,\(Self.b),7.1,b,40,,\n"
                              + "\(Self.district),2024,\(Self.b),6.5,a,2000,,\n")
        let r = try DTIProcess.run(["load", path], conninfo: f.database.conninfo)
        #expect(r.status == 0, "\(r.text)")
        #expect(r.text.contains("\(path):2: đơn vị bac-giang.tan-yen, chỉ số 7.1, biến a: cảnh báo: không đạt phép kiểm tra 'a <= b' của chỉ số 7.1: a = 50, b = 40"), "\(r.text)")
        let rows = try f.db.query("SELECT source, indicator_code, check_expression, left_side, right_side FROM dti.v_check_warnings WHERE source = 'check'")
        #expect(rows.count == 1)
        #expect(try rows.first?["left_side"].decode(String.self) == "a = 50")
        #expect(try rows.first?["right_side"].decode(String.self) == "b = 40")
        // The district's own 6.5 a = 2000 against the 2200 of its communes: the roll-up lists the mismatch.
        _ = try Rollup(connection: f.db).run(province: "bac-giang", year: 2024, stage: .selfAssessment)
        let rollup = try f.db.query("SELECT indicator_code, variable, left_side, right_side FROM dti.v_check_warnings WHERE source = 'rollup'")
        #expect(try rollup.map { "\(try $0["indicator_code"].decode(String.self)).\(try $0["variable"].decode(String?.self) ?? "")" }.contains("6.5.a"),
                "\(rollup.count)")
        // A correction of a: the warning's values are no longer current, so it leaves the view.
        let fixed = try f.file("71b.csv", Self.header + "\(Self.district),2024,\(Self.b),7.1,a,30,,\n")
        // (through the binary, a new session: sheet ids come from a sequence with CACHE 100, so a session that
        // loaded earlier could hand out smaller ids than the binary's; see the report)
        let corrected = try DTIProcess.run(["load", fixed], conninfo: f.database.conninfo)
        #expect(corrected.status == 0 && !corrected.text.contains("cảnh báo"), "\(corrected.text)")
        #expect(try f.count("dti.v_check_warnings WHERE source = 'check'") == 0)
    }

    @Test("003's commune sheet: 6.3 b + c <= a refused; 3.5 a <= profile.households a warning read from the commune's profile")
    func communeSheet() throws {
        let f = try fixture("checks-003")
        let profile = try f.file("p.csv", Self.header + "\(Self.x1),2024,unit-profile,households,value,100,,\n")
        #expect(try SubmissionLoader(connection: f.db).load(path: profile).committed)
        let path = try f.file("c.csv", Self.header + "\(Self.x1),2024,commune-data-2024,6.3,a,10,,\n\(Self.x1),2024,commune-data-2024,6.3,b,6,,\n"
                              + "\(Self.x1),2024,commune-data-2024,6.3,c,5,,\n\(Self.x1),2024,commune-data-2024,3.5,a,120,,\n")
        let r = try SubmissionLoader(connection: f.db).load(path: path, options: .init(partial: true))
        #expect(r.rejected.map { "\($0.ref) \($0.code)" } == ["3 check.failed"])
        #expect(r.rejected.first?.message.vi.hasSuffix("không đạt phép kiểm tra 'b + c <= a' của chỉ số 6.3: b+c = 11, a = 10") == true,
                "\(r.rejected.first?.message.vi ?? "")")
        #expect(r.warnings.map(\.check) == ["a <= profile.households"])
        #expect(r.warnings.first?.message.vi.hasSuffix("a = 120, profile.households = 100") == true, "\(r.warnings.first?.message.vi ?? "")")
    }
}
