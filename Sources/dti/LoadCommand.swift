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
        """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Giai đoạn cho bản ghi không ghi stage: self, round1, round2, final / stage of records without one.")
    var stage: Stage = .selfAssessment

    @Flag(help: "Nạp bản ghi đúng, giữ bản ghi sai trong dti.load_rejects / load the good records, keep the bad ones.")
    var partial = false

    @Option(help: "Ghi các bản ghi bị từ chối ra tệp CSV này / also write the rejects to this CSV file.")
    var rejects: String?

    @Argument(help: "Tệp CSV, XLSX hoặc JSON / files.")
    var files: [String]

    func run() throws {
        let db = try Connect.database()
        let loader = SubmissionLoader(connection: db)
        var refused = 0
        var allRejects: [SubmissionLoader.Reject] = []
        for file in files {
            let progress: @Sendable (Int) -> Void = { n in
                FileHandle.standardError.write(Data(Output.text(vi: "  \(file): đã đọc \(n) bản ghi…\n", en: "  \(file): \(n) records read…\n").utf8))
            }
            let r = try loader.load(path: file, options: .init(stage: stage, partial: partial, progress: progress))
            if let existing = r.alreadyLoadedAs {
                Output.line(Output.text(vi: "\(file): đã nạp trước đó (lô \(existing), giai đoạn \(stage.rawValue)): không làm gì",
                                        en: "\(file): already loaded (batch \(existing), stage \(stage.rawValue)): nothing to do"))
                continue
            }
            for reject in r.rejected {
                Output.note("\(file):\(reject.ref): \(reject.message.text(Output.language))")
            }
            allRejects += r.rejected
            if r.committed {
                Output.line(Output.text(
                    vi: "\(file): lô \(r.batchId!): \(r.total) bản ghi, nhận \(r.accepted), không đổi \(r.unchanged), từ chối \(r.rejected.count)",
                    en: "\(file): batch \(r.batchId!): \(r.total) records, accepted \(r.accepted), unchanged \(r.unchanged), rejected \(r.rejected.count)"))
            } else {
                refused += 1
                Output.line(Output.text(
                    vi: "\(file): \(r.rejected.count)/\(r.total) bản ghi sai: không nạp gì (sửa tệp, hoặc dùng --partial)",
                    en: "\(file): \(r.rejected.count)/\(r.total) records refused: nothing loaded (fix the file, or use --partial)"))
            }
        }
        if let rejects, !allRejects.isEmpty {
            try RejectsFile.write(allRejects, to: rejects)
            Output.note(vi: "đã ghi \(allRejects.count) bản ghi bị từ chối vào \(rejects)", en: "wrote \(allRejects.count) rejects to \(rejects)")
        }
        if refused > 0 {
            throw DTIError(.inputRejected, vi: "\(refused) tệp bị từ chối, không thay đổi gì trong các tệp đó", en: "\(refused) files refused; nothing of them changed")
        }
    }
}

extension Stage: ExpressibleByArgument {}
