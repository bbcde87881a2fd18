import ArgumentParser
import DTIWarehouse

struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Ai đổi số liệu này, khi nào, từ tệp nào / who changed a number, when, from which file.",
        discussion: """
        Mọi giá trị đã nạp của một chỉ số của một đơn vị, cũ trước mới sau; dấu * là
        giá trị hiện hành. "(rút lại)" là một giá trị đã được rút bằng "#rút" trong tệp
        nạp: khi nó mới nhất, đơn vị không còn giá trị hiện hành cho biến đó.
        Every value ever loaded for one indicator of one unit, oldest first; * marks
        the current value. "(withdrawn)" is a value withdrawn with "#rút" in a loaded
        file: when it is the newest, the unit has no current value for that variable.
          dti history --unit thanh-hoa.yen-dinh --indicator 1.2.1
          dti history --unit bac-giang.tan-yen --indicator 3.3 --year 2024
        """
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: "Mã đơn vị / unit code.") var unit: String
    @Option(help: "Mã chỉ số / indicator code.") var indicator: String
    @Option(help: "Bộ chỉ số / catalogue.") var catalogue: String?
    @Option(help: "Năm / year.") var year: Int?

    func run() throws {
        let db = try Connect.database(for: .reader, command: "history")
        let lookup = Lookup(connection: db)
        try lookup.unit(unit)
        if let catalogue { try lookup.catalogue(catalogue) }
        try lookup.indicator(indicator, catalogue: catalogue)
        let rows = try StatusQuery(connection: db).history(unit: unit, indicator: indicator, catalogue: catalogue, year: year)
        if rows.isEmpty {
            Output.note(vi: "không có giá trị nào của \(unit) cho chỉ số \(indicator)", en: "no values of \(unit) for indicator \(indicator)")
            return
        }
        var table = TextTable(headers: Output.language == .vi
            ? ["", "năm", "bộ chỉ số", "biến", "giai đoạn", "giá trị", "lô", "tệp", "vị trí", "nạp lúc (UTC)", "người nạp"]
            : ["", "year", "catalogue", "variable", "stage", "value", "batch", "file", "at", "loaded (UTC)", "by"])
        for r in rows {
            // A withdrawal is no value: no * even when it is the newest row.
            let value = r.withdrawn ? (Output.language == .vi ? "(rút lại)" : "(withdrawn)") : r.value
            table.add([r.current && !r.withdrawn ? "*" : "", String(r.year), r.catalogueId, r.variable, r.stage, value, String(r.batchId), r.file,
                       r.ref, r.loadedAt, r.loadedBy])
        }
        Output.line(table.render())
    }
}
