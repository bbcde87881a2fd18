import DTITestSupport
import DTIWarehouse
import Foundation

/// A throwaway project directory under `<repo>/.dti/tmp/` with its own `sql/migrations` (a copy of the
/// repository's 0001 plus what a test writes) and `sql/views`.
struct TempHome {
    let root: String
    var home: Home { Home(root: root) }
    var migrations: String { root + "/sql/migrations" }
    var views: String { root + "/sql/views" }
    var migrator: Migrator { Migrator(migrationsDirectory: migrations, viewsDirectory: views) }

    init() throws {
        root = TestServer.repositoryRoot + "/.dti/tmp/home-" + UUID().uuidString.lowercased()
        let fm = FileManager.default
        try fm.createDirectory(atPath: root + "/sql/migrations", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: root + "/sql/views", withIntermediateDirectories: true)
        try fm.copyItem(atPath: TestServer.repositoryRoot + "/sql/migrations/0001_foundation.sql",
                        toPath: migrations + "/0001_foundation.sql")
    }

    func migration(_ fileName: String, _ sql: String) throws {
        try Data(sql.utf8).write(to: URL(fileURLWithPath: migrations + "/" + fileName))
    }

    func view(_ fileName: String, _ sql: String) throws {
        try Data(sql.utf8).write(to: URL(fileURLWithPath: views + "/" + fileName))
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: root)
    }
}
