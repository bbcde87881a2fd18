import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive `flock` on a file, held while `body` runs: two `dti db up` (or two test threads starting the
/// test cluster) never run `initdb` or `pg_ctl start` on the same directory at once. Each call opens the file
/// anew, so threads of one process exclude each other as well.
enum FileLock {
    static func withLock<T>(_ path: String, _ body: () throws -> T) throws -> T {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw DTIError(.database, vi: "không mở được tệp khóa \(path): \(String(cString: strerror(errno)))",
                           en: "cannot open the lock file \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            if errno != EINTR {
                throw DTIError(.database, vi: "không khóa được \(path)", en: "cannot lock \(path)")
            }
        }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }
}
