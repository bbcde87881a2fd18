import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The lock files a postmaster writes (`<data>/postmaster.pid`, `<socket dir>/.s.PGSQL.<port>.lock`): which
/// process holds them and whether that process is still a live PostgreSQL server.
struct PostmasterLock {
    let path: String

    /// The lines of the file: pid, data directory, start time, port, socket directory, listen address, shared
    /// memory key, status.
    var lines: [String]? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    var exists: Bool { FileManager.default.fileExists(atPath: path) }

    var pid: Int32? { lines?.first.flatMap { Int32($0.trimmingCharacters(in: .whitespaces)) } }
    var port: Int? { line(3).flatMap { Int($0) } }
    var socketDirectory: String? { line(4).flatMap { $0.isEmpty ? nil : $0 } }

    private func line(_ i: Int) -> String? {
        guard let lines, lines.count > i else { return nil }
        return lines[i].trimmingCharacters(in: .whitespaces)
    }

    /// The pid of the live server holding the file, or nil when there is no file or its process is gone (a crash,
    /// `kill -9`), a zombie, or some other program that got the pid back.
    var livePid: Int32? {
        guard let pid, pid > 0 else { return nil }
        return Self.isLivePostgres(pid) ? pid : nil
    }

    /// A file is present but no live server holds it.
    var isStale: Bool { exists && livePid == nil }

    /// Removes the file (only call when `isStale`).
    func remove() {
        unlink(path)
    }

    static func isLivePostgres(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 || errno == EPERM else { return false }
        #if os(Linux)
        if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) {
            // "1234 (postgres) S …": the name in parentheses, then the state; Z is a zombie, X is dead.
            guard let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")") else { return true }
            let name = stat[stat.index(after: open)..<close]
            let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
            if state == "Z" || state == "X" { return false }
            return name.hasPrefix("postgres") || name.hasPrefix("postmaster")
        }
        #endif
        return true
    }
}
