import ArgumentParser
import DTICore
import DTIWarehouse
import PostgresClient
import Foundation

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Bảng so sánh qua các năm (CSV, XLSX, HTML) / comparison tables across years.",
        discussion: """
        Điểm, tỷ lệ, hạng và thay đổi qua các năm của một đơn vị, theo từng chỉ số
        chính (--by indicator: từng chỉ số thành phần, dùng bảng đối chiếu
        etl/crosswalks khi bộ chỉ số đổi); --children thêm các đơn vị trực thuộc và
        số liệu các xã; --peers đặt cả nhóm so sánh cạnh nhau; luôn kèm bảng "kế
        hoạch cải thiện" các chỉ số mất nhiều điểm nhất. Tài khoản cấp huyện chỉ
        xuất được những gì nó được xem.
        A unit's points, percent, rank and changes across years pillar by pillar
        (--by indicator: indicator by indicator, through etl/crosswalks when the
        catalogue changed); --children adds the units below and their data;
        --peers puts the whole peer group side by side; an improvement-plan
        table lists where the most points were lost. A district login exports
        only what it may see.

          dti export --unit bac-giang.tan-yen --years 2022-2024 \\
                     --children --format xlsx
          dti export --unit thanh-hoa.yen-dinh --years 2022 --by indicator \\
                     --format html --out out/yen-dinh
          dti export --unit ha-noi.ba-dinh --years 2024 --peers \\
                     --format csv --lang en
          dti export --unit bac-giang.tan-yen --years 2022-2024 \\
                     --format csv --locale vi      # Excel tiếng Việt
          dti export --unit bac-giang.tan-yen --years 2022-2024 --format table
        """
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: "Mã đơn vị / unit code.") var unit: String
    @Option(help: "Khoảng năm, ví dụ 2022-2024 hoặc 2024 / years.") var years: String
    @Option(help: "pillar (mặc định) hoặc indicator.") var by: ExportQuery.Detail = .pillar
    @Flag(help: "Thêm các đơn vị trực thuộc / add the units below.") var children = false
    @Flag(help: "So sánh cả nhóm so sánh / the whole peer group.") var peers = false
    @Option(help: "csv, xlsx, html, hoặc table (in ra màn hình) / or table (print).") var format: ExportFiles.Format
    @Option(help: "Đường dẫn kết quả, không cần đuôi (mặc định out/<đơn vị>-<năm>) / output path.") var out: String?
    @Option(help: "CSV: display (mặc định, làm tròn như bộ chỉ số công bố) hoặc full (đủ chữ số) / rounded or every digit.")
    var precision: ExportFiles.CSVOptions.Precision = .display
    @Option(help: "CSV: machine (mặc định: dấu phẩy giữa các cột, dấu chấm thập phân) hoặc vi (Excel tiếng Việt: ';' giữa các cột, ',' thập phân) / for Vietnamese Excel.")
    var locale: ExportFiles.CSVOptions.Locale = .machine

    func run() throws {
        let range = try Self.parseYears(years)
        let home = try Home.locate()
        let crosswalks = try CrosswalkFiles.load(directory: home.crosswalks)
        let (db, login) = try Connect.open(for: .reader, command: "export")
        try Self.refuseOutsideDistrict(db, login, unit: unit)
        let doc = try ExportQuery(connection: db).build(.init(unit: unit, years: range, detail: by, children: children, peers: peers,
                                                              language: Output.language, crosswalks: crosswalks))
        if format == .table {
            Output.line(ExportFiles.text(doc, language: Output.language))
            return
        }
        var base = out ?? "out/\(unit)-\(range.lowerBound == range.upperBound ? "\(range.lowerBound)" : "\(range.lowerBound)-\(range.upperBound)")"
        for ext in [".csv", ".xlsx", ".html"] where base.hasSuffix(ext) { base.removeLast(ext.count) }
        let paths = try ExportFiles.write(doc, format: format, base: base, language: Output.language,
                                          csv: .init(precision: precision, locale: locale))
        for p in paths { Output.line(p) }
    }

    /// A district login asking for a unit outside its district is told so (exit 1), rather than getting an empty or
    /// "unknown unit" export: row-level security hides the unit, and the message says which login sees it.
    static func refuseOutsideDistrict(_ db: PostgresConnection, _ login: Connect.Login, unit: String) throws {
        guard login.kind == "district" else { return }
        let visible = try db.query("SELECT EXISTS (SELECT 1 FROM dti.units WHERE code = \(unit)) AS v")[0]["v"].decode(Bool.self)
        guard !visible else { return }
        let own = login.district ?? "?"
        throw DTIError(.usage, Message("login.outside_district",
            vi: "tài khoản huyện '\(login.name)' chỉ xem được \(own) và các xã trực thuộc; '\(unit)' không thuộc phạm vi đó (hoặc không có). Số liệu đơn vị khác cần tài khoản analyst hoặc của Sở TT&TT (xem SECURITY.md)",
            en: "the district login '\(login.name)' sees only \(own) and its communes; '\(unit)' is outside that (or does not exist). Other units need an analyst login or one of the ICT department (see SECURITY.md)"))
    }

    static func parseYears(_ s: String) throws -> ClosedRange<Int> {
        let parts = s.split(whereSeparator: { $0 == "-" || $0 == "–" || $0 == ":" }).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        if parts.count == 1, let y = parts[0] { return y...y }
        if parts.count == 2, let a = parts[0], let b = parts[1], a <= b { return a...b }
        throw DTIError(.usage, vi: "--years '\(s)' không hợp lệ: viết 2024 hoặc 2022-2024", en: "--years '\(s)' is not valid: write 2024 or 2022-2024")
    }
}

extension ExportQuery.Detail: ExpressibleByArgument {}
extension ExportFiles.Format: ExpressibleByArgument {}
extension ExportFiles.CSVOptions.Precision: ExpressibleByArgument {}
extension ExportFiles.CSVOptions.Locale: ExpressibleByArgument {}
