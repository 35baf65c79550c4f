/// An International Bank Account Number, checked as ISO 13616 asks: country length and MOD-97-10.
/// People type IBANs with spaces and in lower case; both are accepted and normalised away.
public struct IBAN: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The electronic form: upper case, no spaces ("LU280019400644750000").
    public let value: String

    public enum Problem: String, Error, Sendable, Equatable {
        case empty, invalidCharacters, unknownCountry, wrongLength, checksum
    }

    /// IBAN lengths per country (SWIFT IBAN registry). Countries not listed are refused as unknown.
    public static let lengths: [String: Int] = [
        "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29,
        "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20, "EG": 29,
        "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28,
        "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20,
        "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19,
        "MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29,
        "RO": 24, "RS": 22, "SA": 24, "SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28,
        "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
    ]

    public init(_ text: String) throws(Problem) {
        let compact = String(text.unicodeScalars.filter { !$0.properties.isWhitespace && $0 != "-" }).uppercased()
        guard !compact.isEmpty else { throw .empty }
        guard compact.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else { throw .invalidCharacters }
        let country = String(compact.prefix(2))
        guard country.count == 2, country.allSatisfy(\.isLetter), let expected = IBAN.lengths[country] else {
            throw .unknownCountry
        }
        guard compact.count == expected else { throw .wrongLength }
        let checkDigits = compact.dropFirst(2).prefix(2)
        guard checkDigits.allSatisfy(\.isNumber) else { throw .checksum }
        guard IBAN.mod97(String(compact.dropFirst(4) + compact.prefix(4))) == 1 else { throw .checksum }
        value = compact
    }

    /// ISO 7064 MOD 97-10 over the rearranged IBAN, letters as 10–35, computed digit by digit.
    static func mod97(_ rearranged: String) -> Int {
        var remainder = 0
        for ch in rearranged.unicodeScalars {
            let v: Int
            switch ch.value {
            case 48...57: v = Int(ch.value) - 48
            case 65...90: v = Int(ch.value) - 55
            default: return -1
            }
            remainder = v >= 10 ? (remainder * 100 + v) % 97 : (remainder * 10 + v) % 97
        }
        return remainder
    }

    public var country: String { String(value.prefix(2)) }

    /// The print form, in groups of four: "LU28 0019 4006 4475 0000".
    public var formatted: String {
        var out = ""
        for (i, ch) in value.enumerated() {
            if i > 0 && i % 4 == 0 { out.append(" ") }
            out.append(ch)
        }
        return out
    }

    public var description: String { formatted }
}

/// A Business Identifier Code: 4 letters (institution), 2 letters (country), 2 letters or digits
/// (location), optionally 3 letters or digits (branch; "XXX" is the head office).
public struct BIC: Hashable, Sendable, Codable, CustomStringConvertible {
    public let value: String

    public enum Problem: String, Error, Sendable, Equatable { case empty, wrongLength, invalidFormat }

    public init(_ text: String) throws(Problem) {
        let compact = String(text.unicodeScalars.filter { !$0.properties.isWhitespace }).uppercased()
        guard !compact.isEmpty else { throw .empty }
        guard compact.count == 8 || compact.count == 11 else { throw .wrongLength }
        let chars = Array(compact)
        func alnum(_ c: Character) -> Bool { c.isASCII && (c.isLetter || c.isNumber) }
        guard chars[0..<6].allSatisfy({ $0.isASCII && $0.isLetter }),
              chars[6...].allSatisfy(alnum) else { throw .invalidFormat }
        value = compact
    }

    public var country: String { String(value.dropFirst(4).prefix(2)) }
    public var description: String { value }
}
