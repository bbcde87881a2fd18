import ArgumentParser

struct UnitsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "units",
        abstract: "Đơn vị hành chính: nạp, liệt kê / the administrative hierarchy: load, list.",
        discussion: """
        Tệp đơn vị (CSV): code,name,level,parent_code,valid_from,valid_to,
        predecessors[,peer_group,tags]
        level là province, district, commune hoặc department; predecessors là các mã
        cách nhau bởi '|'.
        Tệp nhóm so sánh (CSV): code,name,description — nạp trước tệp đơn vị
        nhắc đến chúng.

          dti units load etl/reference/peer-groups.csv etl/reference/units.csv
          dti units list --under bac-giang
        """,
        subcommands: [UnitsLoadCommand.self, UnitsListCommand.self]
    )
}
