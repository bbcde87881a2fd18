import Foundation

/// Where the PostgreSQL server programs (`initdb`, `pg_ctl`, `postgres`) are: `DTI_PG_BINDIR`, else the newest
/// `/usr/lib/postgresql/<major>/bin`, else the directory of `pg_ctl` on `PATH`.
struct PostgresBinaries: Sendable {
    let directory: String

    var initdb: String { directory + "/initdb" }
    var pgCtl: String { directory + "/pg_ctl" }

    static func locate(environment: [String: String]) throws -> PostgresBinaries {
        let fm = FileManager.default
        if let dir = environment["DTI_PG_BINDIR"], !dir.isEmpty {
            guard fm.isExecutableFile(atPath: dir + "/pg_ctl") else {
                throw DTIError(.database, vi: "DTI_PG_BINDIR=\(dir) không có pg_ctl", en: "DTI_PG_BINDIR=\(dir) has no pg_ctl")
            }
            return PostgresBinaries(directory: dir)
        }
        let versions = ((try? fm.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? [])
            .compactMap { name -> (Double, String)? in
                guard let v = Double(name), fm.isExecutableFile(atPath: "/usr/lib/postgresql/\(name)/bin/pg_ctl") else { return nil }
                return (v, "/usr/lib/postgresql/\(name)/bin")
            }
            .sorted { $0.0 > $1.0 }
        if let newest = versions.first { return PostgresBinaries(directory: newest.1) }
        if let pgCtl = Subprocess.which("pg_ctl", path: environment["PATH"]) {
            let resolved = URL(fileURLWithPath: pgCtl).resolvingSymlinksInPath()
            return PostgresBinaries(directory: resolved.deletingLastPathComponent().path)
        }
        throw DTIError(.database, vi: "không tìm thấy chương trình máy chủ PostgreSQL (initdb, pg_ctl): cài postgresql, đặt DTI_PG_BINDIR, hoặc đặt DATABASE_URL tới một máy chủ có sẵn",
                       en: "cannot find the PostgreSQL server programs (initdb, pg_ctl): install postgresql, set DTI_PG_BINDIR, or set DATABASE_URL to an existing server")
    }

    /// The major version of these binaries (`15`), from `pg_ctl --version`.
    func majorVersion(environment: [String: String]) -> String? {
        guard let out = try? Subprocess.run(pgCtl, ["--version"], environment: environment), out.succeeded else { return nil }
        // "pg_ctl (PostgreSQL) 15.13 (Debian 15.13-0+deb12u1)"
        guard let number = out.output.split(separator: " ").dropFirst(2).first else { return nil }
        return number.split(separator: ".").first.map(String.init)
    }
}
