import Foundation
import SubsidiaCore
import Vapor

/// A document as the pages, the API and the evaluators handle it: the upload's form, the file's response, its size.
enum DocumentFiles {
    struct Upload: Content {
        var item: String?
        var file: File?
    }

    /// A stored document as a download under `filename`, never cached.
    static func file(_ doc: ApplicationDocument, filename: String) -> Response {
        let r = Response(status: .ok, body: .init(data: doc.content))
        r.headers.replaceOrAdd(name: .contentType, value: doc.contentType)
        r.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(filename.filter { $0.isASCII && $0 != "\"" })\"; filename*=UTF-8''\(filename.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "document")")
        r.headers.replaceOrAdd(name: .cacheControl, value: "private, no-store")
        return r
    }

    static func sizeText(_ bytes: Int64, _ req: Request) -> String {
        bytes >= 1_048_576 ? req.t("doc.size_mb", String(format: "%.1f", Double(bytes) / 1_048_576)) : req.t("doc.size_kb", String(max(1, bytes / 1024)))
    }
}
