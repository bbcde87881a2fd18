import DTICore
import DTIFormats
import DTIWarehouse
import Foundation

/// A deterministic synthetic country for demos and benchmarks: provinces, districts, communes with profiles and
/// complete submissions for the commune data catalogue and a district catalogue, for several years; and the
/// 2025 merger scenario (provinces and communes merged, districts abolished) with lineage.
/// Everything it writes is labelled synthetic ("mẫu") in names and file headers.
public struct Synth {
    public struct Options: Sendable {
        /// 1.0 ≈ the country before the 2025 reform: 63 provinces, ~700 districts, ~10,000 communes.
        public var scale: Double
        public var seed: UInt64
        public var years: [Int]
        public var mergers: Bool
        /// Instead of a country: sample communes under one existing district (its code), e.g. the demo's Tân Yên.
        public var within: String?
        /// How many sample communes `within` gets.
        public var communes: Int
        public init(scale: Double, seed: UInt64 = 1, years: [Int] = [2022, 2023, 2024], mergers: Bool = true,
                    within: String? = nil, communes: Int = 20) {
            self.scale = scale; self.seed = seed; self.years = years; self.mergers = mergers
            self.within = within; self.communes = communes
        }
    }

    public struct Output: Sendable {
        public var files: [String]
        public var provinces: Int
        public var districts: Int
        public var communes: Int
        public var communeRows: Int
        public var districtRows: Int
    }

    /// Deterministic pseudo-random numbers (SplitMix64): the same seed gives the same country on every machine.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
        /// A fraction in [lo, hi] with 2 decimals, exact.
        mutating func fraction(_ lo: Int, _ hi: Int) -> Decimal { Decimal(int(lo...hi)) / 100 }
        mutating func chance(_ percent: Int) -> Bool { int(0...99) < percent }
    }

    let communeCatalogue: Catalogue
    let districtCatalogue: Catalogue
    let profileCatalogue: Catalogue?

    public init(communeCatalogue: Catalogue, districtCatalogue: Catalogue, profileCatalogue: Catalogue?) {
        self.communeCatalogue = communeCatalogue
        self.districtCatalogue = districtCatalogue
        self.profileCatalogue = profileCatalogue
    }

    struct Unit { var code, name, level, parent: String; var validFrom = "", validTo = "", predecessors = "", peerGroup = "" }

    public func generate(_ o: Options, into dir: String, log: (String) -> Void = { _ in }) throws -> Output {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var rng = Random(state: o.seed)
        let provinceCount = max(1, Int((63 * o.scale).rounded()))
        var units: [Unit] = []
        var peerGroups: [[String]] = [["code", "name", "description"]]
        var districts: [Unit] = [], communes: [Unit] = []
        if let district = o.within {
            // The district exists already (reference units); only its sample communes are written.
            districts.append(Unit(code: district, name: "", level: "district", parent: ""))
            for c in 1...max(1, o.communes) {
                let cu = Unit(code: String(format: "%@.xa-mau-%02d", district, c), name: String(format: "Xã mẫu %02d (dữ liệu tổng hợp)", c),
                              level: "commune", parent: district)
                units.append(cu); communes.append(cu)
            }
        }
        for p in 1...provinceCount where o.within == nil {
            let pcode = String(format: "mau-%02d", p)
            units.append(Unit(code: pcode, name: String(format: "Tỉnh mẫu %02d", p), level: "province", parent: ""))
            let group = pcode + ".cap-huyen"
            peerGroups.append([group, String(format: "Các huyện của tỉnh mẫu %02d", p), "dữ liệu tổng hợp (synthetic) cho demo và benchmark"])
            let nd = o.scale >= 0.05 ? rng.int(8...14) : rng.int(3...5)
            for d in 1...nd {
                let dcode = String(format: "%@.h%02d", pcode, d)
                let du = Unit(code: dcode, name: String(format: "Huyện mẫu %02d-%02d", p, d), level: "district", parent: pcode, peerGroup: group)
                units.append(du); districts.append(du)
                let nc = o.scale >= 0.05 ? rng.int(10...19) : rng.int(4...8)
                for c in 1...nc {
                    let cu = Unit(code: String(format: "%@.x%02d", dcode, c), name: String(format: "Xã mẫu %02d-%02d-%02d", p, d, c), level: "commune", parent: dcode)
                    units.append(cu); communes.append(cu)
                }
            }
        }
        // 2025: provinces merged two by two, communes merged two by two inside their old district's province.
        if o.mergers && provinceCount >= 2 && o.within == nil {
            for p in stride(from: 1, to: provinceCount, by: 2) {
                let a = String(format: "mau-%02d", p), b = String(format: "mau-%02d", p + 1)
                let merged = String(format: "mau-%02d-%02d", p, p + 1)
                units.append(Unit(code: merged, name: String(format: "Tỉnh mẫu %02d-%02d (sáp nhập 2025)", p, p + 1), level: "province", parent: "",
                                  validFrom: "2025-07-01", predecessors: "\(a)|\(b)"))
                let group = merged + ".cap-xa"
                peerGroups.append([group, "Các xã của tỉnh mẫu sáp nhập", "dữ liệu tổng hợp (synthetic): 2025, không còn cấp huyện"])
                let olds = communes.filter { $0.code.hasPrefix(a + ".") || $0.code.hasPrefix(b + ".") }
                for (k, pair) in stride(from: 0, to: olds.count - 1, by: 2).enumerated() {
                    units.append(Unit(code: String(format: "%@.xa%03d", merged, k + 1), name: String(format: "Xã mẫu mới %03d (sáp nhập 2025)", k + 1),
                                      level: "commune", parent: merged, validFrom: "2025-07-01",
                                      predecessors: "\(olds[pair].code)|\(olds[pair + 1].code)", peerGroup: group))
                }
            }
        }
        var files: [String] = []
        func write(_ name: String, _ rows: [[String]]) throws {
            let path = (dir as NSString).appendingPathComponent(name)
            try Data(CSVWriter.encode(rows, bom: false).utf8).write(to: URL(fileURLWithPath: path))
            files.append(path)
        }
        if o.within == nil { try write("peer-groups.csv", peerGroups) }
        try write("units.csv", [["code", "name", "level", "parent_code", "valid_from", "valid_to", "predecessors", "peer_group", "tags"]]
                  + units.map { [$0.code, $0.name, $0.level, $0.parent, $0.validFrom, $0.validTo, $0.predecessors, $0.peerGroup, ""] })
        let provinces = o.within == nil ? provinceCount : 0
        log("\(provinces) tỉnh, \(districts.count) huyện, \(communes.count) xã")

        // Profiles: communes get households, population …; a district's are the sums (the roll-up derives them).
        var communeBase: [String: (households: Int, population: Int, villages: Int)] = [:]
        for c in communes { communeBase[c.code] = (rng.int(900...4500), 0, rng.int(5...16)) }
        for (k, v) in communeBase { communeBase[k]!.population = v.households * 38 / 10 }

        var communeRows = 0, districtRows = 0
        for year in o.years {
            var yrng = Random(state: o.seed &+ UInt64(year) &* 7919)
            // unit profiles
            var profile: [[String]] = [SubmissionColumns.all]
            if let pc = profileCatalogue {
                for c in communes {
                    let b = communeBase[c.code]!
                    let growth = 1 + Double(year - o.years[0]) * 0.01
                    let values: [String: Int] = ["households": Int(Double(b.households) * growth), "population": Int(Double(b.population) * growth),
                                                 "working_age_population": b.population * 62 / 100, "villages": b.villages,
                                                 "enterprises": yrng.int(10...120), "sme_enterprises": yrng.int(8...100), "postal_points": yrng.int(1...3)]
                    for (field, v) in values.sorted(by: { $0.key < $1.key }) where pc.indicator(field) != nil {
                        profile.append([c.code, String(year), pc.id, field, "value", String(v), "", "self"])
                    }
                }
                for d in districts {
                    for (field, v) in [("communes", communes.filter { $0.parent == d.code }.count), ("total_budget", yrng.int(400...1500)),
                                       ("dx_budget", yrng.int(3...30)), ("civil_servants", yrng.int(150...400)), ("public_employees", yrng.int(900...2500))]
                    where pc.indicator(field) != nil {
                        profile.append([d.code, String(year), pc.id, field, "value", String(v), "", "self"])
                    }
                }
                try write("profiles-\(year).csv", profile)
            }
            // commune data
            var rows: [[String]] = [SubmissionColumns.all]
            rows.reserveCapacity(communes.count * 80)
            let improvement = year - o.years[0]
            for c in communes {
                let b = communeBase[c.code]!
                let profile = ["households": b.households, "population": b.population, "villages": b.villages,
                               "working_age_population": b.population * 62 / 100]
                rows += values(for: communeCatalogue, unit: c.code, year: year, base: b.households, rng: &yrng, improvement: improvement, fed: true,
                               profile: profile)
            }
            communeRows += rows.count - 1
            try write("commune-data-\(year).csv", rows)
            // district own answers (what communes do not feed)
            var drows: [[String]] = [SubmissionColumns.all]
            let fed = Set(communeCatalogue.allIndicators.flatMap { i in i.variables.flatMap { v in v.feeds.filter { $0.catalogue == districtCatalogue.id }.map { "\($0.indicator).\($0.variable)" } } })
            for d in districts {
                drows += values(for: districtCatalogue, unit: d.code, year: year, base: yrng.int(15000...45000), rng: &yrng, improvement: improvement,
                                fed: false, skip: fed)
            }
            districtRows += drows.count - 1
            try write("district-\(year).csv", drows)
        }
        return Output(files: files, provinces: provinces, districts: districts.count, communes: communes.count,
                      communeRows: communeRows, districtRows: districtRows)
    }

    /// Values for every variable of every leaf indicator: denominators around `base`, numerators a share of them
    /// (higher in later years), yes/no mostly yes, choices among the options, counts for per-item rules.
    func values(for c: Catalogue, unit: String, year: Int, base: Int, rng: inout Random, improvement: Int, fed: Bool,
                skip: Set<String> = [], profile: [String: Int] = [:]) -> [[String]] {
        var out: [[String]] = []
        for i in c.leafIndicators {
            guard let rule = i.rule, rule.kind != "bonus" else { continue }
            var roles = Self.roles(rule)
            // A numerator whose district denominator is a profile field (villages, population …) is a share of
            // this unit's own profile value, so the district's ratio stays within 0…1.
            var bases: [String: Int] = [:]
            if fed {
                for v in i.variables {
                    for feed in v.feeds where feed.catalogue == districtCatalogue.id {
                        guard let target = districtCatalogue.indicator(feed.indicator), let targetRule = target.rule else { continue }
                        let targetRoles = Self.roles(targetRule)
                        if let role = targetRoles[feed.variable] { roles[v.name] = role }
                        if let denominator = target.variables.first(where: { targetRoles[$0.name] == .denominator && $0.profile != nil }),
                           let value = profile[denominator.profile!] {
                            bases[v.name] = value
                        }
                    }
                }
            }
            // Several numerators over fewer denominators ((b+c)/a): each is a share of its part, so that the declared
            // checks (b + c <= a) hold.
            let numerators = roles.values.filter { $0 == .numerator }.count, denominators = roles.values.filter { $0 == .denominator }.count
            let parts = denominators > 0 && numerators > denominators ? numerators / denominators : 1
            let start = out.count
            for v in i.variables where !skip.contains("\(i.code).\(v.name)") {
                // a constant the source fixes (3.6 b = 7) and an alias (d = a) are not inputs
                if v.profile != nil || v.previousYearOf != nil || !v.isInput { continue }
                let value: String
                switch v.kind {
                case .yesno: value = rng.chance(70 + 8 * improvement) ? "có" : "không"
                case .choice:
                    if case .choice(_, let options) = rule, !options.isEmpty { value = options[rng.int(0...(options.count - 1))].code } else { continue }
                case .text: continue
                case .points: value = (i.maxPoints.map { ($0 * rng.fraction(40 + 10 * improvement, 100)) } ?? 0).machineText
                default:
                    let role = roles[v.name] ?? .other
                    switch role {
                    case .denominator: value = String(max(1, base + rng.int(0...(base / 2 + 1))))
                    case .numerator: value = String(max(0, (bases[v.name] ?? base) * min(95, 35 + 10 * improvement + rng.int(0...25)) / 100 / parts))
                    case .count: value = String(rng.int(0...(4 + 2 * improvement)))
                    case .amount: value = v.kind == .count ? String(rng.int(0...40)) : (Decimal(rng.int(1...400)) / 100).machineText
                    case .other: value = String(rng.int(1...(base / 20 + 2)))
                    }
                }
                out.append([unit, String(year), c.id, i.code, v.name, value, "", "self"])
            }
            Self.satisfyChecks(i, rows: &out, from: start)
        }
        return out
    }

    /// Makes the indicator's rows (out[from...]) satisfy its declared checks of severity error (`a <= b`, `b + c <= a`),
    /// as real data would: a right side generated here is raised to the left side's sum; when it is not generated (a
    /// profile field), each part on the left is 1.
    static func satisfyChecks(_ i: Indicator, rows out: inout [[String]], from start: Int) {
        for check in i.checks where check.severity == .error && check.comparison == .lessOrEqual {
            guard case .variable(let right) = check.right else { continue }
            func row(_ name: String) -> Int? { (start..<out.count).first { out[$0][4] == name } }
            let parts = check.left.variables.compactMap(row)
            guard parts.count == check.left.variables.count else { continue }
            let sum = parts.compactMap { Int(out[$0][5]) }.reduce(0, +)
            if let r = row(right), let have = Int(out[r][5]) {
                if have < sum { out[r][5] = String(sum) }
            } else if row(right) == nil {
                for p in parts { out[p][5] = "1" }
            }
        }
    }

    enum Role { case numerator, denominator, count, amount, other }

    /// Which variables of a rule are numerators and which denominators, so synthetic ratios stay within 0…1.
    static func roles(_ rule: Rule) -> [String: Role] {
        var roles: [String: Role] = [:]
        func walk(_ f: Formula, under denominator: Bool) {
            switch f {
            case .variable(let v): roles[v] = denominator ? .denominator : (roles[v] ?? .numerator)
            case .number: break
            case .negate(let x): walk(x, under: denominator)
            case .add(let l, let r), .subtract(let l, let r), .multiply(let l, let r): walk(l, under: denominator); walk(r, under: denominator)
            case .divide(let l, let r): walk(l, under: denominator); walk(r, under: true)
            }
        }
        switch rule {
        case .ratio(let f, _, _), .target(let f, _, _, _), .minmax(let f, _, _), .growth(let f, _, _):
            walk(f, under: false)
        case .tiers(let f, _, _, _, _):
            if f.variables.count == 1, case .variable(let v) = f { roles[v] = .amount } else { walk(f, under: false) }
        case .perItem(let v, _, _), .deduction(let v, _, _, _):
            roles[v] = .count
        case .composite(let parts):
            for p in parts { roles.merge(Self.roles(p.rule)) { a, _ in a } }
        default: break
        }
        return roles
    }
}
