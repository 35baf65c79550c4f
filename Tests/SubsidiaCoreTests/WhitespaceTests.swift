import Foundation
import Testing
@testable import SubsidiaCore

@Suite("Typed text: white space and line ends")
struct WhitespaceTests {
    /// Every white-space or line-end character Foundation knows, and some that look like it but are not.
    static let spaces: [Unicode.Scalar] = (0...0x3000).compactMap(Unicode.Scalar.init).filter {
        CharacterSet.whitespacesAndNewlines.contains($0)
    }
    static let notSpaces: [Unicode.Scalar] = ["\u{200C}", "\u{FEFF}", "\u{180E}", "a", "é", "\u{0}"]

    @Test("Trimming removes what Foundation removes, and nothing else")
    func trimming() {
        #expect(Self.spaces.count == 26 && Self.spaces.contains("\u{200B}"))
        var samples = ["", " ", "abc", "  Étape 1 \r\n", "\r\n\t x \u{A0}", "a b", "\u{202F}12\u{202F}", "🇱🇺 ", " \u{301}e"]
        for s in Self.spaces + Self.notSpaces { samples += [String(s) + "x" + String(s), String(s), "x" + String(s) + "y"] }
        for s in samples {
            #expect(s.trimmingWhitespace == s.trimmingCharacters(in: .whitespacesAndNewlines), "\(s.debugDescription)")
        }
    }

    @Test("CRLF becomes LF; a lone CR or LF stays")
    func lineEnds() {
        for s in ["", "a", "a\r\nb\r\n", "\r\n\r\n", "a\rb", "a\nb", "\r", "é\r\n€\r\r\n\n", "x\r"] {
            #expect(s.withUnixLineEnds == s.replacingOccurrences(of: "\r\n", with: "\n"), "\(s.debugDescription)")
        }
        #expect("Étape 1\r\nÉtape 2".withUnixLineEnds == "Étape 1\nÉtape 2")
    }
}
