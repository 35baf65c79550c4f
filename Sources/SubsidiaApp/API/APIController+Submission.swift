import Fluent
import Foundation
import SubsidiaCore
import Vapor

/// The API's documents, declaration, check and submission.
extension APIController {
    // MARK: Documents

    /// multipart/form-data with `item` (a checklist code) and `file`.
    static func upload(_ req: Request) async throws -> Response {
        let (access, bundle, refusal) = try await editable(req)
        if let refusal { return refusal }
        return try await req.application.uploadSlots.with(try access.user.requireID()) {
            _ = try await req.body.collect(max: req.application.subsidiaConfig.maxUploadBytes * 2 + 1_048_576).get()
            return try await received(req, access: access, bundle: bundle)
        }
    }

    static func received(_ req: Request, access: ApplicationAccess, bundle: ApplicationBundle) async throws -> Response {
        let upload = (try? req.content.decode(DocumentFiles.Upload.self)) ?? DocumentFiles.Upload(item: nil, file: nil)
        var bytes: [UInt8] = []
        if var buffer = upload.file?.data { bytes = buffer.readBytes(length: buffer.readableBytes) ?? [] }
        let item = upload.item ?? ""
        let (checked, e) = ApplicationOperations.checkUpload(req, bundle: bundle, item: item, filename: upload.file?.filename ?? "", bytes: bytes)
        guard let checked else { return try APIResponse.invalid(req, e) }
        let doc = try await ApplicationOperations.storeDocument(req, bundle: bundle, item: item, checked: checked, bytes: bytes, by: access.user)
        let r = try await saved(req, bundle, status: .created)
        r.headers.replaceOrAdd(name: .location, value: "/api/v1/applications/\(try bundle.application.storedID)/documents/\(try doc.storedID)")
        return r
    }

    static func deleteDocument(_ req: Request) async throws -> Response {
        let (_, bundle, refusal) = try await editable(req)
        if let refusal { return refusal }
        guard let id = req.parameters.get("docID", as: UUID.self), let row = bundle.documents.first(where: { $0.id == id }) else { throw Abort(.notFound) }
        try await ApplicationOperations.removeDocument(req, application: bundle.application, id: id, filename: row.filename)
        return try await saved(req, bundle)
    }

    // MARK: Declaration, check, submission

    /// COM-11: `{"name": "…", "function": "…", "place": "…", "confirm": true}` by a signatory.
    static func declare(_ req: Request) async throws -> Response {
        let (access, bundle, refusal) = try await editable(req)
        if let refusal { return refusal }
        guard access.isSignatory else { return try APIResponse.error(req, .forbidden, code: "not_signatory", message: req.t("api.error.not_signatory")) }
        guard let o = decodeObject(req) else { return try APIResponse.badBody(req) }
        let v = formValues(o)
        let e = ApplicationOperations.checkDeclaration(v)
        if !e.isEmpty { return try APIResponse.invalid(req, e) }
        try await ApplicationOperations.declare(req, bundle: bundle, values: v, by: access.user)
        return try await saved(req, bundle)
    }

    static func outcomes(_ results: [RuleResult], bundle: ApplicationBundle, req: Request) -> [APIResponse.RuleOutcome] {
        ApplicationTexts.checkResults(results, bundle: bundle, req: req).map {
            APIResponse.RuleOutcome(ruleId: $0.ruleID, outcome: $0.outcome, message: $0.message, source: $0.source)
        }
    }

    static func check(_ req: Request) async throws -> Response {
        let access = try await ApplicationAccess.load(req)
        let bundle = try await ApplicationBundle.load(access.application, on: req.store)
        let (cap, results) = try await bundle.evaluate(on: req.store, now: req.now, language: req.language)
        struct Body: Encodable, Sendable {
            let canSubmit: Bool
            let maximumCents: Int64?
            let results: [APIResponse.RuleOutcome]
        }
        return try APIResponse.json(Body(canSubmit: !ApplicationRules.blocksSubmission(results), maximumCents: cap.maximum?.cents,
                                         results: outcomes(results, bundle: bundle, req: req)))
    }

    /// Submits with the pages' rules: 422 with the rule results when a rule blocks; 201 with the receipt otherwise.
    static func submit(_ req: Request) async throws -> Response {
        let (_, bundle, refusal) = try await editable(req)
        if let refusal { return refusal }
        let now = req.now
        let (_, results) = try await bundle.evaluate(on: req.store, now: now, language: req.language)
        if ApplicationRules.blocksSubmission(results) {
            return try APIResponse.error(APIResponse.ErrorBody(error: "blocked", message: req.t("api.error.blocked"),
                                                               results: outcomes(results, bundle: bundle, req: req)), status: .unprocessableEntity)
        }
        let receipt = try await Submission.submit(req, bundle: bundle, results: results, now: now)
        struct Body: Encodable, Sendable {
            let reference: String
            let version: Int
            let submittedAt: Date
            let contentSha256: String
            let receiptPdf: String
            let warnings: [APIResponse.RuleOutcome]
        }
        let base = "/applications/\(try bundle.application.storedID)"
        return try APIResponse.json(Body(reference: receipt.reference, version: receipt.version, submittedAt: now,
                                         contentSha256: receipt.contentSHA256, receiptPdf: "/api/v1" + base + "/receipts/\(receipt.version).pdf",
                                         warnings: outcomes(results.filter { $0.outcome == .warning }, bundle: bundle, req: req)),
                                    status: .created)
    }
}
