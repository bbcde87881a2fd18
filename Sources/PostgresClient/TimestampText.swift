import Foundation

/// PostgreSQL `timestamptz` / `timestamp` / `date` text ⇄ `Foundation.Date`, in UTC, to the microsecond.
/// The connection runs with `TimeZone = 'UTC'` and `DateStyle = 'ISO, YMD'`, so the server prints
/// `2024-05-01 07:30:00.25+00`; a `date` is midnight UTC.
public enum TimestampText {
    /// `2024-05-01T07:30:00.250000Z` — ISO-8601 in UTC with microseconds, which PostgreSQL reads as a `timestamptz`.
    /// Nil for years outside 1…9999.
    public static func text(_ date: Date) -> String? {
        let totalMicros = (date.timeIntervalSince1970 * 1_000_000).rounded()
        guard totalMicros.isFinite, abs(totalMicros) < 4e17 else { return nil }
        let micros = Int64(totalMicros)
        let perDay: Int64 = 86_400_000_000
        var days = micros / perDay
        var rest = micros % perDay
        if rest < 0 { rest += perDay; days -= 1 }
        let (year, month, day) = civil(fromDays: days)
        guard (1...9999).contains(year) else { return nil }
        let second = rest / 1_000_000, fraction = rest % 1_000_000
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(Int(second / 3600), 2)):\(pad(Int(second / 60 % 60), 2)):"
            + "\(pad(Int(second % 60), 2)).\(pad(Int(fraction), 6))Z"
    }

    /// Reads `YYYY-MM-DD`, `YYYY-MM-DD HH:MM:SS[.ffffff]` and the same followed by an offset `+HH[:MM[:SS]]`
    /// (no offset means UTC). `infinity` and BC dates are refused.
    public static func date(_ text: some StringProtocol) -> Date? {
        var scanner = Scanner(Array(text.utf8))
        guard let year = scanner.number(minDigits: 4, maxDigits: 6), scanner.take(UInt8(ascii: "-")),
              let month = scanner.number(minDigits: 2, maxDigits: 2), scanner.take(UInt8(ascii: "-")),
              let day = scanner.number(minDigits: 2, maxDigits: 2),
              (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day) else { return nil }
        var micros: Int64 = 0
        if scanner.take(UInt8(ascii: " ")) || scanner.take(UInt8(ascii: "T")) {
            guard let h = scanner.number(minDigits: 2, maxDigits: 2), scanner.take(UInt8(ascii: ":")),
                  let m = scanner.number(minDigits: 2, maxDigits: 2), scanner.take(UInt8(ascii: ":")),
                  let s = scanner.number(minDigits: 2, maxDigits: 2), h <= 24, m < 60, s < 60 else { return nil }
            micros = Int64(h * 3600 + m * 60 + s) * 1_000_000
            if scanner.take(UInt8(ascii: ".")) {
                var scale: Int64 = 100_000
                var fraction: Int64 = 0
                var count = 0
                while let d = scanner.digit() {
                    count += 1
                    if count <= 6 { fraction += Int64(d) * scale; scale /= 10 }
                }
                guard count > 0 else { return nil }
                micros += fraction
            }
            if let signByte = scanner.peek(), signByte == UInt8(ascii: "+") || signByte == UInt8(ascii: "-") {
                scanner.advance()
                guard let oh = scanner.number(minDigits: 2, maxDigits: 2) else { return nil }
                var offset = oh * 3600
                if scanner.take(UInt8(ascii: ":")) {
                    guard let om = scanner.number(minDigits: 2, maxDigits: 2) else { return nil }
                    offset += om * 60
                    if scanner.take(UInt8(ascii: ":")) {
                        guard let os = scanner.number(minDigits: 2, maxDigits: 2) else { return nil }
                        offset += os
                    }
                }
                micros -= Int64(signByte == UInt8(ascii: "+") ? offset : -offset) * 1_000_000
            } else if scanner.take(UInt8(ascii: "Z")) {
                // UTC
            }
        }
        guard scanner.atEnd else { return nil }
        let total = days(fromCivil: year, month, day) * 86_400_000_000 + micros
        return Date(timeIntervalSince1970: Double(total / 1_000_000) + Double(total % 1_000_000) / 1_000_000)
    }

    // Howard Hinnant's days-from-civil and civil-from-days (proleptic Gregorian, day 0 = 1970-01-01).
    static func days(fromCivil year: Int, _ month: Int, _ day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = Int64(month)
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays days: Int64) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        return (Int(y), Int(m), Int(d))
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let s = String(value)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    private struct Scanner {
        let bytes: [UInt8]
        var i = 0
        init(_ bytes: [UInt8]) { self.bytes = bytes }
        var atEnd: Bool { i == bytes.count }
        func peek() -> UInt8? { i < bytes.count ? bytes[i] : nil }
        mutating func advance() { i += 1 }
        mutating func take(_ b: UInt8) -> Bool {
            guard peek() == b else { return false }
            i += 1
            return true
        }
        mutating func digit() -> Int? {
            guard let b = peek(), b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") else { return nil }
            i += 1
            return Int(b - UInt8(ascii: "0"))
        }
        mutating func number(minDigits: Int, maxDigits: Int) -> Int? {
            var value = 0, count = 0
            while count < maxDigits, let d = digit() { value = value * 10 + d; count += 1 }
            return count >= minDigits ? value : nil
        }
    }
}
