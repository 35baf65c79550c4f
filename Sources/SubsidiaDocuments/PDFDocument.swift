import Foundation

/// A small PDF writer for the platform's own documents (application summary, acknowledgement of receipt,
/// letters): A4 pages, Helvetica in WinAnsi encoding (French and German accents, the euro sign), headings,
/// paragraphs, label–value rows, tables that continue on the next page with their header, and page
/// numbers. No external program; the output is plain PDF 1.4 that any reader and `pdftotext` open.
public struct PDFDocument: Sendable {
    public enum Style: Sendable { case regular, bold }
    public enum Alignment: Sendable { case left, right }

    public struct Column: Sendable {
        public let title: String
        /// Share of the text width, 0–1.
        public let share: Double
        public let alignment: Alignment
        public init(_ title: String, share: Double, alignment: Alignment = .left) {
            self.title = title
            self.share = share
            self.alignment = alignment
        }
    }

    // A4 in points.
    static let pageWidth = 595.28
    static let pageHeight = 841.89
    static let margin = 56.0
    static var textWidth: Double { pageWidth - 2 * margin }

    let title: String
    let author: String
    let footerText: String
    private var pages: [[String]] = [[]]
    private var y: Double = PDFDocument.pageHeight - PDFDocument.margin

    /// - Parameters:
    ///   - title: the document's title (its metadata and the head of every page after the first).
    ///   - footer: printed at the foot of every page beside "page / total".
    public init(title: String, author: String = "Subsidia", footer: String = "") {
        self.title = title
        self.author = author
        self.footerText = footer
    }

    public var pageCount: Int { pages.count }

    // MARK: Content

    public mutating func heading(_ text: String, level: Int = 1) {
        let size = level == 1 ? 16.0 : (level == 2 ? 13.0 : 11.0)
        space(level == 1 ? 4 : 10)
        let lines = PDFDocument.wrap(text, width: PDFDocument.textWidth, size: size, style: .bold)
        ensure(Double(lines.count) * size * 1.25 + size * 2)
        for line in lines { put(line, x: PDFDocument.margin, size: size, style: .bold); y -= size * 1.25 }
        y -= size * 0.4
    }

    public mutating func paragraph(_ text: String, size: Double = 10, style: Style = .regular) {
        for line in PDFDocument.wrap(text, width: PDFDocument.textWidth, size: size, style: style) {
            ensure(size * 1.35)
            put(line, x: PDFDocument.margin, size: size, style: style)
            y -= size * 1.35
        }
        y -= size * 0.5
    }

    /// A label in bold with its value beside it, wrapped in two columns.
    public mutating func field(_ label: String, _ value: String, size: Double = 10) {
        let labelWidth = PDFDocument.textWidth * 0.36
        let valueWidth = PDFDocument.textWidth - labelWidth - 8
        let l = PDFDocument.wrap(label, width: labelWidth, size: size, style: .bold)
        let v = PDFDocument.wrap(value.isEmpty ? "–" : value, width: valueWidth, size: size, style: .regular)
        let n = max(l.count, v.count)
        for i in 0..<n {
            ensure(size * 1.35)
            if i < l.count { put(l[i], x: PDFDocument.margin, size: size, style: .bold) }
            if i < v.count { put(v[i], x: PDFDocument.margin + labelWidth + 8, size: size, style: .regular) }
            y -= size * 1.35
        }
        y -= size * 0.35
    }

    /// A table with a header row repeated on each page; `boldRows` are row indexes printed in bold (totals).
    public mutating func table(_ columns: [Column], _ rows: [[String]], boldRows: Set<Int> = [], size: Double = 9) {
        let widths = columns.map { $0.share * PDFDocument.textWidth }
        let pad = 3.0, leading = size * 1.3
        func rowHeight(_ cells: [String], _ style: Style) -> (Double, [[String]]) {
            let wrapped = cells.enumerated().map { i, c in PDFDocument.wrap(c, width: widths[i] - 2 * pad, size: size, style: style) }
            return (Double(wrapped.map(\.count).max() ?? 1) * leading + 2 * pad, wrapped)
        }
        func draw(_ wrapped: [[String]], height: Double, style: Style) {
            var x = PDFDocument.margin
            for (i, lines) in wrapped.enumerated() {
                for (k, line) in lines.enumerated() {
                    let ty = y - pad - size - Double(k) * leading + 2
                    let tx = columns[i].alignment == .right
                        ? x + widths[i] - pad - PDFDocument.width(line, size: size, style: style) : x + pad
                    put(line, x: tx, y: ty, size: size, style: style)
                }
                x += widths[i]
            }
            // Row rule below.
            pages[pages.count - 1].append("0.6 G 0.5 w " + PDFDocument.fixed(PDFDocument.margin, 2) + " " + PDFDocument.fixed(y - height, 2)
                                          + " m " + PDFDocument.fixed(PDFDocument.margin + PDFDocument.textWidth, 2) + " "
                                          + PDFDocument.fixed(y - height, 2) + " l S 0 G")
            y -= height
        }
        let header = rowHeight(columns.map(\.title), .bold)
        space(4)
        ensure(header.0 + 30)
        draw(header.1, height: header.0, style: .bold)
        for (r, row) in rows.enumerated() {
            let style: Style = boldRows.contains(r) ? .bold : .regular
            let (h, wrapped) = rowHeight(row + Array(repeating: "", count: max(0, columns.count - row.count)), style)
            if y - h < PDFDocument.margin + 30 {
                newPage()
                draw(header.1, height: header.0, style: .bold)
            }
            draw(wrapped, height: h, style: style)
        }
        y -= 10
    }

    public mutating func space(_ points: Double) { y -= points }

    public mutating func pageBreak() { newPage() }

    private mutating func ensure(_ height: Double) {
        if y - height < PDFDocument.margin + 30 { newPage() }
    }

    private mutating func newPage() {
        pages.append([])
        y = PDFDocument.pageHeight - PDFDocument.margin
        put(title, x: PDFDocument.margin, size: 8, style: .regular)
        y -= 20
    }

    private mutating func put(_ text: String, x: Double, y explicitY: Double? = nil, size: Double, style: Style) {
        let font = style == .bold ? "F2" : "F1"
        pages[pages.count - 1].append("BT /" + font + " " + PDFDocument.fixed(size, 1) + " Tf " + PDFDocument.fixed(x, 2) + " "
                                      + PDFDocument.fixed(explicitY ?? y, 2) + " Td (" + PDFDocument.escape(text) + ") Tj ET")
    }

    // MARK: Output

    /// The finished file. `created` is written in the metadata, so the same content gives the same bytes.
    public func render(created: Date) -> [UInt8] {
        var out: [UInt8] = []
        var offsets: [Int] = []
        func emit(_ s: String) { out.append(contentsOf: PDFDocument.encode(s)) }
        func object(_ body: String) {
            offsets.append(out.count)
            emit("\(offsets.count) 0 obj\n" + body + "\nendobj\n")
        }
        emit("%PDF-1.4\n")
        out.append(contentsOf: [0x25, 0xE2, 0xE3, 0xCF, 0xD3, 0x0A])
        let n = pages.count
        // 1 catalog, 2 pages, 3 font regular, 4 font bold, 5 info, then (page, contents) pairs.
        let pageIDs = (0..<n).map { 6 + 2 * $0 }
        object("<< /Type /Catalog /Pages 2 0 R >>")
        object("<< /Type /Pages /Kids [" + pageIDs.map { "\($0) 0 R" }.joined(separator: " ") + "] /Count \(n) >>")
        object("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
        object("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>")
        let stamp = PDFDocument.pdfDate(created)
        object("<< /Title (" + PDFDocument.escape(title) + ") /Author (" + PDFDocument.escape(author)
               + ") /Producer (Subsidia) /CreationDate (" + stamp + ") >>")
        for (i, ops) in pages.enumerated() {
            var content = ops
            let foot = (footerText.isEmpty ? "" : footerText + "  ·  ") + "\(i + 1) / \(n)"
            let fw = PDFDocument.width(foot, size: 8, style: .regular)
            content.append(String(format: "BT /F1 8 Tf %.2f %.2f Td (", PDFDocument.pageWidth - PDFDocument.margin - fw, PDFDocument.margin - 24)
                           + PDFDocument.escape(foot) + ") Tj ET")
            let stream = content.joined(separator: "\n")
            let bytes = PDFDocument.encode(stream)
            object("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.28 841.89] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents \(pageIDs[i] + 1) 0 R >>")
            offsets.append(out.count)
            emit("\(offsets.count) 0 obj\n<< /Length \(bytes.count) >>\nstream\n")
            out.append(contentsOf: bytes)
            emit("\nendstream\nendobj\n")
        }
        let xref = out.count
        emit("xref\n0 \(offsets.count + 1)\n0000000000 65535 f \n")
        for o in offsets { emit(String(format: "%010d 00000 n \n", o)) }
        emit("trailer\n<< /Size \(offsets.count + 1) /Root 1 0 R /Info 5 0 R >>\nstartxref\n\(xref)\n%%EOF\n")
        return out
    }

    static func pdfDate(_ date: Date) -> String {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "UTC")!
        let c = cal.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "D:%04d%02d%02d%02d%02d%02dZ", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
    }

    // MARK: Text

    /// `value` with `digits` (1 or 2) decimals, as "%.Nf" prints it except at exact ties, which round away from zero
    /// (perf: `String(format:)` went through Foundation's formatter for each coordinate, a quarter of a receipt's drawing).
    static func fixed(_ value: Double, _ digits: Int) -> String {
        let scale = digits == 1 ? 10.0 : 100.0
        let scaled = (abs(value) * scale).rounded(.toNearestOrAwayFromZero)
        guard scaled < 1e15 else { return String(format: "%.\(digits)f", value) }
        let n = Int(scaled)
        var fraction = String(n % Int(scale))
        while fraction.count < digits { fraction = "0" + fraction }
        return (value < 0 ? "-" : "") + String(n / Int(scale)) + "." + fraction
    }

    /// Escapes a text for a PDF string literal (the encoding to WinAnsi happens on output).
    static func escape(_ s: String) -> String {
        var out = ""
        for ch in s.unicodeScalars {
            switch ch {
            case "\\": out += "\\\\"
            case "(": out += "\\("
            case ")": out += "\\)"
            case "\n", "\r", "\t": out += " "
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    /// Windows-1252 (WinAnsiEncoding) bytes; what it cannot show becomes "?".
    static func encode(_ s: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        for u in s.unicodeScalars {
            out.append(winAnsi(u))
        }
        return out
    }

    static let specials: [UInt32: UInt8] = [
        0x20AC: 0x80, 0x201A: 0x82, 0x0192: 0x83, 0x201E: 0x84, 0x2026: 0x85, 0x2020: 0x86, 0x2021: 0x87, 0x02C6: 0x88,
        0x2030: 0x89, 0x0160: 0x8A, 0x2039: 0x8B, 0x0152: 0x8C, 0x017D: 0x8E, 0x2018: 0x91, 0x2019: 0x92, 0x201C: 0x93,
        0x201D: 0x94, 0x2022: 0x95, 0x2013: 0x96, 0x2014: 0x97, 0x02DC: 0x98, 0x2122: 0x99, 0x0161: 0x9A, 0x203A: 0x9B,
        0x0153: 0x9C, 0x017E: 0x9E, 0x0178: 0x9F,
        // Narrow and thin spaces, used between thousands in French, print as spaces.
        0x202F: 0x20, 0x2009: 0x20, 0x2007: 0x20,
    ]

    static func winAnsi(_ u: Unicode.Scalar) -> UInt8 {
        let v = u.value
        if v < 0x80 { return UInt8(v) }
        if (0xA0...0xFF).contains(v) { return UInt8(v) }
        if let b = specials[v] { return b }
        // Other Latin letters: their base letter ("ő" → "o"); anything else "?".
        if let base = String(u).decomposedStringWithCanonicalMapping.unicodeScalars.first, base.value < 0x80, base.value != v {
            return UInt8(base.value)
        }
        return 0x3F
    }

    /// Helvetica advance widths (per 1000 em) for ASCII 32–126, from the standard font metrics.
    static let helvetica: [Int] = [
        278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // space to /
        556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // 0 to ?
        1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // @ to O
        667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // P to _
        333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // ` to o
        556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, // p to ~
    ]

    static func charWidth(_ u: Unicode.Scalar) -> Int {
        let v = u.value
        if v >= 32 && v <= 126 { return helvetica[Int(v) - 32] }
        if v >= 0xA0 && v <= 0xFF { return latin1Widths[Int(v) - 0xA0] }
        return measuredWidth(u)
    }

    /// The widths of U+00A0–U+00FF (French and German letters), measured once.
    static let latin1Widths: [Int] = (0xA0...0xFF).map { measuredWidth(Unicode.Scalar(UInt32($0))!) }

    private static func measuredWidth(_ u: Unicode.Scalar) -> Int {
        let b = winAnsi(u)
        if b >= 32 && b <= 126 { return helvetica[Int(b) - 32] }
        switch b {
        case 0x80, 0xA3, 0xA5: return 556
        case 0x91, 0x92, 0x82: return 222
        case 0x93, 0x94, 0x84, 0xAB, 0xBB: return 556
        case 0x96: return 556
        case 0x97, 0x85, 0x89: return 1000
        case 0x95: return 350
        case 0xA0: return 278
        case 0xDF: return 611
        case 0xC6: return 1000
        case 0xE6: return 889
        default:
            // Accented letters are as wide as their base letter.
            if let base = String(Character(u)).decomposedStringWithCanonicalMapping.unicodeScalars.first,
               base.value >= 32 && base.value <= 126 { return helvetica[Int(base.value) - 32] }
            return 600
        }
    }

    /// The width of a text in points. Bold is measured a little wider than regular, so lines never overflow.
    static func width(_ s: String, size: Double, style: Style) -> Double {
        points(units(s.unicodeScalars), size: size, style: style)
    }

    static func units<S: Sequence<Unicode.Scalar>>(_ scalars: S) -> Int { scalars.reduce(0) { $0 + charWidth($1) } }

    static func points(_ units: Int, size: Double, style: Style) -> Double {
        Double(units) * size / 1000 * (style == .bold ? 1.08 : 1.0)
    }

    /// Lines of at most `width` points; line ends in the text are kept, long words are cut. Each word is measured
    /// once and the line's width is kept as it grows (measuring the whole line again for each word made wrapping a
    /// long description quadratic).
    static func wrap(_ text: String, width: Double, size: Double, style: Style) -> [String] {
        var lines: [String] = []
        let space = charWidth(" ")
        func fits(_ units: Int) -> Bool { points(units, size: size, style: style) <= width }
        for para in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            var line = ""
            var lineUnits = 0
            for word in para.split(separator: " ", omittingEmptySubsequences: true) {
                let wordUnits = units(word.unicodeScalars)
                let candidate = line.isEmpty ? wordUnits : lineUnits + space + wordUnits
                if fits(candidate) {
                    if !line.isEmpty { line += " " }
                    line += word
                    lineUnits = candidate
                    continue
                }
                if !line.isEmpty { lines.append(line) }
                // A word longer than the line is cut, character by character.
                var head = ""
                var headUnits = 0
                for ch in word {
                    let chUnits = units(ch.unicodeScalars)
                    if !head.isEmpty && !fits(headUnits + chUnits) {
                        lines.append(head)
                        head = ""
                        headUnits = 0
                    }
                    head.append(ch)
                    headUnits += chUnits
                }
                line = head
                lineUnits = headUnits
            }
            lines.append(line)
        }
        return lines.isEmpty ? [""] : lines
    }
}
