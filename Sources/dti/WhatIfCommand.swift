import ArgumentParser
import DTICore
import DTIWarehouse
import Foundation

struct WhatIfCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "whatif",
        abstract: "Thử thay đổi số liệu: điểm, tổng điểm, thứ hạng mới / what-if: new points, index and rank.",
        discussion: """
        Tính như một lần nạp và tổng hợp thật các giá trị đã đổi (cùng bộ chấm
        điểm), rồi hủy: không ghi gì vào kho. In ra điểm mới của từng chỉ số, chỉ
        số chính, tổng điểm, thứ hạng trong nhóm so sánh, và "bước tiếp theo tốt
        nhất": các chỉ số mà đạt điểm tối đa thì tổng điểm tăng nhiều nhất.
        Computed as a real load and roll-up of the changed inputs (the same
        Scorer), then rolled back: nothing is written.

          dti whatif --unit bac-giang.tan-yen --year 2024 --set 8.8.count=12
          dti whatif --unit bac-giang.tan-yen --year 2024 \\
                     --set 1.4.count=15 --set 8.8.count=20 --lang en
          dti whatif --unit bac-giang.tan-yen --year 2024 --set 8.8.count=20 --format json
        """
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: "Mã đơn vị / unit code.") var unit: String
    @Option(help: "Năm / year.") var year: Int
    @Option(name: .customLong("set"), help: "CHỈSỐ.BIẾN=GIÁTRỊ, lặp lại được / INDICATOR.VARIABLE=VALUE, repeatable.") var changes: [String] = []
    @Option(help: "Định dạng: table hoặc json (số chính xác dạng chuỗi) / output: table or json (exact numbers as strings).")
    var format: WhatIfFormat = .table

    func run() throws {
        let parsed = try changes.map(WhatIf.Change.parse)
        let db = try Connect.database(for: .etl, command: "whatif")
        let r = try WhatIf(connection: db).run(unit: unit, year: year, changes: parsed)
        if format == .json { Output.line(try WhatIfJSON.encode(r)); return }
        func n(_ d: Decimal?, sign: Bool = false) -> String {
            guard let d else { return "—" }
            let s = Output.number(d)
            return sign && d > 0 ? "+" + s : s
        }
        let rank = { (x: Int?) in x.map { "\($0)/\(r.peers)" } ?? "—" }
        Output.say(vi: "Thử thay đổi — \(r.unitName) (\(r.unit)) năm \(r.year), \(r.catalogue), giai đoạn \(r.stage.rawValue)",
                   en: "What-if — \(r.unitName) (\(r.unit)) \(r.year), \(r.catalogue), stage \(r.stage.rawValue)")
        Output.line("")
        var head = TextTable(headers: [Output.text(vi: "", en: ""), Output.text(vi: "Hiện nay", en: "Today"), Output.text(vi: "Sau thay đổi", en: "With changes"),
                                       Output.text(vi: "Thay đổi", en: "Change")])
        head.add([Output.text(vi: "Tổng điểm", en: "Index points"), n(r.index.before), n(r.index.after), n(r.index.delta, sign: true)])
        head.add([Output.text(vi: "Tỷ lệ (%)", en: "Percent"), n(r.percentBefore), n(r.percentAfter),
                  n(r.percentAfter.map { $0 - (r.percentBefore ?? 0) }, sign: true)])
        head.add([Output.text(vi: "Thứ hạng", en: "Rank"), rank(r.rankBefore), rank(r.rankAfter), ""])
        Output.line(head.render())
        Output.line("")
        var pillars = TextTable(headers: [Output.text(vi: "Chỉ số chính", en: "Pillar"), Output.text(vi: "Hiện nay", en: "Today"),
                                          Output.text(vi: "Sau thay đổi", en: "With changes"), Output.text(vi: "Thay đổi", en: "Change")])
        for p in r.pillars { pillars.add(["\(p.code) \(p.name.count > 40 ? String(p.name.prefix(39)) + "…" : p.name)", n(p.before), n(p.after), n(p.delta, sign: true)]) }
        Output.line(pillars.render())
        Output.line("")
        var changed = TextTable(headers: [Output.text(vi: "Chỉ số", en: "Indicator"), Output.text(vi: "Hiện nay", en: "Today"),
                                          Output.text(vi: "Sau thay đổi", en: "With changes"), Output.text(vi: "Thay đổi", en: "Change")])
        for i in r.changedIndicators { changed.add([i.code, n(i.before), n(i.after), n(i.delta, sign: true)]) }
        Output.say(vi: "Các chỉ số thay đổi điểm:", en: "Indicators whose points change:")
        Output.line(r.changedIndicators.isEmpty ? Output.text(vi: "(không có)", en: "(none)") : changed.render())
        Output.line("")
        var steps = TextTable(headers: [Output.text(vi: "Chỉ số", en: "Indicator"), Output.text(vi: "Điểm bị mất", en: "Points lost"),
                                        Output.text(vi: "Tổng điểm tăng", en: "Index gain"), Output.text(vi: "Cơ quan chủ trì", en: "Lead agency")])
        for s in r.bestNextSteps { steps.add([s.indicator, n(s.lost), n(s.indexGain, sign: true), s.lead.map { $0.count > 40 ? String($0.prefix(39)) + "…" : $0 } ?? ""]) }
        Output.say(vi: "Bước tiếp theo tốt nhất (đạt điểm tối đa ở chỉ số):", en: "Best next steps (full marks on the indicator):")
        Output.line(steps.render())
        Output.say(vi: "Không có gì được ghi vào kho dữ liệu.", en: "Nothing was written to the warehouse.")
    }
}

enum WhatIfFormat: String, ExpressibleByArgument, CaseIterable { case table, json }

/// `dti whatif --format json`: every number as its exact decimal text (a string); a key is left out where there is no value.
enum WhatIfJSON {
    struct Line: Encodable { var code: String; var name: String; var before: String?; var after: String?; var max_points: String? }
    struct Step: Encodable { var indicator: String; var name: String; var pillar: String; var lost: String; var index_gain: String; var lead: String? }
    struct Change: Encodable { var indicator: String; var variable: String; var value: String }
    struct Document: Encodable {
        var unit_code: String; var unit_name: String; var year: Int; var catalogue: String; var stage: String; var changes: [Change]
        var index: Line; var percent_before: String?; var percent_after: String?; var rank_before: Int?; var rank_after: Int?; var peers: Int
        var pillars: [Line]; var indicators: [Line]; var best_next_steps: [Step]; var written: Bool
    }

    static func encode(_ r: WhatIf.Result) throws -> String {
        func line(_ l: WhatIf.Line) -> Line { Line(code: l.code, name: l.name, before: l.before?.machineText, after: l.after?.machineText, max_points: l.maxPoints?.machineText) }
        let doc = Document(unit_code: r.unit, unit_name: r.unitName, year: r.year, catalogue: r.catalogue, stage: r.stage.rawValue,
                           changes: r.changes.map { Change(indicator: $0.indicator, variable: $0.variable, value: $0.value) },
                           index: line(r.index), percent_before: r.percentBefore?.machineText, percent_after: r.percentAfter?.machineText,
                           rank_before: r.rankBefore, rank_after: r.rankAfter, peers: r.peers,
                           pillars: r.pillars.map(line), indicators: r.indicators.map(line),
                           best_next_steps: r.bestNextSteps.map { Step(indicator: $0.indicator, name: $0.name, pillar: $0.pillar, lost: $0.lost.machineText,
                                                                      index_gain: $0.indexGain.machineText, lead: $0.lead) },
                           written: false)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(doc), as: UTF8.self)
    }
}
