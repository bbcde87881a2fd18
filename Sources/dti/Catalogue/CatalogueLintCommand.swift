import ArgumentParser
import DTICore
import DTIWarehouse

struct CatalogueLintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Kiểm tra tệp bộ chỉ số, báo mọi lỗi theo tệp:dòng:cột / check catalogue files; every problem as file:line:column.",
        discussion: """
        Không cần cơ sở dữ liệu. Mã thoát 2 nếu có lỗi; cảnh báo (nguồn tự mâu thuẫn
        và đã có ghi chú) không làm hỏng.
        Needs no database. Exits 2 when there is an error; warnings (the source
        contradicts itself and a note says so) do not fail.

          dti catalogue lint etl/catalogues/*.yaml
          dti catalogue lint --quiet etl/catalogues/bac-giang-district-2022.yaml
        """
    )

    @OptionGroup var global: GlobalOptions

    @Flag(name: .long, help: "Chỉ in lỗi, bỏ cảnh báo / print errors only.")
    var quiet = false

    @Argument(help: "Tệp YAML (mặc định: mọi tệp trong etl/catalogues/) / YAML files (default: all of etl/catalogues/).")
    var files: [String] = []

    func run() throws {
        let paths = files.isEmpty ? CatalogueFiles.files(in: try Home.locate().catalogues) : files
        let results = CatalogueFiles.checkAll(paths: paths)
        var errors = 0, warnings = 0
        for r in results {
            for d in r.diagnostics where !(quiet && d.severity == .warning) { Output.note(d.text(Output.language)) }
            errors += r.diagnostics.errors.count
            warnings += r.diagnostics.warnings.count
            if let c = r.catalogue, !r.diagnostics.hasErrors {
                let n = c.allIndicators.count
                Output.line(Output.text(vi: "\(r.path): \(c.id): \(c.pillars.count) trụ cột, \(n) chỉ số — hợp lệ",
                                        en: "\(r.path): \(c.id): \(c.pillars.count) pillars, \(n) indicators — ok"))
            }
        }
        Output.line(Output.text(vi: "\(results.count) tệp, \(errors) lỗi, \(warnings) cảnh báo",
                                en: "\(results.count) files, \(errors) errors, \(warnings) warnings"))
        if errors > 0 {
            throw DTIError(.inputRejected, vi: "bộ chỉ số có \(errors) lỗi", en: "the catalogues have \(errors) errors")
        }
    }
}
