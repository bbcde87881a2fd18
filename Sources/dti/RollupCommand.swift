import ArgumentParser
import DTICore
import DTIWarehouse
import Foundation
import PostgresClient

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

        Nhiều tỉnh: mặc định mọi tỉnh được tổng hợp trong một lượt chung, một giao
        dịch: mỗi tỉnh vẫn có khóa và lượt chạy (run) riêng, kết quả y hệt tổng hợp
        từng tỉnh, nhưng mỗi bước chỉ làm một lần cho tất cả. Tất cả hoặc không: một
        tỉnh bị từ chối (thiếu số liệu xã ở final) hay lỗi thì không tỉnh nào của
        lượt được ghi. --jobs N chia các tỉnh thành N nhóm liền nhau, mỗi nhóm một
        kết nối và một lượt; kết quả in theo thứ tự tỉnh; nhóm đã xong vẫn giữ kết
        quả. Hai nhóm chung một nhóm so sánh thì chạy lần lượt.
        Several provinces: by default all of them in one pass, one transaction: each
        province keeps its own lock and run, and the rows are those of rolling up each
        alone, but every step is done once for all. All or nothing: when one province
        is refused (incomplete at final) or fails, no province of the pass is written.
        --jobs N splits the provinces into N contiguous groups, one connection and one
        pass each; results print in province order; groups already done keep their
        results. Two groups that share a peer group run one after the other.
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

    @Option(help: "Số nhóm tỉnh tổng hợp cùng lúc, mỗi nhóm một lượt (mặc định 1: mọi tỉnh một lượt) / groups of provinces rolled up at once, one pass each (default 1: every province in one pass).")
    var jobs: Int?

    func run() throws {
        if let jobs, jobs < 1 { throw DTIError(.usage, vi: "--jobs phải từ 1 trở lên", en: "--jobs must be 1 or more") }
        let db = try Connect.database(for: .etl, command: "rollup")
        let rollup = Rollup(connection: db)
        let provinces = try province.map { [$0] } ?? rollup.provincesWithData(year: year)
        if provinces.isEmpty {
            Output.note(vi: "không có số liệu năm \(year)", en: "no data for \(year)")
            return
        }
        let stages = allStages ? Stage.allCases : [stage]
        let workers = min(max(1, jobs ?? 1), provinces.count)
        // The provinces in contiguous groups, one per worker, each group rolled up in one pass (one transaction).
        let groups = (0..<workers).map { w in Array(provinces[(w * provinces.count / workers)..<((w + 1) * provinces.count / workers)]) }
        if workers == 1 {
            try roll(provinces, stages: stages, rollup: rollup, progress: { Output.note("  \($0)") })
            return
        }
        // A connection of its own per worker (as the same login); each group prints when it and every one before it are
        // done, so the output reads as a sequential run's.
        let home = try Home.locate()
        let board = Board(count: groups.count)
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let connection: PostgresConnection
            do { connection = try Database.connect(home: home) } catch { board.fail(error); return }
            defer { connection.close() }
            let worker = Rollup(connection: connection)
            while let k = board.next() {
                let group = groups[k]
                let name = group.count == 1 ? group[0] : "\(group[0])…\(group[group.count - 1])"
                var lines: [Board.Line] = []
                do {
                    try roll(group, stages: stages, rollup: worker, progress: { Output.note("  \(name): \($0)") }, out: { lines.append($0) })
                    board.done(k, lines)
                } catch {
                    board.done(k, lines, error: error)
                }
            }
        }
        if let error = board.firstError { throw error }
    }

    /// The provinces' output in order, and which province is next.
    final class Board: @unchecked Sendable {
        enum Line { case out(String), note(String) }
        private let lock = NSLock()
        private var nextIndex = 0, printed = 0, stop = false
        private var results: [[Line]?]
        private var errors: [Int: any Error] = [:]
        private var setupError: (any Error)?
        init(count: Int) { results = Array(repeating: nil, count: count) }

        func next() -> Int? {
            lock.lock(); defer { lock.unlock() }
            guard !stop, nextIndex < results.count else { return nil }
            nextIndex += 1
            return nextIndex - 1
        }

        func done(_ k: Int, _ lines: [Line], error: (any Error)? = nil) {
            lock.lock(); defer { lock.unlock() }
            results[k] = lines
            if let error { errors[k] = error; stop = true }
            while printed < results.count, let ready = results[printed] {
                for l in ready {
                    switch l {
                    case .out(let s): Output.line(s)
                    case .note(let s): Output.note(s)
                    }
                }
                printed += 1
            }
        }

        func fail(_ error: any Error) {
            lock.lock(); defer { lock.unlock() }
            setupError = setupError ?? error
            stop = true
        }

        /// The error of the first province (in order) that failed, or of a connection that could not be opened.
        var firstError: (any Error)? {
            lock.lock(); defer { lock.unlock() }
            return errors.keys.min().flatMap { errors[$0] } ?? setupError
        }
    }

    private func roll(_ group: [String], stages: [Stage], rollup: Rollup, progress: @escaping (String) -> Void,
                      out: (Board.Line) -> Void = { l in if case .out(let s) = l { Output.line(s) } else if case .note(let s) = l { Output.note(s) } }) throws {
        for s in stages {
            for r in try rollup.run(provinces: group, year: year, stage: s, requireComplete: s == .final && !allowIncomplete, progress: progress) {
                let p = r.province
                out(.out(Output.text(
                    vi: "\(p) \(year) \(s.rawValue): lượt \(r.runId): \(r.unitsScored) đơn vị, \(r.indicatorsScored) chỉ số có điểm, \(r.derivedValues) biến tổng hợp từ xã, \(r.mismatches.count) chênh lệch, \(r.lineageRows) giá trị sáp nhập, \(r.durationMs) ms",
                    en: "\(p) \(year) \(s.rawValue): run \(r.runId): \(r.unitsScored) units, \(r.indicatorsScored) indicators scored, \(r.derivedValues) variables derived from communes, \(r.mismatches.count) mismatches, \(r.lineageRows) merged-unit values, \(r.durationMs) ms")))
                for c in r.coverage {
                    let share = c.expected > 0 ? Output.number(Decimal(c.withData) * 100 / Decimal(c.expected), fractionDigits: 1) : "—"
                    let missing = c.missing.prefix(10).joined(separator: ", ") + (c.missing.count > 10 ? ", …" : "")
                    out(.out(Output.text(
                        vi: "  \(c.district): số liệu xã \(c.withData)/\(c.expected) (\(share) %)" + (c.complete ? "" : ", chưa đủ: thiếu \(missing)"),
                        en: "  \(c.district): commune data \(c.withData)/\(c.expected) (\(share) %)" + (c.complete ? "" : ", incomplete: missing \(missing)"))))
                }
                for m in r.mismatches {
                    out(.note(Output.text(
                        vi: "  chênh lệch: \(m.unit) \(m.catalogue) \(m.indicator).\(m.variable): tổng từ xã \(m.derived.map { Output.number($0) } ?? "—"), huyện nộp \(m.submitted.map { Output.number($0) } ?? "—"), dùng \(m.used == "derived" ? "tổng từ xã" : "số huyện nộp")",
                        en: "  mismatch: \(m.unit) \(m.catalogue) \(m.indicator).\(m.variable): derived \(m.derived.map { Output.number($0) } ?? "—"), submitted \(m.submitted.map { Output.number($0) } ?? "—"), used \(m.used)")))
                }
            }
        }
    }
}
