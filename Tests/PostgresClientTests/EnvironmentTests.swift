import PostgresClient
import Testing

@Suite("connection strings and the environment")
struct EnvironmentTests {
    @Test("DATABASE_URL wins, then any PG* variable means \"\" (libpq reads them), else nothing")
    func environmentConninfo() {
        #expect(PostgresConnection.environmentConninfo([:]) == nil)
        #expect(PostgresConnection.environmentConninfo(["HOME": "/root", "PGPASSWORD": "x"]) == nil)
        #expect(PostgresConnection.environmentConninfo(["PGHOST": "/run/pg"]) == "")
        #expect(PostgresConnection.environmentConninfo(["PGSERVICE": "dti"]) == "")
        #expect(PostgresConnection.environmentConninfo(["DATABASE_URL": "postgresql://a@b/c", "PGHOST": "x"]) == "postgresql://a@b/c")
        #expect(PostgresConnection.environmentConninfo(["DATABASE_URL": "", "PGUSER": "u"]) == "")
    }

    @Test("fromEnvironment returns nil when nothing is configured")
    func fromEmptyEnvironment() throws {
        #expect(try PostgresConnection.fromEnvironment([:]) == nil)
    }

    @Test("Conninfo parses URLs and keyword strings and replaces keywords")
    func conninfo() throws {
        let url = try Conninfo.parse("postgresql://postgres@/dti?host=/tmp/x%20y&port=5433")
        #expect(url["host"] == "/tmp/x y")
        #expect(url["port"] == "5433")
        #expect(url["dbname"] == "dti")
        let replaced = try Conninfo.replacing("host=/run/pg port=5432 dbname=dti user=postgres", with: ["dbname": "it's"])
        let back = try Conninfo.parse(replaced)
        #expect(back["dbname"] == "it's")
        #expect(back["host"] == "/run/pg")
        let e = #expect(throws: PostgresError.self) { try Conninfo.parse("host='unterminated") }
        #expect(e?.message.contains("unterminated quoted string") == true, "libpq's own reason: \(String(describing: e))")
    }
}
