import DTIWarehouse
import PostgresClient

/// The database every command talks to: `DATABASE_URL` / `PG*` when set, else the embedded cluster (started on
/// demand) with migrations applied.
enum Connect {
    static func database() throws -> PostgresConnection {
        let home = try Home.locate()
        do {
            return try Database.connect(home: home)
        } catch let e as PostgresError {
            throw DTIError(.database, vi: "không kết nối được cơ sở dữ liệu: \(e)", en: "cannot connect to the database: \(e)")
        }
    }
}
