import ArgumentParser
import DTIWarehouse

struct UnitsLoadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Nạp hoặc cập nhật đơn vị / load or update units and peer groups from CSV.",
        discussion: """
        Mỗi tệp được kiểm tra toàn bộ trước (mã, cấp, ngày, đơn vị cấp trên, tiền
        thân, nhóm so sánh); một tệp có lỗi không nạp gì và mọi lỗi được báo kèm số
        dòng. Nạp lại cùng tệp không thay đổi gì.
        Each file is checked as a whole first; a file with any problem loads
        nothing, and every problem is reported with its line. Loading the same file
        again changes nothing.

          dti units load etl/reference/peer-groups.csv etl/reference/units.csv
          dti units load etl/samples/tan-yen/units.csv
        """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Tệp CSV đơn vị hoặc nhóm so sánh / units or peer-group CSV files.")
    var files: [String]

    func run() throws {
        let db = try Connect.database(for: .etl, command: "units load")
        let loader = UnitsLoader(connection: db)
        for file in files {
            let r = try loader.load(path: file)
            let what = r.kind == "units" ? Output.text(vi: "đơn vị", en: "units") : Output.text(vi: "nhóm so sánh", en: "peer groups")
            Output.line(Output.text(vi: "\(file): \(what): \(r.inserted) mới, \(r.updated) cập nhật, \(r.unchanged) không đổi",
                                    en: "\(file): \(what): \(r.inserted) new, \(r.updated) updated, \(r.unchanged) unchanged"))
        }
    }
}
