import ArgumentParser
import DTIWarehouse

struct CatalogueLoadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Nạp bộ chỉ số thành phiên bản mới / load catalogues as versions.",
        discussion: """
        Mặc định nạp mọi tệp trong etl/catalogues/. Tệp được kiểm tra (lint) trước;
        tệp có lỗi làm cả lượt không nạp gì. Tệp giống hệt phiên bản hiện hành thì
        không đổi; tệp đã sửa thành phiên bản mới, điểm cũ vẫn trỏ phiên bản cũ.
        By default loads every file of etl/catalogues/. Files are linted first; any
        error loads nothing. A file identical to the current version changes
        nothing; a changed file becomes a new version, and earlier scores keep
        pointing at the version they were computed with.

          dti catalogue load
          dti catalogue load etl/catalogues/bac-giang-district-2022.yaml
        """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Tệp YAML (mặc định: etl/catalogues/*.yaml) / YAML files.")
    var files: [String] = []

    func run() throws {
        let paths = files.isEmpty ? CatalogueFiles.files(in: try Home.locate().catalogues) : files
        let db = try Connect.database(for: .etl, command: "catalogue load")
        let results = try CatalogueStore(connection: db).load(paths: paths)
        for r in results {
            if r.changed {
                Output.line(Output.text(vi: "\(r.catalogueId): nạp phiên bản \(r.version) (\(r.indicators) chỉ số) từ \(r.file)",
                                        en: "\(r.catalogueId): loaded version \(r.version) (\(r.indicators) indicators) from \(r.file)"))
            } else {
                Output.line(Output.text(vi: "\(r.catalogueId): không đổi (giống phiên bản \(r.version))",
                                        en: "\(r.catalogueId): unchanged (same as version \(r.version))"))
            }
        }
    }
}
