import ArgumentParser
import DTIWarehouse

struct DbCreateLoginCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create-login",
        abstract: "Tạo tài khoản đăng nhập cho cán bộ huyện, chuyên viên phân tích hoặc vận hành / create a login for district staff, an analyst or an operator.",
        discussion: """
        --kind district: chỉ xem được huyện của mình và các xã trực thuộc (bảo mật
        theo dòng trên cả bảng gốc và view). --kind analyst: đọc mọi view, không ghi
        được gì. --kind etl: nạp số liệu và tổng hợp. Chạy lại với cùng tham số
        không đổi gì; với --district khác thì chuyển tài khoản sang huyện đó.
        --kind district sees only its district and communes (row-level security on
        base tables and views alike); analyst reads every view and writes nothing;
        etl loads and rolls up. Rerunning changes nothing.

          dti db create-login tanyen --kind district --district bac-giang.tan-yen
          psql "$(dti db url | sed 's|postgres@|tanyen@|')" \\
               -c 'select * from v_unit_index'
          dti db create-login phan_tich --kind analyst --password '…'
        """
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Tên tài khoản (vai trò PostgreSQL) / login (PostgreSQL role) name.") var name: String
    @Option(help: "district, analyst hoặc etl.") var kind: Logins.Kind = .district
    @Option(help: "Mã huyện (với --kind district) / district code.") var district: String?
    @Option(help: "Mật khẩu (không bắt buộc với cụm nhúng, kết nối qua socket) / password.") var password: String?

    func run() throws {
        let db = try Connect.database()
        let r = try Logins(connection: db).create(role: name, kind: kind, district: district, password: password)
        let scope = r.district.map { " — \($0)" } ?? ""
        Output.line(r.created ? Say.text(vi: "đã tạo tài khoản \(r.role) (dti_\(kind.rawValue))\(scope)", en: "created login \(r.role) (dti_\(kind.rawValue))\(scope)")
                              : Say.text(vi: "tài khoản \(r.role) đã có; đã cập nhật (dti_\(kind.rawValue))\(scope)", en: "login \(r.role) existed; updated (dti_\(kind.rawValue))\(scope)"))
    }
}

extension Logins.Kind: ExpressibleByArgument {}
