import Foundation

/// A spreadsheet (Office Open XML, .xlsx) written as a stream: the fixed parts first, then the sheet's rows
/// in as many chunks as the caller has batches, then the ZIP directory. Nothing of the sheet is held in
/// memory beyond the batch being written, so an export of 100,000 rows costs what a batch costs.
///
/// The package is a ZIP of stored (uncompressed) entries. The sheet's size and CRC are not known when it
/// starts, so its entry carries a data descriptor after its data (general purpose flag bit 3), as ZIP
/// allows; the central directory at the end repeats every entry's size and CRC. Strings are inline
/// (no shared-strings table, which would need every string before the sheet).
public struct XLSXWriter: Sendable {
    public enum Style: Int, Sendable { case text = 0, header = 1, money = 2, dateTime = 3, decimal = 4 }

    public struct Column: Sendable {
        public let title: String
        /// Width in characters.
        public let width: Int
        public init(_ title: String, width: Int = 16) {
            self.title = title
            self.width = width
        }
    }

    public enum Cell: Sendable {
        case text(String)
        case integer(Int64)
        /// An amount in cents, shown with two decimals.
        case money(cents: Int64)
        /// A number given in hundredths (a score), shown with two decimals.
        case hundredths(Int)
        /// A moment, shown in the writer's time zone.
        case dateTime(Date)
        case empty
    }

    private struct Entry {
        let name: String
        let offset: UInt32
        var crc: UInt32
        var size: UInt32
        let descriptor: Bool
    }

    private let sheetName: String
    private let columns: [Column]
    private let timeZone: TimeZone
    private let modified: (time: UInt16, date: UInt16)
    private var entries: [Entry] = []
    private var offset: UInt32 = 0
    private var row = 0
    private var sheetCRC = CRC32()
    private var sheetSize: UInt32 = 0

    public init(sheetName: String, columns: [Column], timeZone: TimeZone, created: Date) {
        self.sheetName = String(sheetName.filter { !"[]:*?/\\".contains($0) }.prefix(31))
        self.columns = columns
        self.timeZone = timeZone
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: created)
        let time = UInt16((c.hour ?? 0) << 11 | (c.minute ?? 0) << 5 | (c.second ?? 0) / 2)
        let date = UInt16(max(0, (c.year ?? 1980) - 1980) << 9 | (c.month ?? 1) << 5 | (c.day ?? 1))
        modified = (time, date)
    }

    // MARK: Stream

    /// The fixed parts of the package, the start of the sheet and its header row.
    public mutating func start() -> [UInt8] {
        var out: [UInt8] = []
        out += stored("[Content_Types].xml", Self.contentTypes)
        out += stored("_rels/.rels", Self.rootRels)
        out += stored("xl/workbook.xml", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
            xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">\
            <sheets><sheet name="\(Self.escape(sheetName))" sheetId="1" r:id="rId1"/></sheets></workbook>
            """)
        out += stored("xl/_rels/workbook.xml.rels", Self.workbookRels)
        out += stored("xl/styles.xml", Self.styles)
        // The sheet: its local header announces a data descriptor.
        let name = "xl/worksheets/sheet1.xml"
        entries.append(Entry(name: name, offset: offset, crc: 0, size: 0, descriptor: true))
        out += emit(localHeader(name: name, crc: 0, size: 0, descriptor: true))
        let cols = columns.enumerated().map { i, c in "<col min=\"\(i + 1)\" max=\"\(i + 1)\" width=\"\(c.width)\" customWidth=\"1\"/>" }.joined()
        var head = """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
            <sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>\
            <cols>\(cols)</cols><sheetData>
            """
        head += rowXML(columns.map { .text($0.title) }, style: .header)
        out += sheet(head)
        return out
    }

    /// Rows of the sheet, as many calls as there are batches.
    public mutating func rows(_ rows: [[Cell]]) -> [UInt8] {
        var xml = ""
        xml.reserveCapacity(rows.count * columns.count * 24)
        for r in rows { xml += rowXML(r, style: nil) }
        return sheet(xml)
    }

    /// The end of the sheet, its data descriptor, the central directory.
    public mutating func finish() -> [UInt8] {
        var out = sheet("</sheetData>" + (row > 1 ? "<autoFilter ref=\"A1:\(Self.column(columns.count - 1))\(row)\"/>" : "") + "</worksheet>")
        let i = entries.count - 1
        entries[i].crc = sheetCRC.value
        entries[i].size = sheetSize
        var descriptor = Bytes()
        descriptor.u32(0x0807_4B50)
        descriptor.u32(sheetCRC.value)
        descriptor.u32(sheetSize)
        descriptor.u32(sheetSize)
        out += emit(descriptor.bytes)
        let directoryStart = offset
        var directory = Bytes()
        for e in entries {
            directory.u32(0x0201_4B50)
            directory.u16(20)                          // made by: version 2.0
            directory.u16(20)                          // needed to extract
            directory.u16(e.descriptor ? 0x0808 : 0x0800)  // UTF-8 names; data descriptor
            directory.u16(0)                           // stored
            directory.u16(modified.time)
            directory.u16(modified.date)
            directory.u32(e.crc)
            directory.u32(e.size)
            directory.u32(e.size)
            directory.u16(UInt16(e.name.utf8.count))
            directory.u16(0)                           // extra
            directory.u16(0)                           // comment
            directory.u16(0)                           // disk
            directory.u16(0)                           // internal attributes
            directory.u32(0)                           // external attributes
            directory.u32(e.offset)
            directory.bytes += Array(e.name.utf8)
        }
        out += emit(directory.bytes)
        var end = Bytes()
        end.u32(0x0605_4B50)
        end.u16(0)
        end.u16(0)
        end.u16(UInt16(entries.count))
        end.u16(UInt16(entries.count))
        end.u32(offset - directoryStart)
        end.u32(directoryStart)
        end.u16(0)
        out += emit(end.bytes)
        return out
    }

    /// A whole workbook at once, for small sheets and tests.
    public static func workbook(sheetName: String, columns: [Column], rows: [[Cell]], timeZone: TimeZone, created: Date) -> [UInt8] {
        var w = XLSXWriter(sheetName: sheetName, columns: columns, timeZone: timeZone, created: created)
        return w.start() + w.rows(rows) + w.finish()
    }

    // MARK: Cells

    private mutating func rowXML(_ cells: [Cell], style: Style?) -> String {
        row += 1
        var xml = "<row r=\"\(row)\">"
        for (i, cell) in cells.enumerated() {
            let ref = Self.column(i) + String(row)
            switch cell {
            case .empty:
                continue
            case .text(let t):
                let s = style.map { " s=\"\($0.rawValue)\"" } ?? ""
                xml += "<c r=\"\(ref)\" t=\"inlineStr\"\(s)><is><t xml:space=\"preserve\">\(Self.escape(t))</t></is></c>"
            case .integer(let n):
                xml += "<c r=\"\(ref)\"><v>\(n)</v></c>"
            case .money(let cents):
                xml += "<c r=\"\(ref)\" s=\"\(Style.money.rawValue)\"><v>\(Self.decimal(cents))</v></c>"
            case .hundredths(let h):
                xml += "<c r=\"\(ref)\" s=\"\(Style.decimal.rawValue)\"><v>\(Self.decimal(Int64(h)))</v></c>"
            case .dateTime(let d):
                xml += "<c r=\"\(ref)\" s=\"\(Style.dateTime.rawValue)\"><v>\(serial(d))</v></c>"
            }
        }
        return xml + "</row>"
    }

    /// Excel's serial date: days since 30 December 1899 in local time, the time of day as the fraction.
    func serial(_ d: Date) -> String {
        let local = d.timeIntervalSince1970 + Double(timeZone.secondsFromGMT(for: d))
        let seconds = Int64(local.rounded(.down))
        let days = seconds.quotientAndRemainder(dividingBy: 86_400)
        let (day, second) = days.remainder < 0 ? (days.quotient - 1, days.remainder + 86_400) : (days.quotient, days.remainder)
        // The shortest decimal that reads back as the same double: whole seconds survive the round trip.
        return String(Double(day + 25_569) + Double(second) / 86_400)
    }

    /// Cents or hundredths as a decimal with two places, exactly ("-12.05").
    static func decimal(_ n: Int64) -> String {
        let sign = n < 0 ? "-" : ""
        let m = n.magnitude
        let frac = m % 100
        return sign + String(m / 100) + "." + (frac < 10 ? "0" : "") + String(frac)
    }

    /// A, B, …, Z, AA, AB, …
    static func column(_ index: Int) -> String {
        var n = index + 1
        var name = ""
        while n > 0 {
            let r = (n - 1) % 26
            name = String(UnicodeScalar(UInt8(65 + r))) + name
            n = (n - 1) / 26
        }
        return name
    }

    /// XML text: the five special characters escaped, characters XML 1.0 forbids left out.
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for u in s.unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\t", "\n", "\r": out.unicodeScalars.append(u)
            default:
                if u.value < 0x20 || u.value == 0xFFFE || u.value == 0xFFFF { continue }
                out.unicodeScalars.append(u)
            }
        }
        return out
    }

    // MARK: ZIP

    private mutating func sheet(_ xml: String) -> [UInt8] {
        let bytes = Array(xml.utf8)
        sheetCRC.update(bytes)
        sheetSize += UInt32(bytes.count)
        return emit(bytes)
    }

    private mutating func stored(_ name: String, _ text: String) -> [UInt8] {
        let data = Array(text.utf8)
        var crc = CRC32()
        crc.update(data)
        entries.append(Entry(name: name, offset: offset, crc: crc.value, size: UInt32(data.count), descriptor: false))
        return emit(localHeader(name: name, crc: crc.value, size: UInt32(data.count), descriptor: false)) + emit(data)
    }

    private func localHeader(name: String, crc: UInt32, size: UInt32, descriptor: Bool) -> [UInt8] {
        var h = Bytes()
        h.u32(0x0403_4B50)
        h.u16(20)
        h.u16(descriptor ? 0x0808 : 0x0800)
        h.u16(0)
        h.u16(modified.time)
        h.u16(modified.date)
        h.u32(crc)
        h.u32(size)
        h.u32(size)
        h.u16(UInt16(name.utf8.count))
        h.u16(0)
        h.bytes += Array(name.utf8)
        return h.bytes
    }

    private mutating func emit(_ bytes: [UInt8]) -> [UInt8] {
        offset += UInt32(bytes.count)
        return bytes
    }

    private struct Bytes {
        var bytes: [UInt8] = []
        mutating func u16(_ v: UInt16) { bytes += [UInt8(v & 0xFF), UInt8(v >> 8)] }
        mutating func u32(_ v: UInt32) { bytes += [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF), UInt8((v >> 16) & 0xFF), UInt8(v >> 24)] }
    }

    // MARK: Fixed parts

    static let contentTypes = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
        <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
        <Default Extension="xml" ContentType="application/xml"/>\
        <Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
        <Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>\
        <Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>\
        </Types>
        """

    static let rootRels = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
        <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>\
        </Relationships>
        """

    static let workbookRels = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
        <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>\
        <Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>\
        </Relationships>
        """

    /// Cell formats in the order of `Style`: plain, bold header, money (#,##0.00), date and time, decimal.
    static let styles = """
        <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
        <styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
        <numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm"/></numFmts>\
        <fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>\
        <fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>\
        <borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
        <cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
        <cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
        <xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>\
        <xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
        <xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
        <xf numFmtId="2" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>\
        <cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>\
        </styleSheet>
        """
}

/// CRC-32 (ISO 3309, the polynomial ZIP uses), by table.
struct CRC32: Sendable {
    private(set) var value: UInt32 = 0
    private var state: UInt32 = 0xFFFF_FFFF

    static let table: [UInt32] = (0..<256).map { i -> UInt32 in
        var c = UInt32(i)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    mutating func update(_ bytes: [UInt8]) {
        var c = state
        Self.table.withUnsafeBufferPointer { t in
            for b in bytes { c = t[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        }
        state = c
        value = c ^ 0xFFFF_FFFF
    }
}
