import DTITestSupport
import Logging
import PostgresClient
import Testing

@Suite("notices")
struct NoticeTests {
    @Test("RAISE NOTICE in a DO block reaches the logger at .info with its severity")
    func noticeReachesLogger() throws {
        let (logger, store) = CapturingLogHandler.logger(label: "notices")
        try TestDatabase.withFresh(prefix: "notice", logger: logger) { db in
            try db.simpleQuery("DO $$ BEGIN RAISE NOTICE 'xin chào %', 'Huế'; END $$")
            try db.simpleQuery("DO $$ BEGIN RAISE WARNING 'cẩn thận' USING HINT = 'xem lại'; END $$")
        }
        let entries = store.entries
        let notice = try #require(entries.first { $0.message.contains("xin chào Huế") })
        #expect(notice.level == .info)
        #expect(notice.message == "NOTICE: xin chào Huế")
        #expect(notice.metadata["postgres.severity"] == "NOTICE")
        let warning = try #require(entries.first { $0.message.contains("cẩn thận") })
        #expect(warning.message == "WARNING: cẩn thận")
        #expect(warning.metadata["postgres.hint"] == "xem lại")
    }
}
