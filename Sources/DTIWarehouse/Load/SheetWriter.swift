import DTICore
import Foundation
import PostgresClient

/// Writes the good records of a checked file into `dti.submission_sheets` with one binary COPY: one row per key of the
/// file (unit, year, catalogue, stage), its values in arrays, in file order (migration 0012). The server parses no
/// text and keeps one index entry per sheet, not per value.
enum SheetWriter {
    static let columns = #"batch_id, unit_id, year, stage, item_ids, "values", value_texts, evidences, source_refs, source_lines"#

    /// Returns how many values were written. `skip[r]`: record r is refused or unchanged. The rows are encoded on a
    /// second thread, in chunks of about a megabyte, while this one sends the chunks before them: the client's encoding
    /// overlaps the server's COPY instead of alternating with it.
    static func write(_ staged: StagedFile, _ ref: RecordChecks.Reference, grouped: (order: [Int32], starts: [Int]),
                      skip: [Bool], batchId: Int, db: PostgresConnection) throws -> Int {
        let chunks = HandOff<[UInt8]>(depth: 4)
        let input = Input(staged: staged, ref: ref, grouped: grouped, skip: skip)
        let encoder = Background<Int>("dti-sheet-encoder") {
            do {
                let written = try encode(input, batchId: batchId) { chunks.put($0) }
                chunks.close()
                return written
            } catch {
                chunks.close(error)
                throw error
            }
        }
        do {
            _ = try ProtectedCopy.copyIn(db, table: "dti.submission_sheets", columns: columns, options: "(FORMAT binary)") { writer in
                while let chunk = try chunks.take() { try chunk.withUnsafeBytes { try writer.write($0) } }
            }
        } catch {
            chunks.cancel()
            _ = try? encoder.value()
            throw error
        }
        return try encoder.value()
    }

    /// What the encoder thread reads; nothing writes it meanwhile.
    struct Input: @unchecked Sendable {
        let staged: StagedFile
        let ref: RecordChecks.Reference
        let grouped: (order: [Int32], starts: [Int])
        let skip: [Bool]
    }

    /// The whole COPY data, handed to `emit` in chunks; returns how many values. Stops when `emit` returns false.
    static func encode(_ input: Input, batchId: Int, emit: ([UInt8]) -> Bool) throws -> Int {
        let (staged, ref, grouped, skip) = (input.staged, input.ref, input.grouped, input.skip)
        var written = 0
        var out = BinaryCopyEncoder()
        var elements: [Int] = [], withdrawals: [Int] = []
        var stored: [RecordChecks.Stored] = [], withdrawn: [RecordChecks.Stored] = []
        for key in 0..<(grouped.starts.count - 1) {
            elements.removeAll(keepingCapacity: true); withdrawals.removeAll(keepingCapacity: true)
            stored.removeAll(keepingCapacity: true); withdrawn.removeAll(keepingCapacity: true)
            for r32 in grouped.order[grouped.starts[key]..<grouped.starts[key + 1]] where !skip[Int(r32)] {
                let r = Int(r32)
                let s = RecordChecks.stored(staged, record: r, kind: ref.kinds[Int(staged.itemNo[r])], ref: ref, itemNo: Int(staged.itemNo[r]))
                if s.withdraws { withdrawals.append(r); withdrawn.append(s) } else { elements.append(r); stored.append(s) }
            }
            if elements.isEmpty && withdrawals.isEmpty { continue }
            let k = ref.keys[key]
            guard let unitId = k.unitId, let year = k.year, let stage = k.stage else {
                throw DTIError(.database, vi: "khóa \(key) không hợp lệ nhưng có bản ghi được nhận (lỗi của dti)",
                               en: "key \(key) is not valid but has accepted records (a bug in dti)")
            }
            // A key's withdrawals are a sheet of their own, after its values: every element NULL, so that readers tell
            // a sheet of withdrawals by its first element ("values"[1] IS NULL AND value_texts IS NULL) without
            // unnesting it (v_submission_status).
            for (records, values) in [(elements, stored), (withdrawals, withdrawn)] where !records.isEmpty {
                // A sheet holds at most 65,535 values (value_id = sheet_id × 65536 + position); a key has at most one
                // value per item, so only a catalogue of more items than that could split, and each part is a sheet.
                var from = 0
                while from < records.count {
                    let part = from..<min(from + 65_535, records.count)
                    try sheet(&out, batchId: batchId, unitId: unitId, year: year, stage: stage, staged: staged, ref: ref,
                              records: records[part], stored: values[part])
                    written += part.count
                    from = part.upperBound
                    if out.bytes.count >= 1 << 20 {
                        guard emit(out.bytes) else { return written }
                        out.bytes.removeAll(keepingCapacity: true)
                    }
                }
            }
        }
        out.finish()
        _ = emit(out.bytes)
        return written
    }

    private static func sheet(_ out: inout BinaryCopyEncoder, batchId: Int, unitId: Int32, year: Int16, stage: String,
                              staged: StagedFile, ref: RecordChecks.Reference,
                              records: ArraySlice<Int>, stored: ArraySlice<RecordChecks.Stored>) throws {
        let n = records.count
        out.beginRow(fields: 10)
        out.bigint(Int64(batchId))
        out.integer(unitId)
        out.smallint(year)
        out.text(stage)

        var a = out.beginArray(of: .int4, count: n, hasNulls: false)
        for r in records {
            out.int32(4)
            out.int32(ref.kinds[Int(staged.itemNo[r])].itemId)
        }
        out.endArray(at: a)

        a = out.beginArray(of: .numeric, count: n, hasNulls: stored.contains { $0.number == nil })
        for (r, s) in zip(records, stored) {
            if let number = s.number {
                guard out.numeric(machineText: number) else {
                    throw DTIError(.database, vi: "\(staged.ref(r)): số '\(number)' không ghi được (lỗi của dti)",
                                   en: "\(staged.ref(r)): the number '\(number)' cannot be written (a bug in dti)")
                }
            } else {
                out.null()
            }
        }
        out.endArray(at: a)

        textArray(&out, stored.map(\.text))
        if staged.evidence.isEmpty { out.null() } else { textArray(&out, records.map { staged.evidence[Int32($0)] }) }
        if staged.refersByLine {
            out.null()
            a = out.beginArray(of: .int4, count: n, hasNulls: false)
            for r in records { out.int32(4); out.int32(staged.lines[r]) }
            out.endArray(at: a)
        } else {
            textArray(&out, records.map { staged.refs[$0] })
            out.null()
        }
    }

    /// A text[] of the values, or NULL when every one is NULL.
    private static func textArray(_ out: inout BinaryCopyEncoder, _ values: [String?]) {
        guard values.contains(where: { $0 != nil }) else { out.null(); return }
        let a = out.beginArray(of: .text, count: values.count, hasNulls: values.contains { $0 == nil })
        for v in values { if let v { out.text(v) } else { out.null() } }
        out.endArray(at: a)
    }
}
