import ArgumentParser

struct CatalogueCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalogue",
        abstract: "Bộ chỉ số: kiểm tra, nạp, liệt kê / indicator catalogues: lint, load, list, show.",
        discussion: """
        Bộ chỉ số là các tệp YAML trong etl/catalogues/ (định dạng:
        etl/catalogues/README.md).
        Catalogues are YAML files in etl/catalogues/ (format:
        etl/catalogues/README.md).

          dti catalogue lint etl/catalogues/*.yaml
          dti catalogue load
          dti catalogue list
          dti catalogue show bac-giang-district-2022
        """,
        subcommands: [CatalogueLintCommand.self, CatalogueLoadCommand.self, CatalogueListCommand.self, CatalogueShowCommand.self]
    )
}
