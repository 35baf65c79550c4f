import Foundation

/// An amount of euro, in integer cents. Nothing that counts money uses floating point.
public struct Money: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var cents: Int64

    public init(cents: Int64) { self.cents = cents }
    /// Whole euros; saturates past ±92 million billion euro instead of trapping (only constants use it).
    public init(euros: Int64) {
        let (c, overflow) = euros.multipliedReportingOverflow(by: 100)
        self.cents = overflow ? (euros < 0 ? .min : .max) : c
    }

    public static let zero = Money(cents: 0)
    /// The largest amount a form accepts (100 million euro), and the largest a budget line may come to.
    public static let inputMaximum = Money(euros: 100_000_000)

    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.cents < rhs.cents }

    /// Sums and differences never trap: a request must not take the process down. They saturate at the ends of
    /// Int64; code whose totals come from people's input uses `adding(_:)` / `subtracting(_:)` and reports
    /// an out-of-range total as an error (BudgetSummary.outOfRange).
    public static func + (lhs: Money, rhs: Money) -> Money { lhs.adding(rhs) ?? Money(cents: rhs.cents < 0 ? .min : .max) }
    public static func - (lhs: Money, rhs: Money) -> Money { lhs.subtracting(rhs) ?? Money(cents: rhs.cents > 0 ? .min : .max) }

    /// The sum, or nil when it does not fit in 64 bits.
    public func adding(_ other: Money) -> Money? {
        let (s, overflow) = cents.addingReportingOverflow(other.cents)
        return overflow ? nil : Money(cents: s)
    }

    public func subtracting(_ other: Money) -> Money? {
        let (s, overflow) = cents.subtractingReportingOverflow(other.cents)
        return overflow ? nil : Money(cents: s)
    }

    /// This amount times `factor`, or nil when it does not fit.
    public func multiplied(by factor: Int) -> Money? {
        let (p, overflow) = cents.multipliedReportingOverflow(by: Int64(factor))
        return overflow ? nil : Money(cents: p)
    }

    /// The share `rate` of this amount, rounded toward zero to the cent (a cap is never rounded up). The rate
    /// is held to 0–100 %: no share or cap is more than the whole. Computed as q·rate + r·rate / 10,000 with
    /// q, r the quotient and remainder by 10,000, so that it never overflows: |q·rate| ≤ |cents|.
    public func applying(_ rate: Rate) -> Money {
        let bp = Int64(min(max(rate.basisPoints, 0), 10_000))
        let (q, r) = cents.quotientAndRemainder(dividingBy: 10_000)
        return Money(cents: q * bp + r * bp / 10_000)
    }

    public var description: String { MoneyFormatter.format(self, language: .en) }

    /// Parses what a person types: "1 234,56", "1234.56", "1.234,56 €", "€ 1,234.56", "250".
    /// Returns nil for anything that is not a non-negative amount with at most two decimals.
    public static func parse(_ text: String) -> Money? {
        var s = text.trimmingCharacters(in: .whitespacesAndNewlines)
        for noise in ["€", "EUR", "eur", "\u{00A0}", "\u{202F}", " ", "'"] {
            s = s.replacingOccurrences(of: noise, with: "")
        }
        guard !s.isEmpty, s.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "." || $0 == ",") }) else { return nil }
        // The last separator followed by one or two digits is the decimal mark; every other is grouping.
        var integerPart = s
        var fraction = ""
        if let idx = s.lastIndex(where: { $0 == "." || $0 == "," }) {
            let after = s[s.index(after: idx)...]
            let separatorCount = s.filter { $0 == s[idx] }.count
            if (1...2).contains(after.count) && !(separatorCount > 1) {
                integerPart = String(s[..<idx])
                fraction = String(after)
            } else if after.count != 3 {
                return nil
            }
        }
        let digits = integerPart.filter { $0.isNumber }
        guard !digits.isEmpty || !fraction.isEmpty, digits.count <= 12 else { return nil }
        // At most 12 digits: the cents fit far inside Int64.
        let euros = Int64(digits.isEmpty ? "0" : digits) ?? 0
        let fractionCents = Int64(fraction.padding(toLength: 2, withPad: "0", startingAt: 0)) ?? 0
        return Money(cents: euros * 100 + fractionCents)
    }
}


/// A rate in basis points: 7_500 is 75 %.
public struct Rate: Hashable, Comparable, Sendable, Codable {
    public var basisPoints: Int
    public init(basisPoints: Int) { self.basisPoints = basisPoints }
    public init(percent: Int) { self.basisPoints = percent * 100 }
    public static func < (lhs: Rate, rhs: Rate) -> Bool { lhs.basisPoints < rhs.basisPoints }
    public var isValidShare: Bool { (0...10_000).contains(basisPoints) }

    /// The share `part` is of `whole`, to the basis point, rounded down so that a letter or a dashboard never
    /// states more than there is (a grant's rate of the eligible cost, an envelope's consumption); nil when
    /// there is no whole or the part is negative.
    public static func share(_ part: Money, of whole: Money) -> Rate? {
        guard whole.cents > 0, part.cents >= 0 else { return nil }
        // part · 10,000 may not fit in 64 bits: the product is taken in 128 bits, and a quotient that would not
        // fit (a part a million billion times the whole) has no meaningful rate.
        guard part.cents / whole.cents < Int64.max / 10_000 else { return nil }
        let product = part.cents.multipliedFullWidth(by: 10_000)
        return Rate(basisPoints: Int(whole.cents.dividingFullWidth(product).quotient))
    }

    /// Parses "75", "75 %", "90,5" or "90.5" as a percentage.
    public static func parsePercent(_ text: String) -> Rate? {
        let s = text.replacingOccurrences(of: "%", with: "").trimmingCharacters(in: .whitespaces)
            .replacingOccurrences(of: ",", with: ".")
        guard !s.isEmpty else { return nil }
        let dot = s.firstIndex(of: ".") ?? s.endIndex
        let whole = String(s[..<dot])
        let frac = dot < s.endIndex ? String(s[s.index(after: dot)...]) : ""
        guard whole.allSatisfy(\.isNumber), frac.allSatisfy(\.isNumber), frac.count <= 2, whole.count <= 5,
              let w = Int(whole.isEmpty ? "0" : whole) else { return nil }
        let f = Int(frac.padding(toLength: 2, withPad: "0", startingAt: 0)) ?? 0
        return Rate(basisPoints: w * 100 + f)
    }
}
