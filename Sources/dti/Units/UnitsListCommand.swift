import ArgumentParser
import DTIWarehouse

struct UnitsListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Liệt kê đơn vị dạng cây / list units as a tree.",
        discussion: """
          dti units list
          dti units list --under ha-noi --level district
        """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Chỉ các đơn vị thuộc mã này / only units under this code.")
    var under: String?

    @Option(help: "Chỉ một cấp: province, district, commune, department / only one level.")
    var level: String?

    func run() throws {
        let db = try Connect.database(for: .reader, command: "units list")
        let rows = try UnitsQuery(connection: db).list(under: under, level: level)
        if rows.isEmpty {
            Output.note(vi: "chưa có đơn vị nào (dti units load etl/reference/units.csv)", en: "no units yet (dti units load etl/reference/units.csv)")
            return
        }
        for u in rows {
            let indent = String(repeating: "  ", count: level == nil ? u.depth : 0)
            var extra: [String] = []
            if let g = u.peerGroup { extra.append(Output.text(vi: "nhóm \(g)", en: "group \(g)")) }
            if !u.tags.isEmpty { extra.append(u.tags.joined(separator: "|")) }
            if let to = u.validTo { extra.append(Output.text(vi: "đến \(to)", en: "until \(to)")) }
            if !u.predecessors.isEmpty { extra.append(Output.text(vi: "sáp nhập từ \(u.predecessors.joined(separator: ", "))", en: "merged from \(u.predecessors.joined(separator: ", "))")) }
            Output.line("\(indent)\(u.code)  \(u.name)  [\(u.level)]" + (extra.isEmpty ? "" : "  (" + extra.joined(separator: "; ") + ")"))
        }
        Output.note(vi: "\(rows.count) đơn vị", en: "\(rows.count) units")
    }
}
