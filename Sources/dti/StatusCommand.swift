import ArgumentParser
import DTIFormats
import DTIWarehouse
import Foundation

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Tình hình nộp số liệu theo đơn vị và bộ chỉ số / submission completeness per unit and catalogue.",
        discussion: """
        Số chỉ số phải nộp, đã có số liệu (kể cả tổng hợp từ xã), còn thiếu, lần nạp
        gần nhất và thời hạn.
          dti status --year 2024
          dti status --year 2024 --catalogue commune-data-2024 \\
                     --under bac-giang.tan-yen --missing

        Mọi đơn vị phải nộp đều được liệt kê, kể cả khi chưa ai nộp (bộ chỉ số có phạm
        vi: mọi năm hiệu lực). Thời hạn lấy từ bộ chỉ số (deadline); đơn vị còn thiếu
        khi đã qua hạn được đánh dấu quá hạn. --under nhận mã ở mọi cấp (tỉnh, huyện,
        xã). --format csv cho bảng máy đọc được.
        Every unit that owes a catalogue is listed, even when nobody has submitted;
        the deadline comes from the catalogue and units still missing data after it
        are flagged overdue; --under takes a code at any level; --format csv.
          dti status --year 2024 --under ha-noi --format csv > status.csv
        """
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: "Năm / year.") var year: Int
    @Option(help: "Chỉ một bộ chỉ số / one catalogue only.") var catalogue: String?
    @Option(help: "Chỉ các đơn vị thuộc mã này / only units under this code.") var under: String?
    @Flag(help: "Liệt kê mã các chỉ số còn thiếu / list the missing indicator codes (one submitted in part with the variables it lacks: 1.2.1 (b)).") var missing = false
    @Option(help: "Định dạng: table hoặc csv / format: table or csv.") var format: StatusFormat = .table

    func run() throws {
        let db = try Connect.database(for: .reader, command: "status")
        let rows = try StatusQuery(connection: db).status(year: year, catalogue: catalogue, under: under)
        if format == .csv {
            // The machine form: one line per unit and catalogue, every missing code, dates as ISO.
            var out = [["unit_code", "unit_name", "year", "catalogue_id", "expected", "submitted", "missing",
                        "last_loaded_at", "deadline", "deadline_date", "overdue"]]
            for r in rows {
                out.append([r.unitCode, r.unitName, String(year), r.catalogueId, String(r.expected), String(r.submitted),
                            r.missingDetailed.joined(separator: "; "), r.lastLoadedAt ?? "",
                            r.deadline ?? "", r.deadlineDate ?? "", r.overdue ? "true" : "false"])
            }
            FileHandle.standardOutput.write(Data(CSVWriter.encode(out, bom: true).utf8))
            return
        }
        if rows.isEmpty {
            Output.note(vi: "không có bộ chỉ số nào có số liệu năm \(year)", en: "no catalogue has data for \(year)")
            return
        }
        var table = TextTable(headers: Output.language == .vi
            ? ["đơn vị", "tên", "bộ chỉ số", "đã nộp", "phải nộp", "thiếu", "nạp gần nhất", "thời hạn", ""]
            : ["unit", "name", "catalogue", "submitted", "expected", "missing", "last load", "deadline", ""])
        var complete = 0, overdue = 0
        for r in rows {
            if r.missing.isEmpty { complete += 1 }
            let miss = missing ? r.missingDetailed.joined(separator: " ") : String(r.missing.count)
            if r.overdue { overdue += 1 }
            table.add([r.unitCode, r.unitName, r.catalogueId, String(r.submitted), String(r.expected), miss, r.lastLoadedAt ?? "—", r.deadline ?? "",
                       r.overdue ? Output.text(vi: "QUÁ HẠN", en: "OVERDUE") : ""])
        }
        Output.line(table.render())
        Output.note(vi: "\(complete)/\(rows.count) đơn vị đủ số liệu" + (overdue > 0 ? ", \(overdue) quá hạn" : ""),
                    en: "\(complete)/\(rows.count) units complete" + (overdue > 0 ? ", \(overdue) overdue" : ""))
    }
}

enum StatusFormat: String, ExpressibleByArgument, CaseIterable { case table, csv }
