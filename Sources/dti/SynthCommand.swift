import ArgumentParser
import DTICore
import DTISynth
import DTIWarehouse
import Foundation

struct SynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Sinh một “quốc gia mẫu” tất định để demo và benchmark / a deterministic synthetic country.",
        discussion: """
        --scale 1 ≈ cả nước trước cải cách 2025 (63 tỉnh, ~700 huyện, ~10.000 xã).
        Mọi tên đều có chữ “mẫu”. Cùng --seed cho cùng dữ liệu trên mọi máy. Ghi
        units.csv, peer-groups.csv, profiles-<năm>.csv, commune-data-<năm>.csv,
        district-<năm>.csv; với sáp nhập 2025: tỉnh và xã mới có predecessors.
        --scale 1 ≈ the country before the 2025 reform. Every name says "mẫu"
        (sample). The same --seed gives the same data on every machine.

          dti synth --scale 0.1 --seed 7 --out .dti/synth
          dti synth --within bac-giang.tan-yen --communes 22 \\
                    --out etl/samples/tan-yen
          dti units load .dti/synth/peer-groups.csv .dti/synth/units.csv \\
            && dti load .dti/synth/*-2024.csv
        """
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: "Quy mô (1 = cả nước) / scale.") var scale: Double = 0.1
    @Option(help: "Hạt giống ngẫu nhiên / seed.") var seed: UInt64 = 1
    @Option(help: "Các năm, ví dụ 2022-2024 / years.") var years: String = "2022-2024"
    @Option(help: "Thư mục kết quả / output directory.") var out: String
    @Option(help: "Bộ chỉ số số liệu xã / commune data catalogue.") var communeCatalogue = "commune-data-2024"
    @Option(help: "Bộ chỉ số cấp huyện / district catalogue.") var districtCatalogue = "bac-giang-district-2022"
    @Flag(help: "Không sinh kịch bản sáp nhập 2025 / no 2025 mergers.") var noMergers = false
    @Option(help: "Chỉ sinh các xã mẫu thuộc một huyện đã có (mã huyện) / only sample communes under an existing district.") var within: String?
    @Option(help: "Số xã mẫu khi dùng --within / number of sample communes with --within.") var communes = 20

    func run() throws {
        let home = try Home.locate()
        func load(_ id: String) throws -> Catalogue {
            let checked = CatalogueFiles.check(path: home.catalogues + "/\(id).yaml")
            guard let c = checked.catalogue, !checked.hasErrors else {
                throw DTIError(.inputRejected, vi: "bộ chỉ số \(id) có lỗi hoặc không có", en: "catalogue \(id) has errors or is missing",
                               details: checked.diagnostics.errors.map { $0.text(Output.language) })
            }
            return c
        }
        let range = try ExportCommand.parseYears(years)
        let profile = try? load("unit-profile")
        let synth = Synth(communeCatalogue: try load(communeCatalogue), districtCatalogue: try load(districtCatalogue), profileCatalogue: profile)
        let result = try synth.generate(.init(scale: scale, seed: seed, years: Array(range), mergers: !noMergers, within: within, communes: communes), into: out) { Output.note("  \($0)") }
        for f in result.files { Output.line(f) }
        Output.note(vi: "\(result.provinces) tỉnh, \(result.districts) huyện, \(result.communes) xã; \(result.communeRows) dòng số liệu xã, \(result.districtRows) dòng số liệu huyện",
                    en: "\(result.provinces) provinces, \(result.districts) districts, \(result.communes) communes; \(result.communeRows) commune rows, \(result.districtRows) district rows")
    }
}
