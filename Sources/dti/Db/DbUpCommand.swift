import ArgumentParser
import DTIWarehouse

struct DbUpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Khởi động cụm PostgreSQL nhúng (tạo nếu chưa có) / start the embedded PostgreSQL cluster (creating it if needed).",
        discussion: """
        Chạy initdb khi chưa có cụm, pg_ctl start khi máy chủ chưa chạy, tạo cơ sở
        dữ liệu dti khi thiếu. Chạy lại khi máy chủ đang chạy thì không làm gì.
        DTI_STATE_DIR đổi thư mục .dti, DTI_PG_PORT đổi số cổng (mặc định 5432),
        DTI_PG_BINDIR chọn chương trình PostgreSQL.
        Runs initdb when there is no cluster, pg_ctl start when the server is not
        running, creates the dti database when missing. Running it again while the
        server runs changes nothing. DTI_STATE_DIR moves .dti, DTI_PG_PORT sets the
        port number (default 5432), DTI_PG_BINDIR picks the PostgreSQL programs.

          dti db up
          DTI_STATE_DIR=/tmp/dti-demo dti db up
        """
    )

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let home = try Home.locate()
        if case .external(let conninfo) = Database.target(home: home) {
            Output.note(vi: "lưu ý: DATABASE_URL/PG* đang đặt nên các lệnh dti dùng \(Database.describe(conninfo: conninfo)), không dùng cụm nhúng",
                        en: "note: DATABASE_URL/PG* is set, so dti commands use \(Database.describe(conninfo: conninfo)), not the embedded cluster")
        }
        let report = try EmbeddedCluster(home: home).up()
        let s = report.status
        if report.initializedNow {
            Output.note(vi: "đã tạo cụm mới ở \(s.dataDirectory)", en: "created a new cluster in \(s.dataDirectory)")
        }
        if report.recoveredStaleLock {
            Output.note(vi: "máy chủ trước đã dừng đột ngột; đã dọn tệp khóa cũ", en: "the previous server had stopped abruptly; cleared its stale lock files")
        }
        if report.startedNow {
            Output.note(vi: "đã khởi động PostgreSQL \(s.serverVersion ?? "") (pid \(s.pid.map(String.init) ?? "?")), socket \(s.socketDirectory), cổng \(s.port)",
                        en: "started PostgreSQL \(s.serverVersion ?? "") (pid \(s.pid.map(String.init) ?? "?")), socket \(s.socketDirectory), port \(s.port)")
        } else {
            Output.note(vi: "PostgreSQL đã chạy sẵn (pid \(s.pid.map(String.init) ?? "?")), socket \(s.socketDirectory), cổng \(s.port)",
                        en: "PostgreSQL is already running (pid \(s.pid.map(String.init) ?? "?")), socket \(s.socketDirectory), port \(s.port)")
        }
        if report.securedNow && !report.initializedNow {
            Output.note(vi: "cụm giờ kiểm tra mật khẩu scram-sha-256 cho mọi tài khoản; mật khẩu mới của chủ cụm ở \(EmbeddedCluster(home: home).passfile) (chỉ bạn đọc được); tài khoản tạo trước đây cần đặt mật khẩu: dti db create-login TÊN --kind … --password-stdin",
                        en: "the cluster now checks scram-sha-256 passwords for every login; the owner's new password is in \(EmbeddedCluster(home: home).passfile) (readable by you only); logins made before need a password: dti db create-login NAME --kind … --password-stdin")
        }
        if report.createdDatabase {
            Output.note(vi: "đã tạo cơ sở dữ liệu dti", en: "created the database dti")
        }
        Output.line(s.url)
    }
}
