import ArgumentParser
import DTIPortal
import DTIWarehouse
import Dispatch
import Foundation
import Hummingbird
import Logging

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Cổng thông tin web cho cán bộ huyện, Sở TT&TT và người phân tích / the web portal.",
        discussion: """
        Mỗi người đăng nhập bằng tài khoản dti của mình (dti db create-login);
        cổng truy vấn bằng chính tài khoản đó nên chỉ thấy những gì được phép.
        Each person signs in with their own dti login; the portal queries as that
        login, so row-level security decides what they see.

          dti serve                       # http://127.0.0.1:8080/
          dti serve --port 18080 --bind 127.0.0.1
        """
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: "Địa chỉ lắng nghe / address to bind (mặc định 127.0.0.1).") var bind = "127.0.0.1"
    @Option(help: "Cổng / port (mặc định 8080).") var port = 8080
    @Flag(help: "Cookie có cờ Secure (khi phục vụ qua TLS, ví dụ sau một proxy) / Secure cookies behind TLS.") var secureCookies = false

    func run() throws {
        let home = try Home.locate()
        let db = try Connect.database(for: .reader, command: "serve")   // starts and migrates the embedded database when that is the one used
        // Sign-in is PostgreSQL's own check of the login's password: on a cluster that trusts connections, any
        // password is accepted. Say so (the rules are readable by a superuser only; otherwise nothing is said).
        if let trusted = try? db.query("SELECT count(*) AS n FROM pg_catalog.pg_hba_file_rules WHERE auth_method = 'trust'")[0]["n"].decode(Int.self),
           trusted > 0 {
            Output.note(vi: "cảnh báo: cơ sở dữ liệu tin mọi kết nối (trust) nên mật khẩu chưa được kiểm tra khi đăng nhập cổng; chỉ dùng trên máy này (xem SECURITY.md)",
                        en: "warning: the database trusts its connections (trust), so the portal's sign-in does not check passwords yet; use it on this machine only (see SECURITY.md)")
        }
        db.close()
        let conninfo: String
        switch Database.target(home: home) {
        case .external(let c): conninfo = c
        case .embedded(let cluster): conninfo = cluster.conninfo()
        }
        var config = PortalConfig(databaseConninfo: conninfo, serviceConninfo: conninfo)
        config.bind = bind
        config.port = port
        config.secureCookies = secureCookies
        config.crosswalks = try CrosswalkFiles.load(directory: home.crosswalks)
        config.uploadDirectory = home.root + "/.dti/uploads"
        LoggingSystem.bootstrap { label in
            var h = StreamLogHandler.standardError(label: label)
            h.logLevel = .info
            return h
        }
        let portal = Portal(config: config, logger: Logger(label: "dti.portal"))
        let app = portal.application()
        Output.note(vi: "cổng DTI: http://\(bind):\(port)/ (Ctrl-C để dừng)", en: "DTI portal: http://\(bind):\(port)/ (Ctrl-C to stop)")
        let done = DispatchSemaphore(value: 0)
        final class Box: @unchecked Sendable { var error: (any Error)? }
        let box = Box()
        Task {
            do { try await app.runService() } catch { box.error = error }
            done.signal()
        }
        done.wait()
        portal.shutdown()
        if let e = box.error { throw DTIError(.database, vi: "cổng dừng vì lỗi: \(e)", en: "the portal stopped: \(e)") }
    }
}
