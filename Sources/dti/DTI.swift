import ArgumentParser
import DTICore
import DTIWarehouse
import Foundation

@main
struct DTI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dti",
        abstract: "Kho dữ liệu Chỉ số chuyển đổi số (DTI) cấp tỉnh, huyện, xã — a warehouse for Vietnam's Digital Transformation Index below the national level.",
        discussion: """
        Một lượt làm việc điển hình / a typical session:

          dti db up                                   # khởi động CSDL nhúng / start the embedded database
          dti db migrate                              # tạo bảng, view / apply migrations and views
          dti units load etl/reference/units.csv      # nạp đơn vị hành chính / load the hierarchy
          dti catalogue load                          # nạp mọi bộ chỉ số trong etl/catalogues/
          dti load etl/samples/tan-yen-2024.csv       # nạp số liệu / load submissions
          dti rollup --year 2024                      # tổng hợp xã → huyện, chấm điểm, xếp hạng
          dti export --unit bac-giang.tan-yen --years 2022-2024 --children --format xlsx

        Mã thoát / exit codes: 0 thành công, 1 sai cú pháp lệnh, 2 dữ liệu bị từ chối (không thay đổi gì),
        3 lỗi cơ sở dữ liệu.
        Thêm --lang en để đọc thông báo bằng tiếng Anh / add --lang en for English messages.
        """,
        version: "0.1.0",
        subcommands: [DbCommand.self, UnitsCommand.self, CatalogueCommand.self, LoadCommand.self, ScoreCommand.self, RollupCommand.self,
                      StatusCommand.self, HistoryCommand.self, TemplateCommand.self, ExportCommand.self, SynthCommand.self]
    )

    /// Runs the command line, mapping errors to the exit codes of the design: 1 usage, 2 input rejected, 3 database.
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        let language = Output.language(from: arguments)
        Output.language = language
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
        } catch let error as DTIError {
            Output.error(error)
            Foundation.exit(error.kind.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                exit(withError: error)
            }
            // Usage errors print ArgumentParser's message and help hint, and exit 1 as the design says.
            let text = fullMessage(for: error)
            if !text.isEmpty { FileHandle.standardError.write(Data((text + "\n").utf8)) }
            Foundation.exit(code == .validationFailure || code.rawValue == 64 ? 1 : code.rawValue)
        }
    }
}

/// The options every command shares.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Ngôn ngữ thông báo: vi (mặc định) hoặc en / message language: vi (default) or en.")
    var lang: Language = .vi
}

extension Language: ExpressibleByArgument {}
