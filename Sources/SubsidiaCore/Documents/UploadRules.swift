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

    /// Reads the first bytes (and, for office files, the ZIP entry names) to tell what a file is.
    public static func detect(_ bytes: [UInt8]) -> DocumentType? {
        func starts(_ sig: [UInt8]) -> Bool { bytes.count >= sig.count && Array(bytes.prefix(sig.count)) == sig }
        if starts(Array("%PDF-".utf8)) { return .pdf }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if starts([0xFF, 0xD8, 0xFF]) { return .jpeg }
        guard starts([0x50, 0x4B, 0x03, 0x04]) else { return nil }
        // OpenDocument: the first entry is "mimetype", stored uncompressed, holding the media type.
        let head = String(decoding: bytes.prefix(200), as: UTF8.self)
        if head.contains("mimetypeapplication/vnd.oasis.opendocument.text") { return .odt }
        if head.contains("mimetypeapplication/vnd.oasis.opendocument.spreadsheet") { return .ods }
        // Office Open XML: entry names in the local headers and the central directory.
        let names = String(decoding: bytes, as: UTF8.self)
        if names.contains("word/document.xml") || names.contains("word/") { return .docx }
        if names.contains("xl/workbook.xml") || names.contains("xl/") { return .xlsx }
        return nil
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
    }

    /// A file name made safe to keep and show: no folders, no control characters, at most 150 characters.
    public static func cleanName(_ raw: String) -> String {
        let last = raw.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let cleaned = String(last.unicodeScalars.filter { $0.value >= 32 && $0.value != 127 && $0 != "\"" }.map(Character.init))
            .trimmingCharacters(in: .whitespaces)
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
        if existingNames.contains(where: { $0.lowercased() == name.lowercased() }) { throw .duplicateName }
        return (name, type)
    }
}
