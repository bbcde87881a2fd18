import ArgumentParser
import DTIWarehouse

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
        """
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: "Năm / year.") var year: Int
    @Option(help: "Chỉ một bộ chỉ số / one catalogue only.") var catalogue: String?
    @Option(help: "Chỉ các đơn vị thuộc mã này / only units under this code.") var under: String?
    @Flag(help: "Liệt kê mã các chỉ số còn thiếu / list the missing indicator codes.") var missing = false

    func run() throws {
        let db = try Connect.database(for: .reader, command: "status")
        let rows = try StatusQuery(connection: db).status(year: year, catalogue: catalogue, under: under)
        if rows.isEmpty {
            Output.note(vi: "không có bộ chỉ số nào có số liệu năm \(year)", en: "no catalogue has data for \(year)")
            return
        }
        var table = TextTable(headers: Output.language == .vi
            ? ["đơn vị", "tên", "bộ chỉ số", "đã nộp", "phải nộp", "thiếu", "nạp gần nhất", "thời hạn"]
            : ["unit", "name", "catalogue", "submitted", "expected", "missing", "last load", "deadline"])
        var complete = 0
        for r in rows {
            if r.missing.isEmpty { complete += 1 }
            let miss = missing ? r.missing.joined(separator: " ") : String(r.missing.count)
            table.add([r.unitCode, r.unitName, r.catalogueId, String(r.submitted), String(r.expected), miss, r.lastLoadedAt ?? "—", r.deadline ?? ""])
        }
        Output.line(table.render())
        Output.note(vi: "\(complete)/\(rows.count) đơn vị đủ số liệu", en: "\(complete)/\(rows.count) units complete")
    }
}
