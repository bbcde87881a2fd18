import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The paths given to `dti load`, checked all together before any file is read or committed: each must be a
/// regular file this process can open for reading. A directory, a missing or an unreadable path is named with what
/// was expected, so nothing is committed for the files before it (issue 19, point 6).
public enum LoadPaths {
    /// Throws one `inputRejected` error naming every bad path; returns when all are readable regular files.
    public static func check(_ paths: [String]) throws {
        var problems: [(vi: String, en: String)] = []
        for path in paths {
            var st = stat()
            if stat(path, &st) != 0 {
                problems.append(("\(path): không có tệp này", "\(path): no such file"))
            } else if (st.st_mode & S_IFMT) == S_IFDIR {
                problems.append(("\(path): là một thư mục, cần một tệp CSV, XLSX hoặc JSON (ví dụ \(path)/*.csv)",
                                 "\(path): is a directory; expected a CSV, XLSX or JSON file (e.g. \(path)/*.csv)"))
            } else if (st.st_mode & S_IFMT) != S_IFREG {
                problems.append(("\(path): không phải tệp thường, cần một tệp CSV, XLSX hoặc JSON",
                                 "\(path): is not a regular file; expected a CSV, XLSX or JSON file"))
            } else if access(path, R_OK) != 0 {
                problems.append(("\(path): không đọc được (quyền truy cập)", "\(path): cannot be read (permissions)"))
            }
        }
        guard !problems.isEmpty else { return }
        let count = problems.count
        throw DTIError(.inputRejected,
                       vi: "\(count) đường dẫn không nạp được; chưa nạp tệp nào:\n" + problems.map { "  " + $0.vi }.joined(separator: "\n"),
                       en: "\(count) paths cannot be loaded; no file was loaded:\n" + problems.map { "  " + $0.en }.joined(separator: "\n"))
    }
}
