import ArgumentParser
import DTICore
import DTIWarehouse
import Foundation

struct ScoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "score",
        abstract: "Chấm điểm một tệp số liệu, không cần CSDL / score a submission file without a database.",
        discussion: """
        Dùng cùng bộ lõi chấm điểm với dti rollup. Mọi đơn vị trong tệp là một nhóm
        so sánh (cho quy tắc min–max).
        Uses the same scoring core as dti rollup. All units of the file form one
        peer group (for min–max rules).

          dti score --catalogue thanh-hoa-district-2022 \\
                    --input etl/reference/yen-dinh-2022.csv
          dti score --catalogue thanh-hoa-district-2022 \\
                    --input etl/reference/yen-dinh-2022.csv --format table
          dti score --catalogue bac-giang-district-2022 \\
                    --input district.json --format json
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case csv, json, table }

    @OptionGroup var global: GlobalOptions

    @Option(help: "Mã bộ chỉ số (tệp etl/catalogues/<id>.yaml) hoặc đường dẫn tệp YAML / catalogue id or YAML path.")
    var catalogue: String

    @Option(help: "Tệp số liệu CSV, XLSX hoặc JSON / submission file.")
    var input: String

    @Option(help: "csv (mặc định: unit_code,year,catalogue,indicator,points,max_points), json hoặc table.")
    var format: Format = .csv

    func run() throws {
        let path = catalogue.hasSuffix(".yaml") ? catalogue : try Home.locate().catalogues + "/\(catalogue).yaml"
        guard FileManager.default.fileExists(atPath: path) else {
            let dir = (path as NSString).deletingLastPathComponent
            let ids = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }
            let hint = Suggest.hint(Suggest.closest(to: (catalogue as NSString).lastPathComponent.replacingOccurrences(of: ".yaml", with: ""), among: ids))
            throw DTIError(.usage, vi: "không có bộ chỉ số '\(catalogue)' (tệp \(path))" + (hint.map { "; " + $0.vi } ?? ""),
                           en: "unknown catalogue '\(catalogue)' (file \(path))" + (hint.map { "; " + $0.en } ?? ""))
        }
        let checked = CatalogueFiles.check(path: path)
        guard let c = checked.catalogue, !checked.hasErrors else {
            throw DTIError(.inputRejected, vi: "\(path) có lỗi (dti catalogue lint)", en: "\(path) has errors (dti catalogue lint)",
                           details: checked.diagnostics.errors.map { $0.text(Output.language) })
        }
        let results = try ScoreFile.score(catalogue: c, input: input)
        switch format {
        case .csv:
            FileHandle.standardOutput.write(Data(ScoreFile.csv(results).utf8))
        case .json:
            FileHandle.standardOutput.write(Data(ScoreReport.json(results).utf8))
        case .table:
            Output.line(ScoreReport.table(results, language: Output.language))
        }
    }
}
