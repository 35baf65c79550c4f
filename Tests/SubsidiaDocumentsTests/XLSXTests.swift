import Foundation
import Testing
@testable import SubsidiaDocuments

/// Runs a Python script on a file and returns what it prints (openpyxl reads the workbook as a spreadsheet
/// program would; zipfile checks every entry's CRC).
func python(_ script: String, file bytes: [UInt8]) throws -> (status: Int32, output: String) {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("subsidia-\(UUID().uuidString).xlsx")
    try Data(bytes).write(to: url)
    defer { try? FileManager.default.removeItem(at: url) }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["python3", "-c", script, url.path]
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = pipe
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: data, as: UTF8.self))
}

@Suite("XLSX export")
struct XLSXTests {
    let zone = TimeZone(identifier: "Europe/Luxembourg")!
    let columns: [XLSXWriter.Column] = [.init("Référence"), .init("Titre", width: 40), .init("Montant"), .init("Déposée le"), .init("Note"),
                                        .init("Nombre")]

    @Test("A workbook opens in openpyxl with its texts, amounts, dates and numbers typed as such")
    func roundTrip() throws {
        // 20 September 2024, 23:59 in Luxembourg (summer time, UTC+2).
        let submitted = Date(timeIntervalSince1970: 1_726_869_540)
        let bytes = XLSXWriter.workbook(
            sheetName: "Demandes: 2027/1", columns: columns,
            rows: [[.text("COM-2027-0001"), .text("Fête « l'amitié » & <Straße>\u{0001}"), .money(cents: 123_456), .dateTime(submitted),
                    .hundredths(8_050), .integer(-3)],
                   [.text("=SUM(A1:A2)"), .empty, .money(cents: -5), .empty, .empty, .integer(0)]],
            timeZone: zone, created: submitted)
        let script = """
            import sys, zipfile, openpyxl
            z = zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None, "bad CRC"
            wb = openpyxl.load_workbook(sys.argv[1]); ws = wb.active
            print(ws.title)
            for row in ws.iter_rows(values_only=True): print(repr(row))
            print(ws.freeze_panes, ws.auto_filter.ref)
            """
        let (status, out) = try python(script, file: bytes)
        #expect(status == 0, "\(out)")
        let lines = out.split(separator: "\n").map(String.init)
        #expect(lines.first == "Demandes 20271")
        #expect(lines.count > 1 && lines[1] == "('Référence', 'Titre', 'Montant', 'Déposée le', 'Note', 'Nombre')")
        #expect(lines.count > 2 && lines[2]
                == "('COM-2027-0001', \"Fête « l'amitié » & <Straße>\", 1234.56, datetime.datetime(2024, 9, 20, 23, 59), 80.5, -3)", "\(out)")
        // A text that looks like a formula stays a text: nothing is computed when the file is opened.
        #expect(lines.count > 3 && lines[3] == "('=SUM(A1:A2)', None, -0.05, None, None, 0)")
        #expect(lines.last == "A2 A1:F3")
    }

    @Test("Written in batches, the stream equals the one-piece workbook and stays a valid package")
    func batches() throws {
        let rows: [[XLSXWriter.Cell]] = (0..<2_500).map { [.text("R\($0)"), .text("Projet \($0)"), .money(cents: Int64($0) * 100), .empty, .empty,
                                                            .integer(Int64($0))] }
        let created = Date(timeIntervalSince1970: 1_800_000_000)
        let whole = XLSXWriter.workbook(sheetName: "Export", columns: columns, rows: rows, timeZone: zone, created: created)
        var w = XLSXWriter(sheetName: "Export", columns: columns, timeZone: zone, created: created)
        var streamed = w.start()
        for start in stride(from: 0, to: rows.count, by: 1_000) { streamed += w.rows(Array(rows[start..<min(start + 1_000, rows.count)])) }
        streamed += w.finish()
        #expect(streamed == whole)
        let (status, out) = try python("""
            import sys, openpyxl
            ws = openpyxl.load_workbook(sys.argv[1], read_only=True).active
            rows = list(ws.iter_rows(values_only=True)); print(len(rows), rows[-1][0], rows[-1][2])
            """, file: streamed)
        #expect(status == 0 && out.trimmingCharacters(in: .whitespacesAndNewlines) == "2501 R2499 2499.0", "\(out)")
        // A damaged byte in the sheet is caught by the CRC: the check above can fail.
        var broken = streamed
        let index = broken.count / 2
        broken[index] = broken[index] == 0x41 ? 0x42 : 0x41
        #expect(try python("import sys, zipfile; assert zipfile.ZipFile(sys.argv[1]).testzip() is None", file: broken).status != 0)
    }

    @Test("Column names go A…Z, AA…; amounts keep their cents exactly")
    func helpers() {
        #expect([0, 25, 26, 27, 701, 702].map(XLSXWriter.column) == ["A", "Z", "AA", "AB", "ZZ", "AAA"])
        #expect([0, 5, -5, 123_456, -100].map { XLSXWriter.decimal(Int64($0)) } == ["0.00", "0.05", "-0.05", "1234.56", "-1.00"])
    }
}
