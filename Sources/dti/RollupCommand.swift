import ArgumentParser
import DTICore
import DTIWarehouse
import Foundation

struct RollupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollup",
        abstract: "Tổng hợp xã → huyện, chấm điểm, xếp loại, xếp hạng / derive, score, total, rate and rank.",
        discussion: """
        Với mỗi tỉnh (mặc định: mọi tỉnh có số liệu năm đó), trong một giao dịch
        dưới khóa tư vấn theo (tỉnh, năm, giai đoạn): tổng hợp biến cấp huyện từ số
        liệu các xã như bộ chỉ số khai báo, chấm điểm mọi đơn vị, tính tổng trụ
        cột, chỉ số, tỷ lệ, xếp loại, xếp hạng trong nhóm so sánh; ghi lại lượt
        chạy. Bị dừng giữa chừng thì kết quả cũ còn nguyên; chạy lại với cùng đầu
        vào cho kết quả y hệt.
        Per province, in one transaction under an advisory lock: derive district
        variables from communes, score, total, rate, rank; record the run. A roll-up
        killed midway leaves the previous results intact; rerunning with the same
        inputs gives identical rows.

        Giai đoạn: dùng giá trị của giai đoạn cao nhất đã có, không vượt --stage
        (mặc định final).
        Stage: each value is taken from the most advanced stage available up to
        --stage (default final).

          dti rollup --year 2022
          dti rollup --year 2024 --province bac-giang
          dti rollup --year 2024 --province ha-noi --all-stages

        Số liệu xã chưa đủ: mỗi huyện có biến tổng hợp từ xã được in độ bao phủ (số xã
        có số liệu / số xã của huyện trong năm); chỉ số của huyện thiếu số liệu xã có
        complete = false và coverage trong v_unit_index. Ở giai đoạn final, huyện nào
        thiếu thì không công bố gì (mã thoát 2, nêu tên các xã thiếu), trừ khi thêm
        --allow-incomplete.
        Incomplete commune data: each district derived from communes prints its
        coverage (communes with data / communes of the district that year); its index
        has complete = false and its coverage in v_unit_index. At stage final an
        incomplete district publishes nothing (exit 2, naming the communes missing)
        unless --allow-incomplete.
          dti rollup --year 2024 --province bac-giang --allow-incomplete
        """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Năm / year.")
    var year: Int

    @Option(help: "Mã tỉnh (mặc định: mọi tỉnh có số liệu) / province code (default: every province with data).")
    var province: String?

    @Option(help: "Giai đoạn: self, round1, round2, final (mặc định final) / stage.")
    var stage: Stage = .final

    @Flag(help: "Tổng hợp lần lượt mọi giai đoạn / roll up every stage in turn.")
    var allStages = false

    @Flag(name: .customLong("allow-incomplete"),
          help: "Vẫn công bố (final) khi số liệu xã chưa đủ / publish the final stage even when commune data is incomplete.")
    var allowIncomplete = false

    func run() throws {
        let db = try Connect.database(for: .etl, command: "rollup")
        let rollup = Rollup(connection: db)
        let provinces = try province.map { [$0] } ?? rollup.provincesWithData(year: year)
        if provinces.isEmpty {
            Output.note(vi: "không có số liệu năm \(year)", en: "no data for \(year)")
            return
        }
        let stages = allStages ? Stage.allCases : [stage]
        for p in provinces {
            for s in stages {
                let r = try rollup.run(province: p, year: year, stage: s, requireComplete: s == .final && !allowIncomplete) { Output.note("  \($0)") }
                Output.line(Output.text(
                    vi: "\(p) \(year) \(s.rawValue): lượt \(r.runId): \(r.unitsScored) đơn vị, \(r.indicatorsScored) chỉ số có điểm, \(r.derivedValues) biến tổng hợp từ xã, \(r.mismatches.count) chênh lệch, \(r.lineageRows) giá trị sáp nhập, \(r.durationMs) ms",
                    en: "\(p) \(year) \(s.rawValue): run \(r.runId): \(r.unitsScored) units, \(r.indicatorsScored) indicators scored, \(r.derivedValues) variables derived from communes, \(r.mismatches.count) mismatches, \(r.lineageRows) merged-unit values, \(r.durationMs) ms"))
                for c in r.coverage {
                    let share = c.expected > 0 ? Output.number(Decimal(c.withData) * 100 / Decimal(c.expected), fractionDigits: 1) : "—"
                    let missing = c.missing.prefix(10).joined(separator: ", ") + (c.missing.count > 10 ? ", …" : "")
                    Output.line(Output.text(
                        vi: "  \(c.district): số liệu xã \(c.withData)/\(c.expected) (\(share) %)" + (c.complete ? "" : ", chưa đủ: thiếu \(missing)"),
                        en: "  \(c.district): commune data \(c.withData)/\(c.expected) (\(share) %)" + (c.complete ? "" : ", incomplete: missing \(missing)")))
                }
                for m in r.mismatches {
                    Output.note(Output.text(
                        vi: "  chênh lệch: \(m.unit) \(m.catalogue) \(m.indicator).\(m.variable): tổng từ xã \(m.derived.map { Output.number($0) } ?? "—"), huyện nộp \(m.submitted.map { Output.number($0) } ?? "—"), dùng \(m.used == "derived" ? "tổng từ xã" : "số huyện nộp")",
                        en: "  mismatch: \(m.unit) \(m.catalogue) \(m.indicator).\(m.variable): derived \(m.derived.map { Output.number($0) } ?? "—"), submitted \(m.submitted.map { Output.number($0) } ?? "—"), used \(m.used)"))
                }
            }
        }
    }
}
