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

    @Test("The same content and date give the same bytes")
    func deterministic() {
        var a = PDFDocument(title: "X")
        a.paragraph("Même contenu")
        let b = a
        #expect(a.render(created: Date(timeIntervalSince1970: 1_000)) == b.render(created: Date(timeIntervalSince1970: 1_000)))
    }
}
