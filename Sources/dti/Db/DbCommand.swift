import ArgumentParser

struct DbCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Cơ sở dữ liệu: khởi động, dừng, trạng thái, URL, migration / the database: up, down, status, url, migrate.",
        discussion: """
        Mặc định dti chạy một cụm PostgreSQL nhúng, dùng một lần, trong .dti/pg
        (socket Unix, không mở cổng TCP). Khi DATABASE_URL hoặc các biến PG* được
        đặt, dti dùng máy chủ đó và không khởi động cụm nhúng.
        By default dti runs an embedded, throwaway PostgreSQL cluster in .dti/pg (a
        Unix socket, no TCP port). When DATABASE_URL or the PG* variables are set,
        dti uses that server and never starts the embedded one.

          dti db up
          dti db migrate
          psql "$(dti db url)"
          dti db status
          dti db down
        """,
        subcommands: [DbUpCommand.self, DbDownCommand.self, DbStatusCommand.self, DbUrlCommand.self, DbMigrateCommand.self, DbCreateLoginCommand.self]
    )
}
