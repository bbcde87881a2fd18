import Foundation
import PostgresClient
import Testing

@Suite("timestamp text")
struct TimestampTextTests {
    @Test("dates print as ISO-8601 UTC with microseconds")
    func formats() {
        #expect(TimestampText.text(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000000Z")
        #expect(TimestampText.text(Date(timeIntervalSince1970: 1_709_164_800.5)) == "2024-02-29T00:00:00.500000Z")
        #expect(TimestampText.text(Date(timeIntervalSince1970: -1)) == "1969-12-31T23:59:59.000000Z")
        #expect(TimestampText.text(Date.distantFuture) == "4001-01-01T00:00:00.000000Z")
        #expect(TimestampText.text(Date(timeIntervalSince1970: 300_000_000_000)) == nil, "year 11476")
        #expect(TimestampText.text(Date(timeIntervalSince1970: -62_200_000_000)) == nil, "before year 1")
    }

    @Test("server forms parse", arguments: [
        ("2024-05-01", 1_714_521_600.0), ("2024-05-01 07:30:00+07", 1_714_523_400.0),
        ("2024-05-01 00:30:00.25+00", 1_714_523_400.25), ("2024-05-01 05:00:00+05:30", 1_714_521_600.0 - 1800),
        ("1969-12-31 23:59:59", -1.0), ("2024-05-01T00:00:00Z", 1_714_521_600.0),
    ])
    func parses(_ text: String, _ seconds: Double) throws {
        let d = try #require(TimestampText.date(text))
        #expect(abs(d.timeIntervalSince1970 - seconds) < 1e-6)
    }

    @Test("nonsense is refused", arguments: ["", "infinity", "2024-02-30", "2024-13-01", "2024-05-01 25:00:00", "0044-03-15 BC", "2024-5-1"])
    func refuses(_ text: String) {
        #expect(TimestampText.date(text) == nil)
    }
}
