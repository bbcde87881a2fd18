import Foundation

/// An exact quotient of two decimals, kept apart until the very end so that `2/3 × 3` is exactly 2.
/// Every formula of a rule evaluates to a `Fraction`; the points are `numerator × max ÷ denominator`,
/// one division at the end.
public struct Fraction: Sendable, Equatable, CustomStringConvertible {
    public var numerator: Decimal
    public var denominator: Decimal

    public init(_ numerator: Decimal, _ denominator: Decimal = 1) {
        if denominator < 0 {
            self.numerator = -numerator
            self.denominator = -denominator
        } else {
            self.numerator = numerator
            self.denominator = denominator
        }
    }

    public var isDefined: Bool { !denominator.isZero }

    /// Decimal places kept when a quotient does not terminate (130 ÷ 180): rounded half to even at the 20th
    /// place, far below any published precision, and short enough that sums of thousands of such values stay
    /// within the 38 significant digits a `Decimal` holds. A quotient that terminates is exact.
    public static let places = 20

    /// The decimal value (one division). Only call when `isDefined`.
    public var value: Decimal {
        if denominator == 1 { return numerator }
        var q = numerator / denominator, r = Decimal()
        NSDecimalRound(&r, &q, Self.places, .bankers)
        return r
    }

    public static func + (l: Fraction, r: Fraction) -> Fraction {
        if l.denominator == r.denominator { return Fraction(l.numerator + r.numerator, l.denominator) }
        return Fraction(l.numerator * r.denominator + r.numerator * l.denominator, l.denominator * r.denominator)
    }
    public static func - (l: Fraction, r: Fraction) -> Fraction {
        if l.denominator == r.denominator { return Fraction(l.numerator - r.numerator, l.denominator) }
        return Fraction(l.numerator * r.denominator - r.numerator * l.denominator, l.denominator * r.denominator)
    }
    public static func * (l: Fraction, r: Fraction) -> Fraction {
        Fraction(l.numerator * r.numerator, l.denominator * r.denominator)
    }
    public static func / (l: Fraction, r: Fraction) -> Fraction {
        Fraction(l.numerator * r.denominator, l.denominator * r.numerator)
    }

    /// `self × d`, exactly.
    public func times(_ d: Decimal) -> Fraction { Fraction(numerator * d, denominator) }

    /// `self ≥ d`, compared exactly (denominator is kept positive).
    public func atLeast(_ d: Decimal) -> Bool { numerator >= d * denominator }
    public func greaterThan(_ d: Decimal) -> Bool { numerator > d * denominator }
    public var isNegative: Bool { numerator < 0 }

    public var description: String { denominator == 1 ? numerator.machineText : "\(numerator.machineText)/\(denominator.machineText)" }
}
