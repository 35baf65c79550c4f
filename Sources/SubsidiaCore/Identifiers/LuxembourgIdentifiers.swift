import Foundation

/// A Luxembourg postcode: four digits, written "L-1234". Accepts "1234", "L1234", "l-1234", "L 1234".
public struct LuxembourgPostcode: Hashable, Sendable, Codable, CustomStringConvertible {
    public let digits: String

    public init?(_ text: String) {
        var s = text.trimmingCharacters(in: .whitespaces).uppercased()
        if s.hasPrefix("L") {
            s.removeFirst()
            s = s.trimmingCharacters(in: .whitespaces)
            if s.hasPrefix("-") { s.removeFirst() }
            s = s.trimmingCharacters(in: .whitespaces)
        }
        guard s.count == 4, s.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        digits = s
    }

    public var description: String { "L-" + digits }
}

/// A number of the Luxembourg Trade and Companies Register (RCS): one letter A–J and 1 to 7 digits,
/// e.g. "B6481" (companies) or "F13189" (asbl). People write "B 6481" or "R.C.S. Luxembourg B 6481".
public struct RCSNumber: Hashable, Sendable, Codable, CustomStringConvertible {
    public let value: String

    public init?(_ text: String) {
        var s = text.uppercased()
        for prefix in ["R.C.S. LUXEMBOURG", "RCS LUXEMBOURG", "R.C.S.", "RCS"] where s.hasPrefix(prefix) {
            s = String(s.dropFirst(prefix.count))
            break
        }
        s = String(s.filter { !$0.isWhitespace && $0 != ":" && $0 != "-" })
        guard let letter = s.first, ("A"..."J").contains(letter) else { return nil }
        let digits = s.dropFirst()
        guard (1...7).contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        value = s
    }

    public var description: String { value }
}

/// Checks of the kind every form needs; kept here so the API and the pages agree.
public enum TextRules {
    /// A control character other than tab, line feed and carriage return (NUL, escape, the C1 range): refused in
    /// every text field, where it would be stored and written into pages and documents.
    public static func hasControlCharacters(_ text: String) -> Bool {
        text.unicodeScalars.contains { s in
            (s.value < 0x20 && s != "\t" && s != "\n" && s != "\r") || (0x7F...0x9F).contains(s.value)
        }
    }

    /// A pragmatic email check: one "@", a dot in the domain, no spaces, at most 254 characters.
    public static func isEmail(_ text: String) -> Bool {
        guard text.count <= 254, !text.contains(where: { $0.isWhitespace }) else { return false }
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].count <= 64 else { return false }
        let domain = parts[1]
        guard domain.contains("."), !domain.hasPrefix("."), !domain.hasSuffix("."), !domain.contains("..") else {
            return false
        }
        return true
    }

    public static func normalisedEmail(_ text: String) -> String {
        text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }

    /// A phone number as people write it: digits, spaces, "+", "(", ")", "/", ".", "-"; 6 to 20 digits.
    public static func isPhone(_ text: String) -> Bool {
        let allowed = Set("0123456789 +()/.-")
        guard text.allSatisfy({ allowed.contains($0) }) else { return false }
        let digitCount = text.filter(\.isNumber).count
        return (6...20).contains(digitCount)
    }

    /// A web address: http(s) with a host that has a dot; "www.example.lu" is accepted and given https.
    public static func normalisedWebsite(_ text: String) -> String? {
        let s = text.trimmingCharacters(in: .whitespaces)
        let withScheme = s.lowercased().hasPrefix("http://") || s.lowercased().hasPrefix("https://") ? s : "https://" + s
        guard !withScheme.contains(where: { $0.isWhitespace }), withScheme.count <= 300 else { return nil }
        let afterScheme = withScheme.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false)
        guard afterScheme.count >= 3 else { return nil }
        let host = afterScheme[2]
        guard host.contains("."), !host.hasPrefix("."), !host.hasSuffix(".") else { return nil }
        return withScheme
    }
}
