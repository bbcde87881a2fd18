import ArgumentParser
import DTIWarehouse
import Foundation
#if canImport(Glibc)
import Glibc
#endif

struct DbCreateLoginCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create-login",
        abstract: "Tạo tài khoản đăng nhập cho cán bộ huyện, chuyên viên phân tích hoặc vận hành / create a login for district staff, an analyst or an operator.",
        discussion: """
        --kind district: chỉ xem được huyện của mình và các xã trực thuộc (bảo mật
        theo dòng trên cả bảng gốc và view). --kind analyst: đọc mọi view, không ghi
        được gì. --kind etl: nạp số liệu và tổng hợp. Chạy lại với cùng tham số
        không đổi gì; với --district khác thì chuyển tài khoản sang huyện đó.

        Mật khẩu không bao giờ nằm trên dòng lệnh (ps, lịch sử shell): dti hỏi khi
        chạy ở terminal, hoặc đọc từ đầu vào chuẩn với --password-stdin. Chỉ bản băm
        SCRAM được gửi tới máy chủ. Tài khoản đã có giữ mật khẩu cũ, trừ khi có
        --password-stdin hoặc --reset-password.

        --kind district sees only its district and communes (row-level security on
        base tables and views alike); analyst reads every view and writes nothing;
        etl loads and rolls up. Rerunning changes nothing. The password is never an
        argument: dti asks for it on a terminal, or reads it from standard input with
        --password-stdin; only its SCRAM hash reaches the server.

          dti db create-login tanyen --kind district --district bac-giang.tan-yen
          printf '%s\\n' "$MAT_KHAU" | dti db create-login phan_tich --kind analyst --password-stdin
          psql "host=… dbname=dti user=tanyen"      # psql hỏi mật khẩu / psql asks
        """
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Tên tài khoản (vai trò PostgreSQL) / login (PostgreSQL role) name.") var name: String
    @Option(help: "district, analyst hoặc etl.") var kind: Logins.Kind = .district
    @Option(help: "Mã huyện (với --kind district) / district code.") var district: String?
    @Flag(help: "Đọc mật khẩu từ đầu vào chuẩn (một dòng) / read the password from standard input (one line).") var passwordStdin = false
    @Flag(help: "Hỏi mật khẩu mới cho tài khoản đã có / ask for a new password for an existing login.") var resetPassword = false
    @Flag(help: "Không đặt mật khẩu (máy chủ ngoài xác thực cách khác, ví dụ chứng chỉ) / no password (an external server that authenticates otherwise).")
    var noPassword = false
    @Option(help: .hidden) var password: String?

    func validate() throws {
        if password != nil {
            throw DTIError(.usage, vi: "không nhận mật khẩu trên dòng lệnh (nó lộ trong ps và lịch sử shell): dùng --password-stdin, hoặc chạy ở terminal để dti hỏi",
                           en: "the password is not taken as an argument (it would show in ps and the shell history): use --password-stdin, or run on a terminal and dti asks")
        }
        if noPassword && (passwordStdin || resetPassword) {
            throw DTIError(.usage, vi: "--no-password không dùng cùng --password-stdin hay --reset-password", en: "--no-password does not go with --password-stdin or --reset-password")
        }
    }

    func run() throws {
        let db = try Connect.database(for: .owner, command: "db create-login")
        let logins = Logins(connection: db)
        let exists = try logins.exists(role: name)
        let secret: String?
        if passwordStdin {
            secret = try Self.readStandardInput()
        } else if noPassword || (exists && !resetPassword) {
            secret = nil
        } else if isatty(STDIN_FILENO) == 1 {
            secret = try Self.prompt(for: name)
        } else {
            throw DTIError(.usage, vi: "tài khoản mới cần mật khẩu: chạy ở terminal để dti hỏi, hoặc đưa mật khẩu vào đầu vào chuẩn với --password-stdin",
                           en: "a new login needs a password: run on a terminal and dti asks, or pipe it in with --password-stdin")
        }
        let r = try logins.create(role: name, kind: kind, district: district, password: secret)
        let scope = r.district.map { " — \($0)" } ?? ""
        Output.line(r.created ? Say.text(vi: "đã tạo tài khoản \(r.role) (dti_\(kind.rawValue))\(scope)", en: "created login \(r.role) (dti_\(kind.rawValue))\(scope)")
                              : Say.text(vi: "tài khoản \(r.role) đã có; đã cập nhật (dti_\(kind.rawValue))\(scope)", en: "login \(r.role) existed; updated (dti_\(kind.rawValue))\(scope)"))
        if secret != nil && !r.created {
            Output.note(vi: "đã đặt mật khẩu mới cho \(r.role)", en: "set a new password for \(r.role)")
        }
    }

    /// One line of standard input, without its line ending.
    static func readStandardInput() throws -> String {
        let data = FileHandle.standardInput.readDataToEndOfFile()
        var text = String(decoding: data, as: UTF8.self)
        if text.hasSuffix("\n") { text.removeLast() }
        if text.hasSuffix("\r") { text.removeLast() }
        guard !text.isEmpty, !text.contains("\n") else {
            throw DTIError(.usage, vi: "--password-stdin cần đúng một dòng mật khẩu không rỗng ở đầu vào chuẩn",
                           en: "--password-stdin needs exactly one non-empty line of password on standard input")
        }
        return text
    }

    /// Asks twice on the terminal, without echo.
    static func prompt(for role: String) throws -> String {
        func ask(_ label: String) -> String {
            FileHandle.standardError.write(Data(label.utf8))
            var saved = termios()
            tcgetattr(STDIN_FILENO, &saved)
            var quiet = saved
            quiet.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet)
            defer { tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved); FileHandle.standardError.write(Data("\n".utf8)) }
            return readLine(strippingNewline: true) ?? ""
        }
        let first = ask(Say.text(vi: "Mật khẩu cho \(role): ", en: "Password for \(role): "))
        let second = ask(Say.text(vi: "Nhập lại: ", en: "Again: "))
        guard !first.isEmpty else { throw DTIError(.usage, vi: "mật khẩu rỗng", en: "empty password") }
        guard first == second else { throw DTIError(.usage, vi: "hai lần nhập không khớp", en: "the two entries differ") }
        return first
    }
}

extension Logins.Kind: ExpressibleByArgument {}
