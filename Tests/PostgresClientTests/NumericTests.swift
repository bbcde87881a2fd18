import DTITestSupport
import Foundation
import PostgresClient
import Testing

@Suite("numeric ⇄ Decimal, exactly")
struct NumericTests {
    @Test("numeric values from the server decode exactly", arguments: ["83.125", "891.195", "0", "-0.5", "1200", "0.000001",
                                                                         "123456789012345678901234567890.12345678"])
    func serverNumericIsExact(_ literal: String) throws {
        try TestDatabase.withFresh(prefix: "numeric") { db in
            let row = try db.query("SELECT \(unescaped: literal)::numeric AS v")[0]
            let expected = try #require(Decimal(string: literal, locale: Locale(identifier: "en_US_POSIX")))
            #expect(try row["v"].decode(Decimal.self) == expected)
        }
    }

    @Test("0.1 + 0.2 is 0.3 in numeric and in Decimal — no binary floating point on the way")
    func pointOnePlusPointTwo() throws {
        try TestDatabase.withFresh(prefix: "numeric_sum") { db in
            let row = try db.query("SELECT 0.1 + 0.2 AS s, 83.125 AS a, 891.195 AS b")[0]
            #expect(row["s"].text == "0.3")
            #expect(try row["s"].decode(Decimal.self) == Decimal(string: "0.3"))
            #expect(try row["a"].decode(Decimal.self) == Decimal(string: "83.125"))
            #expect(try row["b"].decode(Decimal.self) == Decimal(string: "891.195"))
        }
    }

    @Test("a bound Decimal arrives as its exact text and comes back equal")
    func boundDecimalRoundTrips() throws {
        try TestDatabase.withFresh(prefix: "numeric_bind") { db in
            for text in ["891.195", "83.125", "-12.5", "0.3", "99999999999999999999999999999999999999", "0.00000000000000000001"] {
                let d = try #require(Decimal(string: text))
                let row = try db.query("SELECT \(d)::numeric AS v, \(d)::numeric::text AS t")[0]
                #expect(try row["v"].decode(Decimal.self) == d)
                #expect(try row["t"].decode(String.self) == text)
            }
            // Sums stay exact on the server.
            let sum = try db.query("SELECT \(Decimal(string: "0.1")!)::numeric + \(Decimal(string: "0.2")!)::numeric AS s")[0]
            #expect(try sum["s"].decode(Decimal.self) == Decimal(string: "0.3"))
        }
    }

    @Test("NaN, Infinity and more than 38 significant digits are decoding errors")
    func refusesWhatDecimalCannotHold() throws {
        try TestDatabase.withFresh(prefix: "numeric_refuse") { db in
            let row = try db.query("""
                SELECT 'NaN'::numeric AS nan, 'Infinity'::numeric AS inf, '-Infinity'::numeric AS ninf,
                       '1234567890123456789012345678901234567.89'::numeric AS long, 1e-200::numeric AS tiny
                """)[0]
            for column in ["nan", "inf", "ninf", "long", "tiny"] {
                #expect(throws: PostgresError.self, "\(column)") { try row[column].decode(Decimal.self) }
                do throws(PostgresError) { _ = try row[column].decode(Decimal.self) } catch { #expect(error.kind == .decoding) }
            }
        }
    }

    @Test("NumericText parses strictly", arguments: [
        ("83.125", "83.125"), ("-0.50", "-0.5"), ("000123", "123"), ("1000", "1000"), ("0.0", "0"),
        ("12345678901234567890123456789012345678", "12345678901234567890123456789012345678"),
    ])
    func parses(_ input: String, _ canonical: String) throws {
        let d = try NumericText.decimal(input).get()
        #expect(d == Decimal(string: canonical))
        #expect(NumericText.text(d) == canonical)
    }

    @Test("NumericText refuses", arguments: ["", "-", ".", "1e5", "+1", "1.2.3", "NaN", "Infinity", " 1", "1,5",
                                             "123456789012345678901234567890123456789"])
    func refuses(_ input: String) {
        #expect(throws: NumericTextError.self) { try NumericText.decimal(input).get() }
    }

    @Test("Decimal encodes without an exponent")
    func plainText() throws {
        #expect(NumericText.text(Decimal(sign: .plus, exponent: 30, significand: 1)) == "1" + String(repeating: "0", count: 30))
        #expect(NumericText.text(Decimal(sign: .minus, exponent: -25, significand: 7)) == "-0." + String(repeating: "0", count: 24) + "7")
        #expect(NumericText.text(Decimal.nan) == nil)
        let e = #expect(throws: PostgresError.self) { try Decimal.nan.postgresText() }
        #expect(e?.kind == .encoding, "a NaN has no PostgreSQL text form: \(String(describing: e))")
    }
}
