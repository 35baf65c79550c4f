import Foundation

/// An amount of euro, in integer cents. Nothing that counts money uses floating point.
public struct Money: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var cents: Int64

    public init(cents: Int64) { self.cents = cents }
    public init(euros: Int64) { self.cents = euros * 100 }

    public static let zero = Money(cents: 0)
    /// The largest amount a form accepts (100 million euro): keeps every sum far from overflow.
    public static let inputMaximum = Money(euros: 100_000_000)

    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.cents < rhs.cents }
    public static func + (lhs: Money, rhs: Money) -> Money { Money(cents: lhs.cents + rhs.cents) }
    public static func - (lhs: Money, rhs: Money) -> Money { Money(cents: lhs.cents - rhs.cents) }

    /// The share `rate` of this amount, rounded down to the cent (a cap is never rounded up).
    public func applying(_ rate: Rate) -> Money {
        Money(cents: cents * Int64(rate.basisPoints) / 10_000)
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
        return Rate(basisPoints: Int(part.cents * 10_000 / whole.cents))
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
