import ArgumentParser
import DTIWarehouse

struct DbStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Cơ sở dữ liệu nào đang dùng, chạy ở đâu / which database is used and where it runs.",
        discussion: """
        Cho biết các lệnh dti dùng máy chủ nào (DATABASE_URL/PG* hay cụm nhúng), và
        cụm nhúng có chạy không: pid, thư mục dữ liệu, socket, cổng, phiên bản, URL.
        Mã thoát 0 cả khi cụm không chạy.
        Says which server dti commands use (DATABASE_URL/PG* or the embedded
        cluster) and whether the embedded cluster runs: pid, data directory, socket,
        port, version, URL. Exits 0 even when it is not running.

          dti db status
          dti db status --lang en
        """
    )

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let home = try Home.locate()
        if case .external(let conninfo) = Database.target(home: home) {
            Output.line(Output.text(vi: "các lệnh dti dùng máy chủ từ DATABASE_URL/PG*: \(Database.describe(conninfo: conninfo))",
                                    en: "dti commands use the server from DATABASE_URL/PG*: \(Database.describe(conninfo: conninfo))"))
        }
        let s = EmbeddedCluster(home: home).status()
        if s.running {
            Output.line(t("PostgreSQL nhúng: đang chạy", "embedded PostgreSQL: running"))
            Output.line(t("  pid:           ", "  pid:           ") + (s.pid.map(String.init) ?? "?"))
            Output.line(t("  phiên bản:     ", "  version:       ") + (s.serverVersion ?? "?"))
        } else {
            Output.line(t(s.initialized ? "PostgreSQL nhúng: không chạy" : "PostgreSQL nhúng: chưa tạo (dti db up để tạo)",
                          s.initialized ? "embedded PostgreSQL: not running" : "embedded PostgreSQL: not created yet (dti db up creates it)"))
        }
        Output.line(t("  dữ liệu:       ", "  data:          ") + s.dataDirectory)
        Output.line(t("  socket:        ", "  socket:        ") + s.socketDirectory)
        Output.line(t("  cổng:          ", "  port:          ") + String(s.port))
        Output.line(t("  nhật ký:       ", "  log:           ") + s.logFile)
        Output.line("  URL:           " + s.url)
    }
}

private func t(_ vi: String, _ en: String) -> String { Output.text(vi: vi, en: en) }
