import ArgumentParser
import DTIWarehouse

struct DbDownCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "down",
        abstract: "Dừng cụm PostgreSQL nhúng / stop the embedded PostgreSQL cluster.",
        discussion: """
        pg_ctl stop -m fast: các phiên đang mở bị hủy và đóng; dữ liệu trong
        .dti/pg/data vẫn còn cho lần dti db up sau.
        pg_ctl stop -m fast: open sessions are rolled back and closed; the data in
        .dti/pg/data stays for the next dti db up.

          dti db down
          DTI_STATE_DIR=.dti/test dti db down
        """
    )

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let cluster = EmbeddedCluster(home: try Home.locate())
        if try cluster.down() {
            Output.line(Output.text(vi: "đã dừng PostgreSQL nhúng (\(cluster.dataDirectory))", en: "stopped the embedded PostgreSQL (\(cluster.dataDirectory))"))
        } else {
            Output.line(Output.text(vi: "PostgreSQL nhúng không chạy (\(cluster.dataDirectory))", en: "the embedded PostgreSQL is not running (\(cluster.dataDirectory))"))
        }
    }
}
