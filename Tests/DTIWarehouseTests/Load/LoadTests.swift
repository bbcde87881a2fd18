import DTICore
import DTIFormats
import DTITestSupport
import DTIWarehouse
import Foundation
import PostgresClient
import Testing

/// One file of the bad-input corpus and what `dti load` must say about it.
struct BadInput: CustomTestStringConvertible, Sendable {
    enum Expect: Sendable {
        /// every record named is refused with exactly this message; nothing is written
        case rejects([(ref: String, code: String, vi: String)])
        /// the whole file is refused before any record is read
        case fileError(code: String?, vi: String)
        /// not an error: the records load
        case accepted(Int)
    }
    let file: String
    let expect: Expect
    var testDescription: String { file }
}

@Suite("dti load: the bad-input corpus", .serialized)
struct BadInputTests {
    static let unit = "bac-giang.tan-yen.xa-kiem-thu-01"
    static let at = "đơn vị bac-giang.tan-yen.xa-kiem-thu-01, chỉ số 3.5, biến a"

    static let corpus: [BadInput] = [
        BadInput(file: "01-unknown-unit.csv", expect: .rejects([("2", "unit.unknown", "đơn vị 'bac-giang.tan-yen.xa-khong-co' không có trong danh mục đơn vị (dti units list)")])),
        BadInput(file: "02-unknown-indicator.csv", expect: .rejects([("2", "indicator.unknown", "bộ chỉ số commune-data-2024 không có chỉ số '3.99'")])),
        BadInput(file: "03-unknown-variable.csv", expect: .rejects([("2", "variable.unknown", "chỉ số 3.5 không có biến 'z', cần một trong: a")])),
        BadInput(file: "04-level-mismatch.csv", expect: .rejects([("2", "unit.level", "đơn vị bac-giang.tan-yen là cấp district, bộ chỉ số commune-data-2024 dành cho cấp commune")])),
        BadInput(file: "05-year-outside.csv", expect: .rejects([("2", "year.outside", "năm 2021 ngoài thời gian hiệu lực của bộ chỉ số commune-data-2024 (2022–2024)")])),
        BadInput(file: "06-not-a-number.csv", expect: .rejects([("2", "value.not_number", "\(at): 'nhiều' không phải là số (ví dụ 12 hoặc 0,5)")])),
        BadInput(file: "07-negative.csv", expect: .rejects([("2", "value.negative", "\(at): giá trị âm -5 không được phép")])),
        BadInput(file: "08-a-greater-than-b.csv", expect: .rejects([("2", "value.ratio_over_one",
            "đơn vị bac-giang.tan-yen, chỉ số 3.4, biến a: a = 25 lớn hơn b = 22, quy tắc không cho tỷ lệ vượt 100%")])),
        BadInput(file: "09-duplicate-key.csv", expect: .rejects([("3", "key.duplicate", "\(at): trùng khóa với bản ghi ở 2 trong cùng tệp")])),
        BadInput(file: "10-windows-1258.csv", expect: .fileError(code: "csv.utf8",
            vi: ":2:68: tệp không phải UTF-8 hợp lệ: byte không hợp lệ ở vị trí 132 (dòng 2, cột 68); hãy lưu tệp dạng CSV UTF-8")),
        BadInput(file: "11-empty.csv", expect: .fileError(code: "csv.empty", vi: ":1: tệp rỗng, cần dòng tiêu đề unit_code,year,catalogue,indicator,variable,value,evidence,stage")),
        BadInput(file: "12-header-only.csv", expect: .fileError(code: nil, vi: ":2: không có bản ghi nào (tệp rỗng hoặc chỉ có dòng tiêu đề)")),
        BadInput(file: "13-huge-number.csv", expect: .rejects([("2", "value.too_large",
            "\(at): '123456789012345678901234567890' quá lớn hoặc quá nhiều chữ số (tối đa 15 chữ số phần nguyên, 30 chữ số có nghĩa)")])),
        BadInput(file: "14-crlf-is-fine.csv", expect: .accepted(2)),
        BadInput(file: "15-bad-header.csv", expect: .fileError(code: "csv.header",
            vi: ":1: dòng tiêu đề cần unit_code,year,catalogue,indicator,variable,value,evidence,stage; thiếu: unit_code; cột lạ: unit")),
        BadInput(file: "16-bad-stage.csv", expect: .rejects([("2", "stage.invalid", "giai đoạn 'round3' không hợp lệ, cần một trong: self, round1, round2, final")])),
        BadInput(file: "17-not-yes-no.csv", expect: .rejects([("2", "value.not_yesno",
            "đơn vị bac-giang.tan-yen.xa-kiem-thu-01, chỉ số 3.6, biến answer: 'có lẽ' không phải câu trả lời có/không (có, không, 1, 0)")])),
        BadInput(file: "18-not-an-option.csv", expect: .rejects([("2", "value.not_choice",
            "đơn vị bac-giang.tan-yen, chỉ số 1.1, biến answer: 'giam-doc' không phải một lựa chọn hợp lệ: chu-tich, trưởng ban là bí thư/chủ tịch huyện, pho-chu-tich, trưởng ban là phó bí thư/phó chủ tịch huyện, khong, chưa có ban chỉ đạo hoặc có nhưng trưởng ban không phải lãnh đạo tỉnh")])),
        BadInput(file: "19-unknown-catalogue.csv", expect: .rejects([("2", "catalogue.unknown", "bộ chỉ số 'commune-data-2099' chưa được nạp (dti catalogue list)")])),
        BadInput(file: "20-broken.json", expect: .fileError(code: "json.syntax", vi: ":2: JSON không hợp lệ ở byte 200: the JSON ends inside an object")),
        BadInput(file: "21-too-many-fields.csv", expect: .rejects([("2", "fields.count", "dòng có 9 cột, dòng tiêu đề có 8")])),
        BadInput(file: "22-count-not-whole.csv", expect: .rejects([("2", "value.not_whole", "\(at): '12.5' phải là số nguyên (đây là số lượng)")])),
        // A blank value is "not answered" (issue 15 point 5): neither refused nor written.
        BadInput(file: "23-empty-value.csv", expect: .accepted(0)),
        BadInput(file: "24-parent-indicator.csv", expect: .rejects([("2", "indicator.parent",
            "chỉ số 1.2 là tổng của các chỉ số con (1.2.1, 1.2.2): nhập số liệu cho từng chỉ số con")])),
        // One reason per record, the first a person would fix; a repeated key is named only when nothing else is wrong
        // (line 5 repeats line 4's key, but its indicator is unknown); the same key at another stage is no repeat.
        BadInput(file: "25-several-reasons.csv", expect: .rejects([
            ("2", "value.negative", "\(at): giá trị âm -5 không được phép"),
            ("3", "key.duplicate", "\(at): trùng khóa với bản ghi ở 2 trong cùng tệp"),
            ("4", "indicator.unknown", "bộ chỉ số commune-data-2024 không có chỉ số '3.99'"),
            ("5", "indicator.unknown", "bộ chỉ số commune-data-2024 không có chỉ số '3.99'"),
            ("6", "unit.unknown", "đơn vị 'bac-giang.tan-yen.xa-khong-co' không có trong danh mục đơn vị (dti units list)"),
        ])),
        BadInput(file: "26-not-an-xlsx.xlsx", expect: .fileError(code: "xlsx.corrupt", vi: ": tệp XLSX hỏng hoặc không đúng định dạng: không đọc được tệp nén (zip)")),
    ]

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/bad-inputs").path

    @Test(arguments: corpus)
    func badInput(_ input: BadInput) throws {
        Say.language = .vi
        let f = try WarehouseFixture("bad", catalogues: ["unit-profile", "commune-data-2024", "bac-giang-district-2022"])
        try f.units(TanYenFixture.unitsCSV)
        let before = try f.footprint()
        let path = Self.fixtures + "/" + input.file
        switch input.expect {
        case .rejects(let expected):
            let report = try SubmissionLoader(connection: f.db).load(path: path)
            #expect(!report.committed, "\(input.file) must load nothing")
            #expect(report.rejected.count == expected.count, "\(report.rejected.map { "\($0.ref) \($0.code) \($0.message.vi)" })")
            for (reject, want) in zip(report.rejected, expected) {
                #expect(reject.ref == want.ref)
                #expect(reject.code == want.code)
                #expect(reject.message.vi == want.vi)
            }
            #expect(try f.footprint() == before, "the database must be unchanged")
        case .fileError(let code, let vi):
            do {
                _ = try SubmissionLoader(connection: f.db).load(path: path)
                Issue.record("\(input.file): expected the file to be refused")
            } catch let e as DTIError {
                #expect(e.kind == .inputRejected)
                if let code { #expect(e.message.code == code) }
                #expect(e.message.vi == path + vi)
            }
            #expect(try f.footprint() == before, "the database must be unchanged")
        case .accepted(let n):
            let report = try SubmissionLoader(connection: f.db).load(path: path)
            #expect(report.committed && report.accepted == n && report.rejected.isEmpty)
        }
    }
}

@Suite("dti load: batches, history, partial loads", .serialized)
struct LoadBehaviourTests {
    static let header = "unit_code,year,catalogue,indicator,variable,value,evidence,stage\n"
    static let x1 = TanYenFixture.communes[0], x2 = TanYenFixture.communes[1]

    func fixture(_ prefix: String) throws -> WarehouseFixture {
        let f = try WarehouseFixture(prefix, catalogues: ["unit-profile", "commune-data-2024", "bac-giang-district-2022"])
        try f.units(TanYenFixture.unitsCSV)
        return f
    }

    @Test("a file longer than the reader's batches: records keep their order and refs, and a bad byte far down still refuses all")
    func readAheadKeepsOrderAndErrors() throws {
        let f = try fixture("readahead")
        let before = try f.footprint()
        // 9,000 records of one key (two reader batches and more): every one after the first is a repeat of line 2.
        let line = "\(Self.x1),2024,commune-data-2024,3.5,a,120,,\n"
        let repeats = try f.file("repeats.csv", Self.header + String(repeating: line, count: 9_000))
        let report = try SubmissionLoader(connection: f.db).load(path: repeats)
        #expect(!report.committed && report.rejected.count == 8_999)
        #expect(report.rejected.map(\.ref) == (3...9_001).map(String.init))
        #expect(report.rejected.allSatisfy { $0.code == "key.duplicate" && $0.message.vi.hasSuffix("trùng khóa với bản ghi ở 2 trong cùng tệp") })
        // An invalid UTF-8 byte on line 10,002, after 10,000 good records: the whole file is refused, naming it.
        var bytes = Array((Self.header + String(repeating: "\(Self.x1),2024,commune-data-2024,3.5,a,120,,self\n", count: 1)
                           + (1...9_999).map { "\(Self.x2),2024,commune-data-2024,3.5,a,\($0),,round\($0 % 2 + 1)\n" }.joined()).utf8)
        bytes += Array("\(Self.x1),2024,commune-data-2024,3.5,a,1".utf8) + [0xFF] + Array(",,\n".utf8)
        let broken = try f.file("broken.csv", bytes: bytes)
        do {
            _ = try SubmissionLoader(connection: f.db).load(path: broken)
            Issue.record("expected the file to be refused")
        } catch let e as DTIError {
            #expect(e.message.code == "csv.utf8")
            #expect(e.message.vi.hasPrefix(broken + ":10002:"), "\(e.message.vi)")
        }
        #expect(try f.footprint() == before, "the database must be unchanged")
    }

    @Test("the same file twice: the second load is a no-op that says so")
    func sameFileTwice() throws {
        let f = try fixture("twice")
        let path = try f.file("a.csv", Self.header + "\(Self.x1),2024,commune-data-2024,3.5,a,\"0,5e0\",,\n".replacingOccurrences(of: "\"0,5e0\"", with: "120"))
        let first = try SubmissionLoader(connection: f.db).load(path: path)
        #expect(first.committed && first.accepted == 1)
        let second = try SubmissionLoader(connection: f.db).load(path: path)
        #expect(!second.committed && second.alreadyLoadedAs == first.batchId)
        #expect(try f.count("dti.submission_values") == 1)
        #expect(try f.count("dti.load_batches") == 1)
    }

    @Test("values as people write them: 0,5 and 0.5, codes 3,5, BOM, semicolons, yes/no words")
    func peoplesFormats() throws {
        let f = try fixture("formats")
        let path = try f.file("b.csv", "\u{FEFF}unit_code;year;catalogue;indicator;variable;value;evidence;stage\n"
            + "\(Self.x1);2024;commune-data-2024;\"3,5\";a;120;;\n"
            + "\(Self.x1);2024;commune-data-2024;5.8.1;a;0,5;Quyết định số 12/QĐ-UBND;\n"
            + "\(Self.x1);2024;commune-data-2024;5.8.1;b;0.25;;\n"
            + "\(Self.x1);2024;commune-data-2024;3.6;answer;Có;;\n")
        let r = try SubmissionLoader(connection: f.db).load(path: path)
        #expect(r.committed && r.accepted == 4, "\(r.rejected.map(\.message.vi))")
        let rows = try f.db.query("""
            SELECT indicator_code, variable, value, value_text, evidence FROM dti.v_submitted_values WHERE unit_code = \(Self.x1) ORDER BY indicator_code, variable
            """)
        let values = try rows.map { "\(try $0["indicator_code"].decode(String.self)).\(try $0["variable"].decode(String.self))=\(try $0["value"].decode(Decimal?.self).map(\.machineText) ?? "-")" }
        #expect(values == ["3.5.a=120", "3.6.answer=1", "5.8.1.a=0.5", "5.8.1.b=0.25"])
        #expect(try rows[1]["value_text"].decode(String?.self) == "có", "stored in its one canonical form (issue 15)")
        #expect(try rows[2]["evidence"].decode(String?.self) == "Quyết định số 12/QĐ-UBND")
    }

    @Test("a correction supersedes the earlier value, which is kept: history shows the chain")
    func correctionsKeepHistory() throws {
        let f = try fixture("history")
        let first = try f.file("v1.csv", Self.header + "\(Self.x1),2024,commune-data-2024,3.5,a,120,,\n\(Self.x1),2024,commune-data-2024,3.4,a,300,,\n")
        let second = try f.file("v2.csv", Self.header + "\(Self.x1),2024,commune-data-2024,3.5,a,125,,\n\(Self.x1),2024,commune-data-2024,3.4,a,300,,\n")
        let loader = SubmissionLoader(connection: f.db)
        let r1 = try loader.load(path: first)
        let r2 = try loader.load(path: second)
        #expect(r2.accepted == 1 && r2.unchanged == 1, "an unchanged value is not written again")
        let current = try f.scalar("SELECT value FROM dti.v_submitted_values WHERE unit_code = \(Self.x1) AND indicator_code = '3.5'", as: Decimal.self)
        #expect(current == 125)
        let history = try StatusQuery(connection: f.db).history(unit: Self.x1, indicator: "3.5")
        #expect(history.map(\.value) == ["120", "125"])
        #expect(history.map(\.batchId) == [r1.batchId!, r2.batchId!])
        #expect(history.map(\.current) == [false, true])
        #expect(history.map(\.file) == [first, second])
        #expect(history.allSatisfy { $0.ref == "2" })
    }

    @Test("stages keep their own values: a round-1 appraisal does not overwrite the self-assessment")
    func stagesAreSeparate() throws {
        let f = try fixture("stages")
        let path = try f.file("s.csv", Self.header + "\(Self.x1),2024,commune-data-2024,3.5,a,120,,self\n\(Self.x1),2024,commune-data-2024,3.5,a,100,,round1\n")
        _ = try SubmissionLoader(connection: f.db).load(path: path)
        let rows = try f.db.query("SELECT stage::text AS s, value FROM dti.v_submitted_values WHERE unit_code = \(Self.x1) ORDER BY stage")
        #expect(try rows.map { "\(try $0["s"].decode(String.self))=\(try $0["value"].decode(Decimal.self))" } == ["self=120", "round1=100"])
    }

    @Test("--partial loads the good records and keeps the bad ones with their raw text and reason")
    func partial() throws {
        let f = try fixture("partial")
        let path = try f.file("p.csv", Self.header + "\(Self.x1),2024,commune-data-2024,3.5,a,120,,\nkhong-co,2024,commune-data-2024,3.5,a,5,,\n\(Self.x2),2024,commune-data-2024,3.5,a,-1,,\n")
        let r = try SubmissionLoader(connection: f.db).load(path: path, options: .init(partial: true))
        #expect(r.committed && r.accepted == 1 && r.rejected.count == 2)
        let kept = try f.db.query("SELECT source_ref, reason_code, raw, message_vi FROM dti.load_rejects ORDER BY source_ref")
        #expect(kept.count == 2)
        #expect(try kept[0]["reason_code"].decode(String.self) == "unit.unknown")
        #expect(try kept[0]["raw"].decode(String.self) == "khong-co,2024,commune-data-2024,3.5,a,5,self")
        #expect(try kept[1]["reason_code"].decode(String.self) == "value.negative")
        #expect(try f.scalar("SELECT rows_rejected FROM dti.load_batches", as: Int.self) == 2)
    }

    @Test("JSON: an array of the same records, numbers kept exact")
    func json() throws {
        let f = try fixture("json")
        let path = try f.file("j.json", """
            [{"unit_code": "\(Self.x1)", "year": 2024, "catalogue": "commune-data-2024", "indicator": "5.8.1", "variable": "a", "value": 0.1},
             {"unit_code": "\(Self.x1)", "year": "2024", "catalogue": "commune-data-2024", "indicator": "3.6", "variable": "answer", "value": true, "stage": "self"}]
            """)
        let r = try SubmissionLoader(connection: f.db).load(path: path)
        #expect(r.committed && r.accepted == 2, "\(r.rejected.map(\.message.vi))")
        #expect(try f.scalar("SELECT value FROM dti.v_submitted_values WHERE indicator_code = '5.8.1'", as: Decimal.self) == Decimal(string: "0.1")!)
    }
}
