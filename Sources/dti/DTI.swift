import ArgumentParser
import DTICore
import DTIWarehouse
import PostgresClient
import Foundation

@main
struct DTI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dti",
        abstract: "Kho dữ liệu Chỉ số chuyển đổi số (DTI) cấp tỉnh, huyện, xã — a warehouse for Vietnam's Digital Transformation Index below the national level.",
        discussion: """
        Một lượt làm việc điển hình / a typical session:

          dti db up               # CSDL nhúng / start the embedded database
          dti units load etl/reference/peer-groups.csv etl/reference/units.csv
          dti catalogue load      # mọi bộ chỉ số / every catalogue
          dti load etl/samples/tan-yen/commune-data-2024.csv
          dti rollup --year 2024  # xã → huyện, chấm điểm, xếp hạng
          dti export --unit bac-giang.tan-yen --years 2022-2024 \\
                     --children --format xlsx

        Mã thoát / exit codes: 0 thành công / success, 1 sai lệnh / usage,
        2 dữ liệu bị từ chối, không đổi gì / input rejected, nothing changed,
        3 lỗi CSDL / database error.
        --lang en: thông báo tiếng Anh / English messages.
        """,
        version: "0.1.0",
        subcommands: [DbCommand.self, UnitsCommand.self, CatalogueCommand.self, LoadCommand.self, ScoreCommand.self, RollupCommand.self,
                      StatusCommand.self, HistoryCommand.self, TemplateCommand.self, ExportCommand.self, SynthCommand.self,
                      WhatIfCommand.self, ServeCommand.self]
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
        } catch let error as PostgresError {
            // A database error no command explained: a clear line in the user's language, libpq's words below it.
            let e = DatabaseFailure.explain(error)
            Output.error(e)
            Foundation.exit(e.kind.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                // Help and version, in the message language (ParserMessages).
                let text = ParserMessages.text(for: error, command: self, language: language)
                if !text.isEmpty { FileHandle.standardOutput.write(Data((text + "\n").utf8)) }
                Foundation.exit(0)
            }
            // Usage errors print ArgumentParser's message and help hint, in the message language, and exit 1.
            let text = ParserMessages.text(for: error, command: self, language: language)
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
