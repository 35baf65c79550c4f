import Foundation

/// The file types an application accepts (COM-14, AMIF-07), recognised by their content, never by their name.
public enum DocumentType: String, CaseIterable, Sendable {
    case pdf, png, jpeg, odt, ods, docx, xlsx

    public var mediaType: String {
        switch self {
        case .pdf: "application/pdf"
        case .png: "image/png"
        case .jpeg: "image/jpeg"
        case .odt: "application/vnd.oasis.opendocument.text"
        case .ods: "application/vnd.oasis.opendocument.spreadsheet"
        case .docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        case .xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        }
    }

    public static var names: String { "PDF, PNG, JPEG, ODT, ODS, DOCX, XLSX" }

    /// The file name extensions each type may carry.
    public var extensions: [String] {
        switch self {
        case .pdf: ["pdf"]
        case .png: ["png"]
        case .jpeg: ["jpg", "jpeg"]
        case .odt: ["odt"]
        case .ods: ["ods"]
        case .docx: ["docx"]
        case .xlsx: ["xlsx"]
        }
    }

    /// Reads the first bytes, and for office files the archive's list of entries, to tell what a file is. An
    /// archive is an office file only with the parts its format requires (DOCX: `[Content_Types].xml`,
    /// `_rels/.rels`, `word/document.xml`; XLSX: the same with `xl/workbook.xml`; ODT/ODS: a first entry
    /// `mimetype` naming the type, and `content.xml`), and never with a Java archive's manifest or classes:
    /// a JAR with a `word/` folder is not a document.
    public static func detect(_ bytes: [UInt8]) -> DocumentType? {
        func starts(_ sig: [UInt8]) -> Bool { bytes.count >= sig.count && bytes.prefix(sig.count).elementsEqual(sig) }
        if starts(Array("%PDF-".utf8)) { return .pdf }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if starts([0xFF, 0xD8, 0xFF]) { return .jpeg }
        guard starts([0x50, 0x4B, 0x03, 0x04]), let entries = ZipDirectory.entryNames(bytes) else { return nil }
        let names = Set(entries)
        if entries.contains(where: { $0.hasPrefix("META-INF/MANIFEST.MF") || $0.hasSuffix(".class") }) { return nil }
        // OpenDocument: the first entry is "mimetype", stored uncompressed, holding the media type.
        let head = String(decoding: bytes.prefix(120), as: UTF8.self)
        if entries.first == "mimetype", names.contains("content.xml") {
            if head.contains("mimetypeapplication/vnd.oasis.opendocument.text") { return .odt }
            if head.contains("mimetypeapplication/vnd.oasis.opendocument.spreadsheet") { return .ods }
            return nil
        }
        guard names.contains("[Content_Types].xml"), names.contains("_rels/.rels") else { return nil }
        if names.contains("word/document.xml") { return .docx }
        if names.contains("xl/workbook.xml") { return .xlsx }
        return nil
    }
}

/// The names in a ZIP archive's central directory, read with every offset checked against the bytes: a damaged
/// or hostile archive gives nil, never a trap.
public enum ZipDirectory {
    public static let maximumEntries = 10_000

    public static func entryNames(_ b: [UInt8]) -> [String]? {
        func u16(_ i: Int) -> Int? { i >= 0 && i + 2 <= b.count ? Int(b[i]) | Int(b[i + 1]) << 8 : nil }
        func u32(_ i: Int) -> Int? {
            guard let lo = u16(i), let hi = u16(i + 2) else { return nil }
            return lo | hi << 16
        }
        // The end-of-central-directory record: within the last 22 + 65,535 bytes (its comment's longest).
        let lowest = max(0, b.count - 22 - 65_535)
        var eocd: Int?
        var i = b.count - 22
        while i >= lowest {
            if b[i] == 0x50, b[i + 1] == 0x4B, b[i + 2] == 0x05, b[i + 3] == 0x06 { eocd = i; break }
            i -= 1
        }
        guard let eocd, let count = u16(eocd + 10), let size = u32(eocd + 12), let start = u32(eocd + 16),
              count <= maximumEntries, start + size <= eocd else { return nil }
        var names: [String] = []
        var p = start
        for _ in 0..<count {
            guard u32(p) == 0x0201_4B50, let nameLength = u16(p + 28), let extra = u16(p + 30), let comment = u16(p + 32),
                  p + 46 + nameLength <= b.count else { return nil }
            names.append(String(decoding: b[(p + 46)..<(p + 46 + nameLength)], as: UTF8.self))
            p += 46 + nameLength + extra + comment
        }
        return names
    }
}

public enum UploadRules {
    public enum Refusal: Error, Sendable, Equatable {
        case noFile
        case empty
        case tooLarge(limitBytes: Int)
        case wrongType
        case duplicateName
        case badName
        /// The name's extension does not say what the content is (a PDF named ".docx", a JAR named ".docx").
        case extensionMismatch(DocumentType)
    }

    /// A file name made safe to keep and show: no folders, no control or format characters (among them the
    /// bidirectional overrides that make "gpj.exe" read "exe.jpg"), composed accents (NFC), at most 150 characters.
    public static func cleanName(_ raw: String) -> String {
        let last = raw.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let kept = last.precomposedStringWithCanonicalMapping.unicodeScalars.filter { s in
            switch s.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .privateUse, .unassigned: false
            default: s != "\""
            }
        }
        let cleaned = String(String.UnicodeScalarView(kept)).trimmingCharacters(in: .whitespaces)
        if cleaned.count <= 150 { return cleaned }
        let ext = cleaned.split(separator: ".").last.map { "." + $0 } ?? ""
        return String(cleaned.prefix(150 - ext.count)) + ext
    }

    /// Checks one upload: something chosen, not empty, within the limit, an accepted type, a name not yet used.
    public static func check(filename: String, bytes: [UInt8], limitBytes: Int, existingNames: [String]) throws(Refusal) -> (name: String, type: DocumentType) {
        let name = cleanName(filename)
        if filename.isEmpty && bytes.isEmpty { throw .noFile }
        if name.isEmpty || name == "." || name == ".." { throw .badName }
        if bytes.isEmpty { throw .empty }
        if bytes.count > limitBytes { throw .tooLarge(limitBytes: limitBytes) }
        guard let type = DocumentType.detect(bytes) else { throw .wrongType }
        let ext = name.contains(".") ? String(name.split(separator: ".").last ?? "").lowercased() : ""
        guard type.extensions.contains(ext) else { throw .extensionMismatch(type) }
        if existingNames.contains(where: { $0.lowercased() == name.lowercased() }) { throw .duplicateName }
        return (name, type)
    }
}
