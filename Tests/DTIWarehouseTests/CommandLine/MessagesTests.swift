import DTITestSupport
import DTIWarehouse
import Foundation
import Testing

/// Messages that help, through the `dti` binary as district staff run it.
@Suite("Messages: unknown names with close matches, years that exist, unwritable paths, the parser in Vietnamese", .serialized)
struct MessagesTests {
    @Test("An unknown unit is named unknown with close matches; a year with no data lists the years there are; history exits 1")
    func unknownNamesAndYears() throws {
        let f = try ExportFixture.make("msg-names")
        let db = f.database.conninfo
        let typo = try DTIProcess.run(["export", "--unit", "bac-giang.tan-yenn", "--years", "2024", "--format", "table"], conninfo: db)
        #expect(typo.status == 1, "\(typo.text)")
        #expect(typo.text.contains("không có đơn vị 'bac-giang.tan-yenn'") && typo.text.contains("có phải 'bac-giang.tan-yen'"), "\(typo.text)")
        let en = try DTIProcess.run(["export", "--unit", "bac-giang.tan-yenn", "--years", "2024", "--format", "table", "--lang", "en"], conninfo: db)
        #expect(en.text.contains("unknown unit 'bac-giang.tan-yenn'") && en.text.contains("did you mean 'bac-giang.tan-yen'"), "\(en.text)")

        let year = try DTIProcess.run(["export", "--unit", "bac-giang.tan-yen", "--years", "2019", "--format", "table"], conninfo: db)
        #expect(year.status == 1)
        #expect(year.text.contains("không có kết quả năm 2019") && year.text.contains("có kết quả các năm: 2022, 2023, 2024"), "\(year.text)")

        let history = try DTIProcess.run(["history", "--unit", "bac-giang.tan-yenn", "--indicator", "1.4"], conninfo: db)
        #expect(history.status == 1, "\(history.text)")
        #expect(history.text.contains("có phải 'bac-giang.tan-yen'"), "\(history.text)")
        let indicator = try DTIProcess.run(["history", "--unit", "bac-giang.tan-yen", "--indicator", "1.44", "--catalogue", "bac-giang-district-2022"], conninfo: db)
        #expect(indicator.status == 1 && indicator.text.contains("không có chỉ số '1.44'") && indicator.text.contains("có phải"), "\(indicator.text)")
        let catalogue = try DTIProcess.run(["template", "--catalogue", "bac-giang-district-2021", "--format", "csv"], conninfo: db)
        #expect(catalogue.status == 1 && catalogue.text.contains("có phải 'bac-giang-district-2022'"), "\(catalogue.text)")
        let score = try DTIProcess.run(["score", "--catalogue", "bac-giang-district-2021", "--input", "x.csv"], conninfo: "")
        #expect(score.status == 1 && score.text.contains("có phải 'bac-giang-district-2022'"), "\(score.text)")
        let show = try DTIProcess.run(["catalogue", "show", "commune-data-2042"], conninfo: db)
        #expect(show.status == 1 && show.text.contains("không có bộ chỉ số 'commune-data-2042'") && show.text.contains("có phải 'commune-data-2024'"), "\(show.text)")
        let known = try DTIProcess.run(["history", "--unit", "bac-giang.tan-yen", "--indicator", "1.4"], conninfo: db)
        #expect(known.status == 0, "\(known.text)")
    }

    @Test("An output path that cannot be written: a clear message and exit 1, no NSCocoaErrorDomain")
    func unwritable() throws {
        let f = try ExportFixture.make("msg-path")
        let file = try f.file("a-file.txt", "not a folder\n")
        for format in ["csv", "xlsx", "html"] {
            let r = try DTIProcess.run(["export", "--unit", "bac-giang.tan-yen", "--years", "2024", "--format", format, "--out", file + "/report"],
                                       conninfo: f.database.conninfo)
            #expect(r.status == 1, "\(format): \(r.text)")
            #expect(r.text.contains("là một tệp, không phải thư mục") && r.text.contains("--out"), "\(r.text)")
            #expect(!r.text.contains("NSCocoaErrorDomain") && !r.text.contains("Code="), "\(r.text)")
        }
        let dir = f.scratch + "/is-a-dir.csv"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let r = try DTIProcess.run(["export", "--unit", "bac-giang.tan-yen", "--years", "2024", "--format", "csv", "--out", f.scratch + "/is-a-dir"],
                                   conninfo: f.database.conninfo)
        #expect(r.status == 1 && r.text.contains("là một thư mục"), "\(r.text)")
    }

    @Test("Argument-parser errors and help are in Vietnamese by default and in English with --lang en")
    func parserLanguage() throws {
        let missing = try DTIProcess.run(["export", "--unit", "x", "--format", "csv"], conninfo: "")
        #expect(missing.status == 1)
        #expect(missing.text.contains("Lỗi: thiếu tham số bắt buộc '--years <years>'"), "\(missing.text)")
        #expect(missing.text.contains("Cách dùng:") && !missing.text.contains("Missing expected argument"), "\(missing.text)")
        let english = try DTIProcess.run(["export", "--unit", "x", "--format", "csv", "--lang", "en"], conninfo: "")
        #expect(english.status == 1 && english.text.contains("Error: Missing expected argument '--years <years>'"), "\(english.text)")
        let value = try DTIProcess.run(["export", "--unit", "x", "--years", "2024", "--format", "pdf"], conninfo: "")
        #expect(value.status == 1 && value.text.contains("giá trị 'pdf' không hợp lệ cho '--format <format>'") && value.text.contains("'html' hoặc 'table'"), "\(value.text)")
        let unknown = try DTIProcess.run(["rollup", "--year", "2024", "--frobnicate"], conninfo: "")
        #expect(unknown.status == 1 && unknown.text.contains("không có tùy chọn '--frobnicate'"), "\(unknown.text)")
        let help = try DTIProcess.run(["export", "--help"], conninfo: "")
        #expect(help.status == 0 && help.text.contains("CÁCH DÙNG: dti export") && help.text.contains("TÙY CHỌN:") && help.text.contains("Hiện trợ giúp này."), "\(help.text)")
        let helpEn = try DTIProcess.run(["export", "--help", "--lang", "en"], conninfo: "")
        #expect(helpEn.status == 0 && helpEn.text.contains("USAGE: dti export") && helpEn.text.contains("OPTIONS:"), "\(helpEn.text)")
    }
}
