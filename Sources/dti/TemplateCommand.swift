import ArgumentParser
import DTICore
import DTIWarehouse
import Foundation

struct TemplateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "template",
        abstract: "Biểu mẫu nhập số liệu trống cho đơn vị / a blank submission form.",
        discussion: """
        XLSX: mỗi đơn vị một trang, tên chỉ số nguyên văn, biến và ý nghĩa, điểm tối
        đa; chỉ ô giá trị và tài liệu kiểm chứng được nhập (có danh sách có/không,
        số không âm). CSV: dạng dài để điền cột value.
        XLSX: one sheet per unit with verbatim indicator names, variables, meanings
        and max points; only value and evidence cells can be typed in (yes/no lists,
        non-negative numbers). CSV: the long format, value empty.

          dti template --catalogue commune-data-2024 \\
                       --unit bac-giang.tan-yen.xa-mau-01 --format xlsx
          dti template --catalogue commune-data-2024 --format xlsx \\
                       --out forms/xa-2024.xlsx   # every commune in scope
          dti template --catalogue thanh-hoa-district-2022 \\
                       --unit thanh-hoa.yen-dinh --format csv --year 2022
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case xlsx, csv }

    @OptionGroup var global: GlobalOptions
    @Option(help: "Mã bộ chỉ số / catalogue id.") var catalogue: String
    @Option(help: "Mã đơn vị (mặc định: mọi đơn vị bộ chỉ số áp dụng) / unit code (default: every unit it applies to).") var unit: String?
    @Option(help: "xlsx hoặc csv.") var format: Format = .xlsx
    @Option(help: "Năm in sẵn trên biểu mẫu (mặc định: năm cuối hiệu lực) / year printed on the form.") var year: Int?
    @Option(help: "Tệp kết quả / output file.") var out: String?

    func run() throws {
        let db = try Connect.database(for: .reader, command: "template")
        try Lookup(connection: db).catalogue(catalogue)
        if let unit { try Lookup(connection: db).unit(unit) }
        let loaded = try CatalogueStore(connection: db).catalogue(catalogue)
        let c = loaded.catalogue
        let writer = TemplateWriter(connection: db)
        let units = try writer.units(for: c, unit: unit)
        if units.isEmpty {
            throw DTIError(.usage, vi: "không có đơn vị nào mà bộ chỉ số \(c.id) áp dụng (dti units load …)", en: "no unit that catalogue \(c.id) applies to (dti units load …)")
        }
        let lines = TemplateWriter.lines(c, fed: try writer.fedVariables(catalogueId: c.id), language: Output.language)
        let y = year ?? c.years.upperBound
        let path = out ?? "\(unit ?? c.id)-\(y).\(format.rawValue)"
        switch format {
        case .xlsx: try TemplateWriter.writeXLSX(c, units: units, year: y, lines: lines, to: path, language: Output.language)
        case .csv: try TemplateWriter.writeCSV(c, units: units, year: y, lines: lines, to: path)
        }
        Output.line(Output.text(vi: "\(path): biểu mẫu \(c.id) năm \(y) cho \(units.count) đơn vị, \(lines.count) dòng mỗi đơn vị",
                                en: "\(path): \(c.id) form for \(y), \(units.count) units, \(lines.count) lines each"))
    }
}
