import DTICore
import DTITestSupport
import DTIWarehouse
import Foundation
import PostgresClient
import Testing

/// `dti load --dry-run`: the real load's checks, through the `dti` binary, writing nothing.
@Suite("dti load --dry-run", .serialized)
struct DryRunTests {
    static let header = "unit_code,year,catalogue,indicator,variable,value,evidence,stage\n"
    static let x1 = TanYenFixture.communes[0]

    func fixture(_ prefix: String) throws -> WarehouseFixture {
        let f = try WarehouseFixture(prefix, catalogues: ["unit-profile", "commune-data-2024", "bac-giang-district-2022"])
        try f.units(TanYenFixture.unitsCSV)
        return f
    }

    /// md5 of a plain pg_dump of the test database: equal before and after means byte-identical contents.
    static func dumpDigest(_ f: WarehouseFixture) throws -> String {
        let dump = f.scratch + "/dump-\(UUID().uuidString.prefix(6)).sql"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: pgDump)
        // A fixed \restrict key (pg_dump 15.14 and later pick a random one per dump otherwise).
        let restrict = (try? pgDumpHelp().contains("--restrict-key")) == true ? ["--restrict-key=dtidryrun"] : []
        p.arguments = ["--no-owner", "--file", dump] + restrict + ["--dbname", f.database.conninfo]
        let err = Pipe()
        p.standardError = err
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "pg_dump: \(String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))")
        let size = (try FileManager.default.attributesOfItem(atPath: dump)[.size] as? Int) ?? 0
        #expect(size > 10_000, "the dump holds the schema and the reference data")
        let md5 = Process()
        md5.executableURL = URL(fileURLWithPath: "/usr/bin/md5sum")
        md5.arguments = [dump]
        let out = Pipe()
        md5.standardOutput = out
        try md5.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        md5.waitUntilExit()
        return String(text.prefix(32))
    }

    static func pgDumpHelp() throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: pgDump)
        p.arguments = ["--help"]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return text
    }

    static var pgDump: String {
        let env = ProcessInfo.processInfo.environment
        if let dir = env["DTI_PG_BINDIR"], !dir.isEmpty { return dir + "/pg_dump" }
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []).sorted { (Int($0) ?? 0) > (Int($1) ?? 0) }
        return versions.first.map { "/usr/lib/postgresql/\($0)/bin/pg_dump" } ?? "pg_dump"
    }

    /// The output of a load without its summary lines (the batch line of a load, the "dry run" line and the per-unit lines).
    static func messages(_ text: String, file: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { line in
            !(line.hasPrefix("\(file): lô ") || line.hasPrefix("\(file): thử ") || line.hasPrefix("  "))
        }
    }

    @Test("every file of the bad-input corpus: the dry run says what the load says, exits as it does, and the dump is byte-identical")
    func corpus() throws {
        let f = try fixture("dryrun-corpus")
        let files = try FileManager.default.contentsOfDirectory(atPath: BadInputTests.fixtures).sorted()
        #expect(files.count == BadInputTests.corpus.count)
        let before = try Self.dumpDigest(f)
        var dry: [String: (status: Int32, text: String)] = [:]
        for name in files {
            let path = BadInputTests.fixtures + "/" + name
            let r = try DTIProcess.run(["load", "--dry-run", path], conninfo: f.database.conninfo)
            dry[name] = (r.status, r.text)
        }
        let after = try Self.dumpDigest(f)
        #expect(after == before, "a dry run of every corpus file must leave the database byte-identical: diff \(f.scratch)/dump-*.sql")
        if after != before { try? FileManager.default.copyItem(atPath: f.scratch, toPath: "/tmp/dti-dryrun-dumps-\(UUID().uuidString.prefix(4))") }
        for name in files {
            let path = BadInputTests.fixtures + "/" + name
            let real = try DTIProcess.run(["load", path], conninfo: f.database.conninfo)
            let d = try #require(dry[name])
            #expect(d.status == real.status, "\(name): dry run exits \(d.status), the load \(real.status)")
            #expect(Self.messages(d.text, file: path) == Self.messages(real.text, file: path), "\(name):\n\(d.text)\n---\n\(real.text)")
        }
        // The one good file of the corpus: the dry run said it would accept both records, and the load did.
        let good = BadInputTests.fixtures + "/14-crlf-is-fine.csv"
        #expect(dry["14-crlf-is-fine.csv"]?.text.contains("\(good): thử (không ghi gì): 2 bản ghi, sẽ nhận 2, không đổi 0, từ chối 0") == true,
                "\(dry["14-crlf-is-fine.csv"]?.text ?? "")")
        #expect(dry["14-crlf-is-fine.csv"]?.status == 0)
    }

    @Test("a correction, dry run then load: per unit new, changed, unchanged and kept from earlier; --rejects and --format json")
    func summaryOfACorrection() throws {
        let f = try fixture("dryrun-summary")
        let first = try f.file("v1.csv", Self.header + "\(Self.x1),2024,commune-data-2024,3.5,a,120,,\n\(Self.x1),2024,commune-data-2024,3.4,a,300,,\n"
                               + "\(Self.x1),2024,commune-data-2024,3.6,answer,có,,\n")
        #expect(try DTIProcess.run(["load", first], conninfo: f.database.conninfo).status == 0)
        let second = try f.file("v2.csv", Self.header + "\(Self.x1),2024,commune-data-2024,3.5,a,125,,\n\(Self.x1),2024,commune-data-2024,3.4,a,300,,\n"
                                + "\(Self.x1),2024,commune-data-2024,5.8.1,a,2,,\n")
        let batches = try f.count("dti.load_batches")
        let dry = try DTIProcess.run(["load", "--dry-run", second], conninfo: f.database.conninfo)
        #expect(dry.status == 0, "\(dry.text)")
        #expect(dry.text.contains("\(second): thử (không ghi gì): 3 bản ghi, sẽ nhận 2, không đổi 1, từ chối 0"), "\(dry.text)")
        #expect(dry.text.contains("  \(Self.x1) 2024 commune-data-2024 self: mới 1, thay đổi 1, không đổi 1, giữ từ trước 1 (3.6.answer)"), "\(dry.text)")
        #expect(try f.count("dti.load_batches") == batches, "a dry run inserts no batch")

        let json = try DTIProcess.run(["load", "--dry-run", "--format", "json", second], conninfo: f.database.conninfo)
        #expect(json.status == 0)
        let doc = try JSONSerialization.jsonObject(with: Data(json.text.utf8)) as? [String: Any]
        let file = (doc?["files"] as? [[String: Any]])?.first
        #expect(file?["outcome"] as? String == "would_load")
        #expect(file?["dry_run"] as? Bool == true)
        let unit = (file?["units"] as? [[String: Any]])?.first
        #expect(unit?["new"] as? Int == 1 && unit?["changed"] as? Int == 1 && unit?["unchanged"] as? Int == 1)
        #expect(unit?["kept"] as? [String] == ["3.6.answer"])

        // The load says the same, and keeps what the dry run said it would keep.
        let real = try DTIProcess.run(["load", second], conninfo: f.database.conninfo)
        #expect(real.status == 0)
        #expect(real.text.contains("  \(Self.x1) 2024 commune-data-2024 self: mới 1, thay đổi 1, không đổi 1, giữ từ trước 1 (3.6.answer)"), "\(real.text)")
        #expect(try f.count("dti.load_batches") == batches + 1)

        // A bad file: exit 2, the reject printed, --rejects written, nothing changed.
        let bad = try f.file("bad.csv", Self.header + "\(Self.x1),2024,commune-data-2024,3.5,a,-4,,\n")
        let rejects = f.scratch + "/rejects.csv"
        let before = try f.footprint()
        let refused = try DTIProcess.run(["load", "--dry-run", "--rejects", rejects, bad], conninfo: f.database.conninfo)
        #expect(refused.status == 2)
        #expect(refused.text.contains("\(bad):2: đơn vị \(Self.x1), chỉ số 3.5, biến a: giá trị âm -4 không được phép"), "\(refused.text)")
        let written = try String(contentsOfFile: rejects, encoding: .utf8)
        #expect(written.contains("value.negative"))
        #expect(try f.footprint() == before)
        let refusedJSON = try DTIProcess.run(["load", "--dry-run", "--format", "json", bad], conninfo: f.database.conninfo)
        #expect(refusedJSON.status == 2)
        #expect(refusedJSON.text.contains("\"outcome\" : \"refused\""), "\(refusedJSON.text)")
        #expect(refusedJSON.text.contains("\"code\" : \"value.negative\""))
    }

    @Test("the library API the portal calls: SubmissionLoader.dryRun returns the report and writes nothing")
    func libraryAPI() throws {
        let f = try fixture("dryrun-api")
        let path = try f.file("a.csv", Self.header + "\(Self.x1),2024,commune-data-2024,3.5,a,120,,\n")
        let before = try f.footprint()
        let report = try SubmissionLoader(connection: f.db).dryRun(path: path)
        #expect(report.dryRun && report.committed && report.batchId == nil && report.accepted == 1)
        #expect(report.units.map { "\($0.unit) \($0.year) \($0.catalogue) \($0.stage) \($0.new) \($0.changed) \($0.unchanged) \($0.kept)" }
                == ["\(Self.x1) 2024 commune-data-2024 self 1 0 0 []"])
        #expect(try f.footprint() == before)
        // and the real load after it is not "already loaded"
        let real = try SubmissionLoader(connection: f.db).load(path: path)
        #expect(real.committed && real.batchId != nil && !real.dryRun)
    }
}
