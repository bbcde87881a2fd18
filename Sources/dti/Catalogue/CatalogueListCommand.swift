import ArgumentParser
import DTICore
import DTIWarehouse

struct CatalogueListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Các bộ chỉ số đã nạp / what is loaded.",
        discussion: "  dti catalogue list"
    )

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let db = try Connect.database(for: .reader, command: "catalogue list")
        let list = try CatalogueStore(connection: db).list()
        if list.isEmpty {
            Output.note(vi: "chưa nạp bộ chỉ số nào (dti catalogue load)", en: "no catalogue loaded yet (dti catalogue load)")
            return
        }
        var table = TextTable(headers: Output.language == .vi
            ? ["bộ chỉ số", "phiên bản", "loại", "cấp", "năm", "trụ cột", "chỉ số", "điểm tối đa", "nạp lúc"]
            : ["catalogue", "version", "kind", "level", "years", "pillars", "indicators", "max points", "loaded at"])
        for s in list {
            table.add([s.catalogueId, String(s.version), s.kind, s.levels.joined(separator: ","),
                       s.yearFrom == s.yearTo ? String(s.yearFrom) : "\(s.yearFrom)–\(s.yearTo)", String(s.pillars), String(s.indicators),
                       s.maxPoints.map { Output.number($0) } ?? "—", s.loadedAt])
        }
        Output.line(table.render())
    }
}
