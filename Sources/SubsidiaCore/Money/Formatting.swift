import Foundation

/// The three languages of the platform. French is the default (the language of legislation in Luxembourg).
public enum Language: String, CaseIterable, Sendable, Codable {
    case fr, en, de

    public static let `default` = Language.fr

    /// Picks the best language from an Accept-Language header ("de-LU,de;q=0.9,en;q=0.8").
    public static func negotiate(acceptLanguage header: String?) -> Language? {
        guard let header else { return nil }
        var best: (Language, Double)?
        for part in header.split(separator: ",") {
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = pieces.first?.lowercased() else { continue }
            let primary = String(tag.prefix { $0 != "-" && $0 != "_" })
            guard let lang = Language(rawValue: primary) else { continue }
            var q = 1.0
            for p in pieces.dropFirst() where p.hasPrefix("q=") {
                q = Double(p.dropFirst(2)) ?? 0
            }
            if q > 0, q > (best?.1 ?? -1) { best = (lang, q) }
        }
        return best?.0
    }
}

/// Formats money the way each language writes it, without Foundation's locale data
/// (which differs between platforms): fr "1 234,56 €", de "1.234,56 €", en "€1,234.56".
public enum MoneyFormatter {
    public static func format(_ money: Money, language: Language, showCents: Bool? = nil) -> String {
        let negative = money.cents < 0
        let absolute = money.cents.magnitude
        let euros = absolute / 100
        let cents = absolute % 100
        let withCents = showCents ?? (cents != 0)
        let group: String
        let decimal: String
        switch language {
        case .fr: group = "\u{202F}"; decimal = ","
        case .de: group = "."; decimal = ","
        case .en: group = ","; decimal = "."
        }
        var digits = String(euros)
        var grouped = ""
        while digits.count > 3 {
            grouped = group + String(digits.suffix(3)) + grouped
            digits = String(digits.dropLast(3))
        }
        grouped = digits + grouped
        if withCents { grouped += decimal + (cents < 10 ? "0" : "") + String(cents) }
        let sign = negative ? "-" : ""
        switch language {
        case .fr, .de: return sign + grouped + "\u{00A0}€"
        case .en: return sign + "€" + grouped
        }
    }

    /// The amount for machine-readable data: a dot, always two decimals, no grouping ("3000000.00").
    public static func plainDecimal(_ money: Money) -> String {
        let cents = money.cents.magnitude % 100
        return (money.cents < 0 ? "-" : "") + String(money.cents.magnitude / 100) + "." + (cents < 10 ? "0" : "") + String(cents)
    }

    /// Plain amount for an input field: "1234.56" / "1234,56", no grouping, so it parses back.
    public static func inputValue(_ money: Money, language: Language) -> String {
        let cents = money.cents.magnitude % 100
        let base = String(money.cents / 100)
        if cents == 0 { return base }
        return base + (language == .en ? "." : ",") + (cents < 10 ? "0" : "") + String(cents)
    }

    public static func percent(_ rate: Rate, language: Language) -> String {
        let whole = rate.basisPoints / 100
        let frac = rate.basisPoints % 100
        var s = String(whole)
        if frac != 0 {
            s += (language == .en ? "." : ",") + (frac % 10 == 0 ? String(frac / 10) : (frac < 10 ? "0" : "") + String(frac))
        }
        return language == .en ? s + "%" : s + "\u{00A0}%"
    }
}
