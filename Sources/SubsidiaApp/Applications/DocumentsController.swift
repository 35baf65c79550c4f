import Fluent
import Foundation
import SubsidiaCore
import Vapor

/// The call's document checklist (COM-14, COM-15, AMIF-07): uploads checked by content, size and name, kept in
/// the database with their SHA-256, downloadable by the organisation and staff only, removable while in draft.
enum DocumentsController {
    struct DocumentsPage: Encodable, Sendable {
        struct File: Encodable, Sendable {
            let name: String
            let size: String
            let sha256: String
            let href: String
            let delete: String?
        }

        struct Item: Encodable, Sendable {
            let label: String
            let required: Bool
            let files: [File]
            let isSignedForm: Bool
        }

        let back: String
        let items: [Item]
        let others: [File]
        let form: FormView?
        let maxSize: String
        let pdfHref: String
        let readOnly: Bool
    }

    static func page(_ req: Request) async throws -> Response {
        let access = try await ApplicationAccess.load(req)
        let bundle = try await ApplicationBundle.load(access.application, on: req.store)
        return try await render(req, bundle: bundle, access: access, values: FormValues(), errors: FormErrors())
    }

    static func render(_ req: Request, bundle: ApplicationBundle, access: ApplicationAccess, values: FormValues, errors: FormErrors) async throws -> Response {
        let base = "/applications/\(try bundle.application.storedID)"
        // COM-15: documents can also be added while the officer waits for missing items.
        let editable = ApplicationLifecycle.documentsEditable.contains(bundle.application.applicationStatus) && access.canEdit
        func file(_ d: DocumentRow) -> DocumentsPage.File {
            DocumentsPage.File(name: d.filename, size: DocumentFiles.sizeText(d.size_bytes, req), sha256: d.sha256, href: base + "/documents/\(d.id)",
                               delete: editable ? base + "/documents/\(d.id)/delete" : nil)
        }
        let items = bundle.call.items(.document).map { item in
            DocumentsPage.Item(label: item.label.text(req.language), required: item.required,
                               files: bundle.documents.filter { $0.item_code == item.code }.map(file),
                               isSignedForm: item.code == "signed_form" || item.code == "application_form")
        }
        let known = Set(bundle.call.items(.document).map(\.code))
        let others = bundle.documents.filter { $0.item_code == nil || !known.contains($0.item_code!) }.map(file)
        var form: FormView?
        if editable {
            var f = FormBuilder(req, values: values, errors: errors)
            f.section("doc.upload_title")
            f.choice("item", "doc.item", type: "select",
                     options: [("", "form.choose")] + bundle.call.items(.document).map { ($0.code, $0.label.text(req.language)) })
            f.text("file", "doc.file", hint: "doc.file_hint", type: "file", maxLength: 0)
            // The token travels in the address: the body of an upload is read only after it was checked.
            let token = (req.browserSession?.csrfToken ?? "").addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            form = f.build(action: base + "/documents?_csrf=" + token, submit: "doc.upload")
        }
        let limit = req.application.subsidiaConfig.maxUploadBytes
        return try await req.render("applications/documents", title: "section.documents", DocumentsPage(
            back: base, items: items, others: others, form: form, maxSize: DocumentFiles.sizeText(Int64(limit), req), pdfHref: base + "/form.pdf",
            readOnly: !editable), errors: !errors.isEmpty, status: errors.isEmpty ? .ok : .unprocessableEntity)
    }

    static func upload(_ req: Request) async throws -> Response {
        let access = try await ApplicationAccess.load(req, for: .edit)
        let bundle = try await ApplicationBundle.load(access.application, on: req.store)
        guard ApplicationLifecycle.documentsEditable.contains(bundle.application.applicationStatus) else { return try await ApplicationTexts.notEditable(req, bundle) }
        // The body is read only now, after the session, the token, the membership and the status were checked,
        // within the upload limit and at most `UploadSlots.perUser` at once per person.
        return try await req.application.uploadSlots.with(try access.user.requireID()) {
            _ = try await req.body.collect(max: req.application.subsidiaConfig.maxUploadBytes * 2 + 1_048_576).get()
            return try await received(req, access: access, bundle: bundle)
        }
    }

    static func received(_ req: Request, access: ApplicationAccess, bundle: ApplicationBundle) async throws -> Response {
        let upload = (try? req.content.decode(DocumentFiles.Upload.self)) ?? DocumentFiles.Upload(item: nil, file: nil)
        var values = FormValues()
        values["item"] = upload.item ?? ""
        var bytes: [UInt8] = []
        if var buffer = upload.file?.data { bytes = buffer.readBytes(length: buffer.readableBytes) ?? [] }
        let (checked, e) = ApplicationOperations.checkUpload(req, bundle: bundle, item: values["item"], filename: upload.file?.filename ?? "", bytes: bytes)
        guard let checked else { return try await render(req, bundle: bundle, access: access, values: values, errors: e) }
        _ = try await ApplicationOperations.storeDocument(req, bundle: bundle, item: values["item"], checked: checked, bytes: bytes, by: access.user)
        return try await req.redirect("/applications/\(bundle.application.storedID)/documents", flash: "doc.flash.uploaded")
    }

    static func download(_ req: Request) async throws -> Response {
        let access = try await ApplicationAccess.load(req)
        guard let id = req.parameters.get("docID", as: UUID.self),
              let doc = try await req.store.query(ApplicationDocument.self).filter(\.$id == id)
                .filter(\.$application.$id == access.application.storedID).first() else { throw Abort(.notFound) }
        return DocumentFiles.file(doc, filename: doc.filename)
    }

    static func delete(_ req: Request) async throws -> Response {
        let access = try await ApplicationAccess.load(req, for: .edit)
        let a = access.application
        guard ApplicationLifecycle.isEditable(a.applicationStatus) else { return try await req.redirect("/applications/\(a.storedID)", flash: "app.flash.not_editable") }
        guard let id = req.parameters.get("docID", as: UUID.self),
              let row = try await ApplicationBundle.documentRows(a.storedID, on: req.store).first(where: { $0.id == id }) else { throw Abort(.notFound) }
        try await ApplicationOperations.removeDocument(req, application: a, id: id, filename: row.filename)
        return try await req.redirect("/applications/\(a.storedID)/documents", flash: "doc.flash.removed")
    }
}
