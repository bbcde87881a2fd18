// Score/ — `dti score` with no database. In: a catalogue file and a submission file. Out: points per indicator, pillar
// and index (CSV, JSON or a table), from the same DTICore scorer the roll-up uses.

import DTICore
import Foundation

/// `dti score`: scores a submission file against a catalogue file with no database — the same pure core the
/// roll-up uses. Every unit of the file is one peer group (for min–max). Rows of the unit-profile catalogue in
/// the same file fill `profile:` variables; rows of the previous year fill `previous_year_of:` variables.
public enum ScoreFile {
    public struct Result: Sendable {
        public var catalogue: Catalogue
        public var year: Int
        public var units: [UnitResult]
    }

    public static func score(catalogue: Catalogue, profileCatalogueId: String = "unit-profile", input path: String,
                             stage: Stage? = nil) throws -> [Result] {
        var source = try RecordSources.open(path: path)
        // catalogue → year → unit → indicator → variable
        var values: [String: [Int: [String: UnitValues]]] = [:]
        var problems: [String] = []
        while let r = try source.next() {
            if let problem = r.problem { problems.append("\(path):\(r.ref): \(problem)"); continue }
            if let s = stage, !r.stage.isEmpty, Stage(rawValue: r.stage.trimmingCharacters(in: .whitespaces)) != s { continue }
            guard let year = Int(r.year.trimmingCharacters(in: .whitespaces)) else {
                problems.append(Say.at(path, r.ref, vi: "năm '\(r.year)' không hợp lệ", en: "year '\(r.year)' is not valid"))
                continue
            }
            let cat = r.catalogue.trimmingCharacters(in: .whitespaces)
            guard cat == catalogue.id || cat == profileCatalogueId else { continue }
            let indicator = IndicatorCode.normalize(r.indicator)
            if cat == catalogue.id {
                guard let ind = catalogue.indicator(indicator) else {
                    problems.append(Say.at(path, r.ref, vi: "bộ chỉ số \(catalogue.id) không có chỉ số '\(indicator)'", en: "catalogue \(catalogue.id) has no indicator '\(indicator)'"))
                    continue
                }
                if !ind.isLeaf {
                    problems.append(Say.at(path, r.ref, vi: "chỉ số \(indicator) là tổng các chỉ số con: nhập từng chỉ số con", en: "indicator \(indicator) is the sum of its children: submit each child"))
                    continue
                }
            }
            let unit = r.unit.trimmingCharacters(in: .whitespaces)
            let variable = r.variable.trimmingCharacters(in: .whitespaces).lowercased()
            if values[cat]?[year]?[unit]?[indicator]?[variable] != nil {
                problems.append(Say.at(path, r.ref, vi: "trùng khóa \(unit) \(year) \(indicator) \(variable)", en: "duplicate key \(unit) \(year) \(indicator) \(variable)"))
                continue
            }
            values[cat, default: [:]][year, default: [:]][unit, default: [:]][indicator, default: [:]][variable] = InputValue.parse(r.value)
        }
        if !problems.isEmpty {
            throw DTIError(.inputRejected, vi: "\(path): \(problems.count) bản ghi sai", en: "\(path): \(problems.count) bad records", details: problems)
        }
        let byYear = values[catalogue.id] ?? [:]
        return byYear.keys.sorted().filter { catalogue.appliesTo(year: $0) || byYear.count == 1 }.map { year in
            let units = (byYear[year] ?? [:]).keys.sorted()
            let submissions = units.map { unit -> UnitSubmission in
                var profile: [String: InputValue] = [:]
                for (field, vars) in values[profileCatalogueId]?[year]?[unit] ?? [:] { if let v = vars["value"] { profile[field] = v } }
                let resolved = InputResolver.resolve(catalogue, submitted: byYear[year]?[unit] ?? [:], profile: profile,
                                                     previousYear: byYear[year - 1]?[unit] ?? [:])
                return UnitSubmission(unitCode: unit, tags: [], peerGroup: "file", values: resolved)
            }
            return Result(catalogue: catalogue, year: year, units: Scorer(catalogue: catalogue).score(submissions))
        }
    }

    /// The CSV of the design: `unit_code,year,catalogue,indicator,points,max_points`, one row per indicator and unit,
    /// points with full precision (empty when not scored).
    public static func csv(_ results: [Result]) -> String {
        var out = "unit_code,year,catalogue,indicator,points,max_points\n"
        for r in results {
            for u in r.units {
                for i in u.indicators {
                    out += "\(u.unitCode),\(r.year),\(r.catalogue.id),\(i.code),\(i.points?.machineText ?? ""),\(i.maxPoints?.machineText ?? "")\n"
                }
            }
        }
        return out
    }
}
