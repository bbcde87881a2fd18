import ArgumentParser
import DTICore
import DTIWarehouse

struct CatalogueShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Cây trụ cột → chỉ số với điểm tối đa / a catalogue as a tree with max points.",
        discussion: """
          dti catalogue show thanh-hoa-district-2022
          dti catalogue show bac-giang-district-2022 --rules
          dti catalogue show hanoi-city-2024 \\
              --file etl/catalogues/hanoi-city-2024.yaml   # without a database
        """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Mã bộ chỉ số / catalogue id.")
    var id: String

    @Flag(help: "Hiện cả quy tắc tính điểm và biến / show rules and variables too.")
    var rules = false

    @Option(help: "Đọc từ tệp thay vì cơ sở dữ liệu / read from a file instead of the database.")
    var file: String?

    func run() throws {
        let catalogue: Catalogue
        var header = ""
        if let file {
            let checked = CatalogueFiles.check(path: file)
            guard let c = checked.catalogue, !checked.hasErrors else {
                throw DTIError(.inputRejected, vi: "\(file) có lỗi (dti catalogue lint)", en: "\(file) has errors (dti catalogue lint)",
                               details: checked.diagnostics.map { $0.text(Output.language) })
            }
            catalogue = c
        } else {
            let db = try Connect.database(for: .reader, command: "catalogue show")
            let loaded = try CatalogueStore(connection: db).catalogue(id)
            catalogue = loaded.catalogue
            header = Output.text(vi: " — phiên bản \(loaded.version)", en: " — version \(loaded.version)")
        }
        Output.line(CatalogueTree.render(catalogue, rules: rules, language: Output.language) + header)
    }
}
