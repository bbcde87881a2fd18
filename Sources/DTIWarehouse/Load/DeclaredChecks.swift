import DTICore
import Foundation
import PostgresClient

/// The catalogue's declared checks (`checks:` per indicator, `DTICore.Check`), constants and aliases, made ready for one
/// file: each check's names resolved to the file's items, the catalogue items of earlier values, the constants, and the
/// unit profile fields it reads. Built once per load from the current catalogue versions (only those whose YAML declares
/// any of them are parsed); `RecordChecks.run` evaluates them per key of the file, with the file's values first, then
/// the key's current values, then the profile. Pure once built.
struct DeclaredChecks: @unchecked Sendable {
    enum Source: Sendable {
        /// a variable of the indicator: its record in the file (item number), else its current value (item id), else
        /// the profile field the variable declares
        case item(itemNo: Int32?, itemId: Int32?, profile: String?)
        case constant(String)
        /// `profile.X`
        case profile(String)
    }

    struct Compiled: Sendable {
        var catalogue: String
        var indicator: String
        var check: Check
        /// One per `check.names`, in that order.
        var names: [String]
        var sources: [Source]
        /// The file's items of the indicator's variables: the check is evaluated for a key that has one of them.
        var fileItems: [Int32]
        /// Both sides are one name or one number: compared on their machine text, without Decimal arithmetic.
        var simple: Bool
    }

    struct ProfileKey: Hashable { var unitId: Int32, year: Int16, field: String }

    var byCatalogue: [String: [Compiled]] = [:]
    var profiles: [ProfileKey: String] = [:]
    var isEmpty: Bool { byCatalogue.isEmpty }

    static let none = DeclaredChecks()

    /// Reads the catalogues of the file that declare checks, constants or aliases. Returns the checks and the reference
    /// with each constant or alias item of the file marked as refused (`variable.constant`, `variable.alias`).
    static func prepare(_ db: PostgresConnection, _ staged: StagedFile, _ ref: RecordChecks.Reference) throws -> (DeclaredChecks, RecordChecks.Reference) {
        let catalogues = Array(Set(staged.itemTexts.enumerated().filter { ref.items[$0.offset].itemId != nil }.map(\.element.catalogue))).sorted()
        if catalogues.isEmpty { return (.none, ref) }
        let rows = try db.query("""
            SELECT c.catalogue_id, v.file_name, v.source_text FROM dti.catalogues c
              JOIN dti.catalogue_versions v ON v.version_id = c.current_version
             WHERE c.catalogue_id = ANY (\(catalogues)::text[])
               AND (v.source_text LIKE '%checks:%' OR v.source_text LIKE '%constant:%' OR v.source_text LIKE '%same_as:%')
            """)
        if rows.count == 0 { return (.none, ref) }
        var parsed: [Catalogue] = []
        for r in rows {
            let (c, _) = CatalogueParser.parse(try r["source_text"].decode(String.self), file: try r["file_name"].decode(String.self))
            if let c { parsed.append(c) }
        }
        var itemNo: [FileKeys.ItemText: Int32] = [:]
        for (n, t) in staged.itemTexts.enumerated() { itemNo[t] = Int32(n) }
        var itemId: [FileKeys.ItemText: Int32] = [:]
        for r in try db.query("""
            SELECT catalogue_id, indicator_code, variable, item_id FROM dti.catalogue_items WHERE catalogue_id = ANY (\(parsed.map(\.id))::text[])
            """) {
            itemId[FileKeys.ItemText(catalogue: try r["catalogue_id"].decode(), indicator: try r["indicator_code"].decode(),
                                     variable: try r["variable"].decode())] = Int32(try r["item_id"].decode(Int.self))
        }

        var out = DeclaredChecks()
        var items = ref.items
        var profileFields = Set<String>()
        var profileCatalogues = Set<String>()
        for c in parsed {
            for i in c.leafIndicators {
                // A constant or an alias is not an input: a record for it is refused, naming what the source fixes.
                for v in i.variables where !v.isInput {
                    guard let n = itemNo[FileKeys.ItemText(catalogue: c.id, indicator: i.code, variable: v.name)] else { continue }
                    items[Int(n)].itemId = nil
                    if let k = v.constant {
                        items[Int(n)].code = "variable.constant"; items[Int(n)].detail = k.machineText
                    } else if let a = v.sameAs {
                        items[Int(n)].code = "variable.alias"; items[Int(n)].detail = a
                    }
                }
                for check in i.checks {
                    var sources: [Source] = []
                    for name in check.names {
                        if name.hasPrefix(Check.profilePrefix) {
                            let field = String(name.dropFirst(Check.profilePrefix.count))
                            sources.append(.profile(field)); profileFields.insert(field); profileCatalogues.insert(c.id)
                            continue
                        }
                        var v = i.variable(name)
                        if let target = v?.sameAs { v = i.variable(target) }
                        guard let variable = v else { sources.append(.constant("")); continue }
                        if let k = variable.constant { sources.append(.constant(k.machineText)); continue }
                        let text = FileKeys.ItemText(catalogue: c.id, indicator: i.code, variable: variable.name)
                        sources.append(.item(itemNo: itemNo[text], itemId: itemId[text], profile: variable.profile))
                        if let p = variable.profile { profileFields.insert(p); profileCatalogues.insert(c.id) }
                    }
                    let fileItems = sources.compactMap { s -> Int32? in if case .item(let n?, _, _) = s { return n }; return nil }
                    if fileItems.isEmpty { continue }
                    func single(_ f: Formula) -> Bool { if case .variable = f { return true }; if case .number = f { return true }; return false }
                    out.byCatalogue[c.id, default: []].append(Compiled(catalogue: c.id, indicator: i.code, check: check, names: check.names,
                                                                      sources: sources, fileItems: fileItems,
                                                                      simple: single(check.left) && single(check.right)))
                }
            }
        }
        if !profileFields.isEmpty {
            let keys = staged.keyTexts.enumerated().filter { profileCatalogues.contains($0.element.catalogue) }.map { ref.keys[$0.offset] }
            let units = Array(Set(keys.compactMap(\.unitId))).map(Int.init), years = Array(Set(keys.compactMap(\.year))).map(Int.init)
            if !units.isEmpty {
                // The profile of each unit and year, the latest stage winning (rows come in stage order).
                for r in try db.query("""
                    SELECT cv.unit_id, cv.year, ci.indicator_code AS field, cv.value::text AS value
                      FROM dti.current_values cv
                      JOIN dti.catalogue_items ci ON ci.item_id = cv.item_id
                      JOIN dti.catalogues c ON c.catalogue_id = ci.catalogue_id
                      JOIN dti.catalogue_versions v ON v.version_id = c.current_version AND v.kind = 'profile'
                     WHERE cv.unit_id = ANY (\(units)::int[]) AND cv.year = ANY (\(years)::int[])
                       AND ci.indicator_code = ANY (\(Array(profileFields))::text[]) AND cv.value IS NOT NULL
                     ORDER BY cv.stage, cv.value_id
                    """) {
                    out.profiles[ProfileKey(unitId: Int32(try r["unit_id"].decode(Int.self)), year: Int16(try r["year"].decode(Int.self)),
                                            field: try r["field"].decode(String.self))] = try r["value"].decode(String.self)
                }
            }
        }
        return (out, RecordChecks.Reference(keys: ref.keys, items: items, ratios: ref.ratios))
    }

    /// A check of severity warning that failed for a key: where, what, and the values it read (kept with the warning so
    /// `v_check_warnings` shows it while they are current).
    struct Hit: Sendable {
        var record: Int
        var key: Int32
        var compiled: Int
        var catalogue: String
        var indicator: String
        var expression: String
        var left: String
        var right: String
        var itemIds: [Int32]
        var values: [String]
    }

    /// The text of a check's outcome for messages: `expression|a = 9|b = 4`.
    static func detail(_ c: Compiled, left: String, right: String) -> String { "\(c.check.expression)|\(left)|\(right)" }

    /// Records the warnings of a load (`dti.check_warnings`, migration 0014).
    static func record(_ hits: [Hit], messages: [Message], batchId: Int, staged: StagedFile, ref: RecordChecks.Reference, db: PostgresConnection) throws {
        if hits.isEmpty { return }
        let keys = hits.map { ref.keys[Int($0.key)] }
        try db.execute(PostgresQuery("""
            INSERT INTO dti.check_warnings (batch_id, unit_id, year, stage, catalogue_id, indicator_code, expression, left_side, right_side,
                                            item_ids, item_values, source_ref, message_vi, message_en)
            SELECT $1, w.unit_id, w.year, w.stage::dti.stage, w.catalogue, w.indicator, w.expression, w.left_side, w.right_side,
                   (SELECT array_agg(x::int) FROM unnest(string_to_array(w.item_ids, ',')) x WHERE x <> ''),
                   (SELECT array_agg(x::numeric) FROM unnest(string_to_array(w.item_values, ',')) x WHERE x <> ''),
                   w.ref, w.vi, w.en
              FROM unnest($2::int[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
                          $11::text[], $12::text[], $13::text[], $14::text[])
                   AS w (unit_id, year, stage, catalogue, indicator, expression, left_side, right_side, item_ids, item_values, ref, vi, en)
            """, binds: [batchId, keys.map { Int($0.unitId ?? 0) }, keys.map { Int($0.year ?? 0) }, keys.map { $0.stage ?? "self" },
                         hits.map(\.catalogue), hits.map(\.indicator), hits.map(\.expression), hits.map(\.left), hits.map(\.right),
                         hits.map { $0.itemIds.map(String.init).joined(separator: ",") }, hits.map { $0.values.joined(separator: ",") },
                         hits.map { staged.ref($0.record) }, messages.map(\.vi), messages.map(\.en)]))
    }
}
