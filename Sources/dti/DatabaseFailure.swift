import DTICore
import DTIWarehouse
import PostgresClient

/// What a person reads when a command meets a database error it did not expect: a lost connection or a server
/// that went away (exit 3), a refused permission (exit 1: the login is of the wrong kind for this command), or any
/// other server error (exit 3). The first line is in the user's language; libpq's own words follow (issue 19, point 6).
enum DatabaseFailure {
    static func explain(_ error: PostgresError) -> DTIError {
        if error.sqlState == "42501" {
            return DTIError(.usage, Message("database.permission",
                vi: "tài khoản này không được phép làm việc này: lệnh nạp và tổng hợp cần tài khoản etl, việc quản trị cần chủ cơ sở dữ liệu (xem SECURITY.md)",
                en: "this login may not do this: load and roll-up need an etl login, administration needs the database owner (see SECURITY.md)"),
                details: [error.description])
        }
        if error.kind == .connection || error.sqlState?.hasPrefix("08") == true || error.sqlState?.hasPrefix("57P") == true {
            return DTIError(database: error, vi: "mất kết nối tới cơ sở dữ liệu (máy chủ đã dừng hoặc kết nối bị ngắt); không có gì được ghi dở dang — chạy dti db up hoặc kiểm tra máy chủ rồi chạy lại",
                            en: "the connection to the database was lost (the server stopped or the connection broke); nothing was half-written: run dti db up or check the server, then run again")
        }
        return DTIError(database: error, vi: "cơ sở dữ liệu từ chối lệnh", en: "the database refused the command")
    }
}
