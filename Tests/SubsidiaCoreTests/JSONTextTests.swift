import Foundation
import Testing
@testable import SubsidiaCore

@Suite("JSON written as text")
struct JSONTextTests {
    struct Decoded: Decodable, Equatable {
        let text: String?
        let number: Int64?
        let flag: Bool?
        let list: [String]
    }

    @Test("Every string survives Foundation's decoder: quotes, backslashes, control characters, accents, emoji")
    func strings() throws {
        let samples = ["", "plain", "Étape 1 : « préparation »\nÉtape 2\r\n\tfin", "a \"quoted\" \\ back\\slash /", "€ ß ü 🇱🇺 👩🏽‍💻",
                       String((0..<32).map { Character(Unicode.Scalar($0)!) }), "\u{7F}\u{2028}\u{2029}\u{FEFF}",
                       "</script>",
                       // Escaped characters inside a grapheme: a quote carrying an accent, CR LF, a tab before a ZWJ.
                       "e\u{301}\"\u{301}x", "\r\n\r\n", "\t\u{200D}👩"]
        for s in samples {
            let text = JSONText.object(["text": .string(s), "number": .integer(-42), "flag": .bool(true), "list": .json(JSONText.strings([s, "x"]))])
            let decoded = try JSONDecoder().decode(Decoded.self, from: Data(text.utf8))
            #expect(decoded == Decoded(text: s, number: -42, flag: true, list: [s, "x"]), "\(s.debugDescription)")
        }
        // The control characters are escaped, nothing else is.
        #expect(JSONText.strings(["\u{1}\u{1F}é\"\\"]) == "[\"\\u0001\\u001f\u{E9}\\\"\\\\\"]")
    }

    @Test("Missing values are null; keys keep their order; arrays may be empty")
    func nulls() {
        #expect(JSONText.object(["b": .string(nil), "a": .int(nil), "c": .bool(nil), "d": .json(JSONText.array([]))])
            == #"{"b":null,"a":null,"c":null,"d":[]}"#)
        #expect(JSONText.object([:]) == "{}")
        #expect(JSONText.array([JSONText.object(["n": .int(Int.max)]), "true"]) == #"[{"n":9223372036854775807},true]"#)
    }
}
