import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The operating-system account the embedded server runs as. PostgreSQL refuses to run as root, so when `dti`
/// runs as root the server runs as `postgres` (or, where there is no such user, a system user `dtipg` created for
/// it) through `runuser`; otherwise it runs as the current user.
struct ServerAccount: Sendable {
    /// The account name; nil means the current user.
    let name: String?
    let uid: uid_t
    let gid: gid_t
    /// `runuser`, when commands must switch user.
    let runuser: String?

    static let fallbackName = "dtipg"

    /// The account for this process: the current user, or (as root) `postgres` / `dtipg`.
    static func resolve(path: String?) throws -> ServerAccount {
        guard geteuid() == 0 else { return ServerAccount(name: nil, uid: geteuid(), gid: getegid(), runuser: nil) }
        guard let runuser = Subprocess.which("runuser", path: path) else {
            throw DTIError(.database, vi: "đang chạy với quyền root nhưng không có lệnh runuser để chạy PostgreSQL bằng người dùng khác",
                           en: "running as root but there is no runuser to run PostgreSQL as another user")
        }
        for name in ["postgres", fallbackName] {
            if let (uid, gid) = lookup(name) { return ServerAccount(name: name, uid: uid, gid: gid, runuser: runuser) }
        }
        guard let useradd = Subprocess.which("useradd", path: path) else {
            throw DTIError(.database, vi: "không có người dùng postgres và không có useradd để tạo \(fallbackName)",
                           en: "there is no postgres user and no useradd to create \(fallbackName)")
        }
        let made = try Subprocess.run(useradd, ["--system", "--user-group", "--no-create-home", "--home-dir", "/nonexistent",
                                                "--shell", "/usr/sbin/nologin", fallbackName], environment: ["PATH": path ?? "/usr/sbin:/usr/bin:/sbin:/bin"])
        guard let (uid, gid) = lookup(fallbackName) else {
            throw DTIError(.database, vi: "không tạo được người dùng hệ thống \(fallbackName)", en: "cannot create the system user \(fallbackName)",
                           details: made.output.split(separator: "\n").map(String.init))
        }
        return ServerAccount(name: fallbackName, uid: uid, gid: gid, runuser: runuser)
    }

    /// The command line that runs `program` as this account.
    func command(_ program: String, _ arguments: [String]) -> (String, [String]) {
        guard let name, let runuser else { return (program, arguments) }
        return (runuser, ["-u", name, "--", program] + arguments)
    }

    /// Creates `path` (and its parents) if needed, gives it to this account (unless `own` is false) and sets its mode.
    func prepareDirectory(_ path: String, mode: mode_t, own: Bool = true) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw DTIError(.database, vi: "không tạo được thư mục \(path): \(error.localizedDescription)",
                           en: "cannot create the directory \(path): \(error.localizedDescription)")
        }
        if own, name != nil, chown(path, uid, gid) != 0 {
            throw DTIError(.database, vi: "không chuyển được quyền sở hữu \(path) cho \(name ?? "")",
                           en: "cannot give \(path) to \(name ?? "")")
        }
        if chmod(path, mode) != 0 {
            throw DTIError(.database, vi: "không đặt được quyền của \(path)", en: "cannot set the mode of \(path)")
        }
    }

    /// Checks that this account can reach `path`: every ancestor directory must be searchable by it.
    func checkReachable(_ path: String) throws {
        guard name != nil else { return }
        var dir = URL(fileURLWithPath: path).deletingLastPathComponent()
        while dir.path != "/" && !dir.path.isEmpty {
            var info = stat()
            if stat(dir.path, &info) == 0 {
                let mode = info.st_mode
                let searchable = info.st_uid == uid ? mode & S_IXUSR != 0
                    : info.st_gid == gid ? mode & S_IXGRP != 0 : mode & S_IXOTH != 0
                if !searchable {
                    throw DTIError(.database, vi: "người dùng \(name ?? "") của PostgreSQL không vào được thư mục \(dir.path) (cần quyền x cho người khác, ví dụ chmod o+x); hoặc đặt DTI_STATE_DIR sang chỗ khác",
                                   en: "the PostgreSQL user \(name ?? "") cannot enter \(dir.path) (it needs o+x, e.g. chmod o+x); or set DTI_STATE_DIR elsewhere")
                }
            }
            dir.deleteLastPathComponent()
        }
    }

    private static func lookup(_ name: String) -> (uid_t, gid_t)? {
        guard let entry = getpwnam(name) else { return nil }
        return (entry.pointee.pw_uid, entry.pointee.pw_gid)
    }
}
