import Foundation
import Testing
@testable import DTICore

/// `DecimalText.machine` writes most numbers without Foundation's formatter (a faster path for `dti rollup`); the text
/// must be exactly what Foundation gives, for every kind of value the scorer makes.
@Suite("Machine text of decimals: the direct path equals Foundation's")
struct DecimalTextTests {
    static func values() -> [Decimal] {
        var out: [Decimal] = []
        let seeds = ["0.5", "1", "10", "100", "1000000", "891.195", "0.001", "0.0000001", "123456789012345", "-3", "-0.25",
                     "2.768", "99.999", "7", "1e-20", "5e10", "0.1", "33.3333333333333333333333333333333333", "12345678901234567890"]
        let base = seeds.compactMap { Decimal(string: $0, locale: Locale(identifier: "en_US_POSIX")) }
        out += base
        // Products and quotients as the rules make them (ratios, points × share), including long fractions.
        for a in base { for b in base where !b.isZero { out.append(a * b); out.append(a / b); out.append(a - b) } }
        var g = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let n = Decimal(Int64.random(in: -1_000_000_000...1_000_000_000, using: &g))
            let d = Decimal(Int64.random(in: 1...100_000, using: &g))
            out.append(n / d); out.append(n * Decimal(sign: .plus, exponent: -Int.random(in: 0...12, using: &g), significand: 1))
        }
        return out
    }

    @Test("the direct path gives Foundation's text wherever it applies, and to all but extreme exponents")
    func directEqualsFoundation() {
        var direct = 0
        let all = Self.values()
        for v in all {
            guard let fast = DecimalText.machineFromWord(v) else { continue }
            direct += 1
            #expect(fast == DecimalText.machineByFoundation(v), "\(v)")
        }
        #expect(direct * 100 > all.count * 95, "all but the values with exponents beyond ±38 or above 20")
        #expect(DecimalText.machine(Decimal(string: "891.195")!) == "891.195")
        #expect(DecimalText.machine(Decimal(string: "-0.005")!) == "-0.005")
        #expect(DecimalText.machine(Decimal(500)) == "500")
        #expect(DecimalText.machine(0) == "0")
    }
}
