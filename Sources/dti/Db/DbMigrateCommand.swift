import ArgumentParser
import DTIWarehouse

struct DbMigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Áp dụng migration (sql/migrations) và tạo lại view (sql/views) / apply migrations and recreate the views.",
        discussion: """
        Mỗi migration NNNN_ten.sql chạy một lần, trong giao dịch riêng, ghi lại
        cùng SHA-256 trong dti.schema_migrations. Migration đã áp dụng mà bị sửa
        thì bị từ chối (mã thoát 2): migration chỉ tiến, hãy viết migration mới.
        Sau đó mọi tệp trong sql/views chạy lại trong một giao dịch. Khởi động cụm
        nhúng nếu cần.
        Each NNNN_name.sql migration runs once, in its own transaction, recorded
        with its SHA-256 in dti.schema_migrations. An applied migration that was
        edited is refused (exit 2): migrations are forward-only, write a new one.
        Then every file of sql/views runs again in one transaction. Starts the
        embedded cluster when needed.

          dti db migrate
          DATABASE_URL=postgresql://etl@db.example/dti dti db migrate
        """
    )

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let home = try Home.locate()
        let db = try Database.connect(home: home)
        defer { db.close() }
        // Only the owner migrates. Before migration 0022 there is no dti.session_login() to ask: the server decides.
        if try db.query("SELECT to_regprocedure('dti.session_login()') IS NOT NULL AS known")[0]["known"].decode(Bool.self) {
            try Connect.require(.owner, command: "db migrate", db)
        }
        let report = try Migrator(home: home).migrate(db)
        for name in report.applied {
            Output.note(Output.text(vi: "  đã áp dụng \(name)", en: "  applied \(name)"))
        }
        Output.line(Output.text(
            vi: "\(report.applied.count) migration đã áp dụng, \(report.skipped) đã có từ trước; \(report.views) tệp view đã chạy",
            en: "\(report.applied.count) applied, \(report.skipped) already applied; \(report.views) view files run"))
    }
}
