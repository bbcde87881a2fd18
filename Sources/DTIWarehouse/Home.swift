import Foundation

/// Where the project's files are: `sql/`, `etl/` and the embedded cluster's `.dti/`.
/// Found from `DTI_HOME`, else by walking up from the current directory, else from the executable's location.
public struct Home: Sendable {
    public let root: String

    public var sql: String { root + "/sql" }
    public var migrations: String { root + "/sql/migrations" }
    public var views: String { root + "/sql/views" }
    public var etl: String { root + "/etl" }
    public var catalogues: String { root + "/etl/catalogues" }
    public var reference: String { root + "/etl/reference" }
    public var samples: String { root + "/etl/samples" }
    public var crosswalks: String { root + "/etl/crosswalks" }
    /// The embedded cluster's state; `DTI_STATE_DIR` moves it (tests use their own).
    public var state: String { ProcessInfo.processInfo.environment["DTI_STATE_DIR"] ?? root + "/.dti" }

    public init(root: String) { self.root = root }

    public static func locate() throws -> Home {
        let env = ProcessInfo.processInfo.environment
        if let h = env["DTI_HOME"], !h.isEmpty { return Home(root: h) }
        var candidates = [FileManager.default.currentDirectoryPath]
        let exe = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath().deletingLastPathComponent().path
        candidates.append(exe)
        for start in candidates {
            var dir = URL(fileURLWithPath: start)
            for _ in 0..<8 {
                if FileManager.default.fileExists(atPath: dir.path + "/sql/migrations") { return Home(root: dir.path) }
                dir.deleteLastPathComponent()
            }
        }
        throw DTIError(.usage, vi: "không tìm thấy thư mục dự án (có sql/migrations); đặt DTI_HOME hoặc chạy trong thư mục dự án",
                       en: "cannot find the project directory (with sql/migrations); set DTI_HOME or run inside the project")
    }
}
