import ArgumentParser
import DTIWarehouse

struct DbUrlCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "url",
        abstract: "In URL kết nối cơ sở dữ liệu dti cho psql / print the dti database's connection URL for psql.",
        discussion: """
        In URL của cụm nhúng (postgresql://postgres@/dti?host=<socket>&port=<cổng>),
        hoặc DATABASE_URL khi nó được đặt. Không khởi động gì.
        Prints the embedded cluster's URL
        (postgresql://postgres@/dti?host=<socket>&port=<port>), or DATABASE_URL when
        that is set. Starts nothing.

          dti db url
          psql "$(dti db url)"
          psql "$(dti db url)" -c 'SELECT * FROM dti.schema_migrations'
        """
    )

    @OptionGroup var global: GlobalOptions

    @Flag(name: .long, help: "In chuỗi kết nối libpq thay vì URL / print the libpq keyword string instead of a URL.")
    var conninfo = false

    func run() throws {
        let home = try Home.locate()
        switch Database.target(home: home) {
        case .external(let info):
            guard !info.isEmpty else {
                throw DTIError(.usage, vi: "đang dùng các biến PG* (không có DATABASE_URL): psql tự đọc chúng, chỉ cần chạy psql",
                               en: "the PG* variables are in use (no DATABASE_URL): psql reads them itself, just run psql")
            }
            Output.line(info)
        case .embedded(let cluster):
            let s = cluster.status()
            Output.line(conninfo ? s.conninfo : s.url)
        }
    }
}
