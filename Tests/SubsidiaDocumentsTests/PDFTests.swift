import Foundation
import Testing
@testable import SubsidiaDocuments

/// Reads a PDF back with poppler's pdftotext, as a person's reader would.
func pdfText(_ bytes: [UInt8]) throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("subsidia-pdf-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let input = dir.appendingPathComponent("in.pdf")
    try Data(bytes).write(to: input)
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["pdftotext", "-layout", input.path, "-"]
    let pipe = Pipe()
    p.standardOutput = pipe
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    #expect(p.terminationStatus == 0, "pdftotext failed")
    return String(decoding: data, as: UTF8.self)
}

@Suite("PDF documents")
struct PDFTests {
    @Test("Accents, the euro sign and German letters survive the round trip")
    func accents() throws {
        var doc = PDFDocument(title: "Accusé de réception", footer: "COM-2027-0001")
        doc.heading("Accusé de réception – Déclaration")
        doc.paragraph("Straße, Größe, Übersicht, œuvre, « guillemets », coût total 1\u{202F}234,56 €")
        doc.field("Intitulé", "Fête de l'amitié à Démoville")
        let text = try pdfText(doc.render(created: Date(timeIntervalSince1970: 0)))
        #expect(text.contains("Accusé de réception – Déclaration"))
        #expect(text.contains("Straße, Größe, Übersicht, œuvre, « guillemets », coût total 1 234,56 €"))
        #expect(text.contains("Fête de l'amitié à Démoville"))
        #expect(text.replacingOccurrences(of: " / ", with: "/").contains("1/1"))
    }

    @Test("Long tables break across pages, repeat their header and number the pages")
    func pagination() throws {
        var doc = PDFDocument(title: "Budget")
        doc.heading("Budget prévisionnel")
        let rows = (1...120).map { ["Ligne \($0)", "Détail de la dépense numéro \($0)", "\($0),00 €"] }
        doc.table([.init("Rubrique", share: 0.2), .init("Détail", share: 0.6), .init("Montant", share: 0.2, alignment: .right)], rows)
        #expect(doc.pageCount > 2)
        let text = try pdfText(doc.render(created: Date()))
        #expect(text.contains("Ligne 1 "))
        #expect(text.contains("Ligne 120"))
        // Page numbers "n / total"; pdftotext's layout mode may drop the spaces around the slash.
        let compact = text.replacingOccurrences(of: " / ", with: "/")
        #expect(compact.contains("1/\(doc.pageCount)"))
        #expect(compact.contains("\(doc.pageCount)/\(doc.pageCount)"))
        #expect(text.components(separatedBy: "Rubrique").count - 1 == doc.pageCount)
    }

    @Test("Long words and paragraphs wrap inside the page; parentheses and backslashes are escaped")
    func wrapping() throws {
        let long = String(repeating: "Integrationsprojektförderung", count: 8)
        let lines = PDFDocument.wrap(long, width: 200, size: 10, style: .regular)
        #expect(lines.count > 1)
        #expect(lines.allSatisfy { PDFDocument.width($0, size: 10, style: .regular) <= 200 })
        var doc = PDFDocument(title: "Test")
        doc.paragraph("Un texte (avec parenthèses) et \\ une barre.")
        let text = try pdfText(doc.render(created: Date()))
        #expect(text.contains("Un texte (avec parenthèses) et \\ une barre."))
    }

    /// The lines a reader expects: greedy, each line as many words as fit, measured whole (the plain way, quadratic).
    static func plainWrap(_ text: String, width: Double, size: Double, style: PDFDocument.Style) -> [String] {
        var lines: [String] = []
        for para in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            var line = ""
            for word in para.split(separator: " ") {
                let candidate = line.isEmpty ? String(word) : line + " " + word
                if PDFDocument.width(candidate, size: size, style: style) <= width { line = candidate; continue }
                if !line.isEmpty { lines.append(line) }
                line = ""
                for ch in word {
                    if !line.isEmpty && PDFDocument.width(line + String(ch), size: size, style: style) > width { lines.append(line); line = "" }
                    line.append(ch)
                }
            }
            lines.append(line)
        }
        return lines
    }

    @Test("Wrapping gives the lines measured whole would give: accents, the euro sign, line ends, a word cut, bold")
    func wrappingAsMeasuredWhole() {
        let texts = [
            "Fête de l'amitié à Démoville : 2 030 € de dépenses, dont 1 522,50 € demandés.\r\nZweite Zeile für Straßenfeste ÄÖÜ äöü ß.",
            String(repeating: "Élan ", count: 40) + String(repeating: "x", count: 120) + " fin",
            "", "\n\n", "un  deux   trois",
        ]
        for text in texts {
            for (width, style) in [(200.0, PDFDocument.Style.regular), (120, .bold), (483, .regular)] {
                let lines = PDFDocument.wrap(text, width: width, size: 10, style: style)
                #expect(lines == Self.plainWrap(text, width: width, size: 10, style: style), "\(text.prefix(20)) at \(width)")
                #expect(lines.allSatisfy { $0.count <= 1 || PDFDocument.width($0, size: 10, style: style) <= width })
            }
        }
        // A width too small for one line of the words still gives every character once, in order.
        let cut = PDFDocument.wrap("abcdef ghij", width: 12, size: 10, style: .regular)
        #expect(cut.joined() == "abcdefghij" && cut.count > 2)
    }

    @Test("Coordinates print as \"%.2f\" prints them, away from the exact ties")
    func fixedDecimals() {
        var value = -3.0
        while value < 842 {
            for digits in [1, 2] {
                let scaled = abs(value) * (digits == 1 ? 10 : 100)
                if abs(scaled - scaled.rounded(.down) - 0.5) < 1e-6 { continue }
                #expect(PDFDocument.fixed(value, digits) == String(format: "%.\(digits)f", value), "\(value)")
            }
            value += 0.01373
        }
        #expect(PDFDocument.fixed(10, 1) == "10.0" && PDFDocument.fixed(56, 2) == "56.00" && PDFDocument.fixed(-0.001, 2) == "-0.00")
    }

    @Test("The same content and date give the same bytes")
    func deterministic() {
        var a = PDFDocument(title: "X")
        a.paragraph("Même contenu")
        let b = a
        #expect(a.render(created: Date(timeIntervalSince1970: 1_000)) == b.render(created: Date(timeIntervalSince1970: 1_000)))
    }
}
