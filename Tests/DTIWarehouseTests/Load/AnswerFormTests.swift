import DTICore
import DTITestSupport
import DTIWarehouse
import Foundation
import PostgresClient
import Testing

/// Issue 15 point 4 (last bullet): yes/no and choice answers stored in one form whatever their case or diacritics.
@Suite("dti load: answers in one canonical form", .serialized)
struct AnswerFormTests {
    static let header = "unit_code,year,catalogue,indicator,variable,value,evidence,stage\n"
    static let x1 = TanYenFixture.communes[0]

    @Test("\"co\", \"Có\", \"CÓ\" are one answer: stored as \"có\", a re-submission in another case is unchanged; a choice label in any case is its code")
    func canonical() throws {
        let f = try WarehouseFixture("answers", catalogues: ["unit-profile", "commune-data-2024", "bac-giang-district-2022"])
        try f.units(TanYenFixture.unitsCSV)
        let loader = SubmissionLoader(connection: f.db)
        let first = try f.file("a.csv", Self.header + "\(Self.x1),2024,commune-data-2024,3.6,answer,co,,\n"
                               + "bac-giang.tan-yen,2024,bac-giang-district-2022,1.1,answer,TRƯỞNG BAN LÀ BÍ THƯ/CHỦ TỊCH HUYỆN,,\n")
        let r1 = try loader.load(path: first)
        #expect(r1.committed && r1.accepted == 2, "\(r1.rejected.map(\.message.vi))")
        for (n, typed) in ["Có", "CÓ", "có"].enumerated() {
            let again = try f.file("b\(n).csv", Self.header + "\(Self.x1),2024,commune-data-2024,3.6,answer,\(typed),,\n"
                                   + "bac-giang.tan-yen,2024,bac-giang-district-2022,1.1,answer,Truong ban la bi thu/chu tich huyen,,\n")
            let r = try loader.load(path: again)
            #expect(r.committed && r.accepted == 0 && r.unchanged == 2, "\(typed): \(r.rejected.map(\.message.vi))")
        }
        let texts = try f.db.query("SELECT value_text FROM dti.submission_values ORDER BY value_id").map { try $0["value_text"].decode(String.self) }
        #expect(texts == ["có", "chu-tich"])
        #expect(try StatusQuery(connection: f.db).history(unit: Self.x1, indicator: "3.6").count == 1)
    }
}
