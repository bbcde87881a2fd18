import ArgumentParser
import DTICore
import DTIWarehouse
import Foundation

struct LoadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Nạp số liệu đã nộp (CSV, XLSX, JSON) / load submissions.",
        discussion: """
        CSV dạng dài, có dòng tiêu đề, UTF-8 (có hoặc không BOM), phân cách
        ',' hoặc ';':
          unit_code,year,catalogue,indicator,variable,value,evidence,stage
        value nhận 0,5 và 0.5; mã 1,1 hiểu là 1.1; evidence và stage có thể để trống
        (stage mặc định theo --stage).
        XLSX: biểu mẫu do `dti template` tạo, mỗi đơn vị một trang. JSON: một mảng
        các bản ghi cùng tên trường.

        Mỗi tệp là một lô và một giao dịch: tệp có bản ghi sai thì không nạp gì (mã
        thoát 2) và mọi bản ghi sai được in ra (tệp, dòng hoặc ô, đơn vị, chỉ số,
        điều cần có); với --partial các bản ghi đúng được nạp và bản ghi sai được
        giữ trong bảng dti.load_rejects. Nạp lại đúng tệp đó là không làm gì. Giá
        trị sửa lại thay giá trị cũ, giá trị cũ vẫn được giữ (dti history).
        Each file is one batch and one transaction: a file with a bad record loads
        nothing (exit 2) and every bad record is printed; with --partial the good
        ones load and the bad ones are kept in dti.load_rejects. Loading the same
        file again does nothing. A corrected value supersedes the earlier one,
        which is kept.

          dti load etl/reference/yen-dinh-2022.csv
          dti load etl/samples/tan-yen/commune-data-2024.csv --stage self
          dti load appraisal-round1.xlsx --stage round1 --rejects rejects.csv

        --dry-run: kiểm tra mọi thứ như khi nạp thật (cả với CSDL: đơn vị, bộ chỉ số,
        giá trị cũ, các phép kiểm tra khai báo), cùng thông báo và mã thoát, nhưng
        không ghi gì (kể cả lô); in ra mỗi đơn vị có bao nhiêu giá trị mới, thay đổi,
        không đổi và giữ từ trước. --format json cho báo cáo máy đọc được.
        --dry-run checks everything a load checks, against the database too, with the
        same messages and exit codes, and writes nothing (not even a batch); it prints
        per unit the values that would be new, changed, unchanged or kept from earlier.

          dti load --dry-run returns/*.xlsx
          dti load --dry-run --format json returns/tan-yen.csv

        Số gõ như trong Excel: '45%' (hoặc ô định dạng phần trăm) được hiểu theo
        scale: của biến trong bộ chỉ số (percent → 45, ratio → 0,45); biến không
        khai báo scale thì bị từ chối, kèm cả hai cách hiểu. Dấu phân cách hàng nghìn
        được nhận khi không thể nhầm: tệp viết số thập phân bằng ',' (0,5) thì được
        viết hàng nghìn bằng '.' (1.234.567). '2.768' trong một số lượng, số tiền
        hoặc số, ở tệp không có số nào khác cho biết dấu thập phân, bị từ chối kèm
        cả hai cách đọc; --decimal comma|dot nói rõ tệp dùng dấu thập phân nào.
        Values typed as in Excel: '45%' (or a cell formatted as a percent) is read by
        the variable's scale: (percent → 45, ratio → 0.45), refused with both readings
        when it has none. A thousands separator is accepted when it cannot be
        mistaken: '2.768' in a count, amount or number, in a file where no other value
        shows its decimal separator, is refused with both readings; --decimal
        comma|dot says which separator the file uses for decimals.

          dti load --decimal comma returns/tan-yen-2024.csv

        Ô để trống (CSV: value rỗng; XLSX: dòng biểu mẫu chưa điền) nghĩa là "chưa trả
        lời": không bị từ chối, không ghi gì, giá trị cũ vẫn giữ và được liệt kê (giữ
        từ trước, chưa trả lời N).
        A blank value means "not answered": not refused, nothing written, the earlier
        value stays and is listed as kept.

        Rút một giá trị đã nộp: viết #rút (hoặc #withdraw; hoa thường, có dấu hay
        không đều được) vào ô giá trị. Đơn vị không còn giá trị hiện hành cho biến
        đó; việc rút lại được giữ trong lịch sử (dti history: "(rút lại)").
        To withdraw a submitted value, write #rút (or #withdraw, in any case, with or
        without diacritics) as the value. The unit then has no current value for that
        variable; the withdrawal stays in the history (dti history: "(withdrawn)").

          unit_code,year,catalogue,indicator,variable,value
          bac-giang.tan-yen,2024,bac-giang-district-2022,1.2.1,a,#rút
        """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Giai đoạn cho bản ghi không ghi stage: self, round1, round2, final / stage of records without one.")
    var stage: Stage = .selfAssessment

    @Flag(help: "Nạp bản ghi đúng, giữ bản ghi sai trong dti.load_rejects / load the good records, keep the bad ones.")
    var partial = false

    @Option(help: "Ghi các bản ghi bị từ chối ra tệp CSV này / also write the rejects to this CSV file.")
    var rejects: String?

    @Flag(name: .customLong("dry-run"), help: "Kiểm tra như khi nạp, không ghi gì / check as a load would, write nothing.")
    var dryRun = false

    @Option(help: "Dấu thập phân của tệp: comma (0,5) hoặc dot (0.5); mặc định: theo các số trong tệp / the file's decimal separator; default: what its values show.")
    var decimal: DecimalConvention?

    @Option(help: "Định dạng báo cáo: text hoặc json / report format: text or json.")
    var format: LoadReportFormat = .text

    @Argument(help: "Tệp CSV, XLSX hoặc JSON / files.")
    var files: [String]

    func run() throws {
        // Every path first: a directory or a missing file refuses the whole command before anything is committed.
        try LoadPaths.check(files)
        let db = try Connect.database(for: .etl, command: "load")
        let loader = SubmissionLoader(connection: db)
        var refused = 0
        var allRejects: [SubmissionLoader.Reject] = []
        var reports: [SubmissionLoader.Report] = []
        for file in files {
            let progress: @Sendable (Int) -> Void = { n in
                FileHandle.standardError.write(Data(Output.text(vi: "  \(file): đã đọc \(n) bản ghi…\n", en: "  \(file): \(n) records read…\n").utf8))
            }
            let r = try loader.load(path: file, options: .init(stage: stage, partial: partial, progress: progress, dryRun: dryRun, decimal: decimal))
            reports.append(r)
            if r.alreadyLoadedAs == nil && !r.committed { refused += 1 }
            allRejects += r.rejected
            if format == .text { LoadSummaryText.print(r, file: file, stage: stage) }
        }
        if format == .json { Output.line(try LoadReportJSON.encode(reports)) }
        if format == .text && files.count > 1 { LoadSummaryText.printFiles(zip(files, reports).map { ($0, $1) }, dryRun: dryRun) }
        if let rejects, !allRejects.isEmpty {
            try RejectsFile.write(allRejects, to: rejects)
            Output.note(vi: "đã ghi \(allRejects.count) bản ghi bị từ chối vào \(rejects)", en: "wrote \(allRejects.count) rejects to \(rejects)")
        }
        if refused > 0 {
            throw DTIError(.inputRejected, vi: "\(refused) tệp bị từ chối, không thay đổi gì trong các tệp đó", en: "\(refused) files refused; nothing of them changed")
        }
    }
}

enum LoadReportFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

/// The text a person reads after `dti load` (or `--dry-run`) of one file.
enum LoadSummaryText {
    /// Per-unit lines printed at most (a dry run prints every unit up to this; a load, the units with kept values).
    static let unitLines = 200

    /// After several files: which were loaded, which were already loaded, which were refused (exit 2 then means
    /// those files changed nothing; the loaded ones stay loaded).
    static func printFiles(_ files: [(String, SubmissionLoader.Report)], dryRun: Bool) {
        func names(_ pick: (SubmissionLoader.Report) -> Bool) -> String {
            files.filter { pick($0.1) }.map(\.0).joined(separator: ", ")
        }
        let loaded = names { $0.alreadyLoadedAs == nil && $0.committed }
        let already = names { $0.alreadyLoadedAs != nil }
        let refused = names { $0.alreadyLoadedAs == nil && !$0.committed }
        Output.line(Output.text(vi: "Tổng kết \(files.count) tệp:", en: "Summary of \(files.count) files:"))
        if !loaded.isEmpty {
            Output.line(Output.text(vi: dryRun ? "  sẽ nạp: \(loaded)" : "  đã nạp: \(loaded)", en: dryRun ? "  would load: \(loaded)" : "  loaded: \(loaded)"))
        }
        if !already.isEmpty { Output.line(Output.text(vi: "  đã nạp từ trước: \(already)", en: "  already loaded: \(already)")) }
        if !refused.isEmpty { Output.line(Output.text(vi: "  bị từ chối (không thay đổi gì): \(refused)", en: "  refused (nothing changed): \(refused)")) }
    }

    static func print(_ r: SubmissionLoader.Report, file: String, stage: Stage) {
        if let existing = r.alreadyLoadedAs {
            Output.line(Output.text(vi: "\(file): đã nạp trước đó (lô \(existing), giai đoạn \(stage.rawValue)): không làm gì",
                                    en: "\(file): already loaded (batch \(existing), stage \(stage.rawValue)): nothing to do"))
            return
        }
        for reject in r.rejected {
            Output.note("\(file):\(reject.ref): \(reject.message.text(Output.language))")
        }
        for w in r.warnings {
            Output.note("\(file):\(w.ref): \(w.message.text(Output.language))")
        }
        if r.committed && r.dryRun {
            Output.line(Output.text(
                vi: "\(file): thử (không ghi gì): \(r.total) bản ghi, sẽ nhận \(r.accepted), không đổi \(r.unchanged), từ chối \(r.rejected.count), cảnh báo \(r.warnings.count)",
                en: "\(file): dry run (nothing written): \(r.total) records, would accept \(r.accepted), unchanged \(r.unchanged), rejected \(r.rejected.count), warnings \(r.warnings.count)"))
        } else if r.committed {
            Output.line(Output.text(
                vi: "\(file): lô \(r.batchId!): \(r.total) bản ghi, nhận \(r.accepted), không đổi \(r.unchanged), từ chối \(r.rejected.count)",
                en: "\(file): batch \(r.batchId!): \(r.total) records, accepted \(r.accepted), unchanged \(r.unchanged), rejected \(r.rejected.count)"))
        } else {
            Output.line(Output.text(
                vi: "\(file): \(r.rejected.count)/\(r.total) bản ghi sai: không nạp gì (sửa tệp, hoặc dùng --partial)",
                en: "\(file): \(r.rejected.count)/\(r.total) records refused: nothing loaded (fix the file, or use --partial)"))
        }
        let shown = r.dryRun ? r.units : r.units.filter { !$0.kept.isEmpty || $0.notAnswered > 0 || $0.withdrawn > 0 }
        for u in shown.prefix(unitLines) {
            var line = Output.text(vi: "  \(u.unit) \(u.year) \(u.catalogue) \(u.stage): mới \(u.new), thay đổi \(u.changed), không đổi \(u.unchanged)",
                                   en: "  \(u.unit) \(u.year) \(u.catalogue) \(u.stage): new \(u.new), changed \(u.changed), unchanged \(u.unchanged)")
            if u.rejected > 0 { line += Output.text(vi: ", từ chối \(u.rejected)", en: ", rejected \(u.rejected)") }
            if u.withdrawn > 0 { line += Output.text(vi: ", rút lại \(u.withdrawn)", en: ", withdrawn \(u.withdrawn)") }
            if u.notAnswered > 0 { line += Output.text(vi: ", chưa trả lời \(u.notAnswered)", en: ", not answered \(u.notAnswered)") }
            if !u.kept.isEmpty {
                let list = u.kept.prefix(12).joined(separator: ", ") + (u.kept.count > 12 ? ", …" : "")
                line += Output.text(vi: ", giữ từ trước \(u.kept.count) (\(list))", en: ", kept from earlier \(u.kept.count) (\(list))")
            }
            Output.line(line)
        }
        if shown.count > unitLines {
            Output.line(Output.text(vi: "  … và \(shown.count - unitLines) đơn vị khác (--format json cho đủ)",
                                    en: "  … and \(shown.count - unitLines) more units (--format json for all)"))
        }
    }
}

extension Stage: ExpressibleByArgument {}
extension DecimalConvention: ExpressibleByArgument {}
