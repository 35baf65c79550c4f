import Fluent
import Foundation
import SubsidiaCore
import Vapor

/// "Never lose what someone typed": an application form sent without JavaScript after the session expired is
/// kept in a new session, the person logs in again, and a page shows what they typed with one button that sends
/// it again — with a fresh CSRF token and the form's own version, so the usual checks and locking apply and
/// nothing is saved without their confirmation. Files cannot be kept this way: an upload must be made again.
enum PendingPost {
    static let maximumBody = 256 * 1024

    /// Whether `path` is a form that saves what someone typed into an application (a question section, the
    /// applicant, the budget, the financing, earlier subsidies): only these are kept. An action — submitting,
    /// withdrawing, reopening, declaring, deleting — is never kept and never replayed.
    static func isKeepable(_ path: String) -> Bool {
        let parts = path.split(separator: "/").map(String.init)
        guard parts.count >= 3, parts[0] == "applications", UUID(uuidString: parts[1]) != nil else { return false }
        switch parts.count {
        case 3: return ["applicant", "budget", "financing", "previous"].contains(parts[2])
        case 4: return parts[2] == "sections" || (["budget", "financing"].contains(parts[2]) && parts[3] == "lines")
        case 5: return ["budget", "financing"].contains(parts[2]) && parts[3] == "lines" && UUID(uuidString: parts[4]) != nil
        default: return false
        }
    }

    /// Keeps the post if it is an urlencoded form that saves typed answers; nil when it is not one (the caller
    /// refuses it).
    static func keep(_ req: Request) async throws -> Response? {
        let path = req.url.path
        guard req.method == .POST, isKeepable(path), req.headers.contentType == .urlEncodedForm,
              let buffer = req.body.data, buffer.readableBytes <= maximumBody else { return nil }
        let session = try await req.startSession(user: nil)
        let body = String(buffer: buffer)
        try await req.store.write(.notAudited(because: "a form kept in the visitor's session")) { tx in
            try await tx.query(StoredSession.self).filter(\.$id == session.id)
                .set(\.$pendingPath, to: path).set(\.$pendingBody, to: body).set(\.$flash, to: "pending.flash_kept").update()
        }
        return req.redirect(to: "/login?next=%2Fresume", redirectType: .normal)
    }

    static func clear(_ req: Request, session: BrowserSession) async throws {
        session.pendingPath = nil
        try await req.store.write(.notAudited(because: "a kept form dropped from the session")) { tx in
            try await tx.query(StoredSession.self).filter(\.$id == session.id)
                .set(\.$pendingPath, to: nil).set(\.$pendingBody, to: nil).update()
        }
    }

    /// Read before login replaces the session, written into the new one after.
    static func take(_ req: Request) async throws -> (path: String, body: String)? {
        guard let id = req.browserSession?.id, let record = try await req.store.find(StoredSession.self, id),
              let path = record.pendingPath, let body = record.pendingBody else { return nil }
        return (path, body)
    }

    static func put(_ pending: (path: String, body: String), _ req: Request) async throws {
        guard let session = req.browserSession else { return }
        session.pendingPath = pending.path
        try await req.store.write(.notAudited(because: "a kept form moved into the new session")) { tx in
            try await tx.query(StoredSession.self).filter(\.$id == session.id)
                .set(\.$pendingPath, to: pending.path).set(\.$pendingBody, to: pending.body).update()
        }
    }

    // MARK: The resume page

    struct ResumePage: Encodable, Sendable {
        struct Field: Encodable, Sendable {
            let name: String
            let value: String
        }

        struct Shown: Encodable, Sendable {
            let label: String
            let value: String
        }

        let action: String
        let fields: [Field]
        let shown: [Shown]
        let back: String
    }

    static func resume(_ req: Request) async throws -> Response {
        _ = try req.requireUser()
        guard let session = req.browserSession, let record = try await req.store.find(StoredSession.self, session.id),
              let path = record.pendingPath, let body = record.pendingBody, isKeepable(path) else {
            return req.redirect(to: "/applications", redirectType: .normal)
        }
        let values = FormValues.parse(urlEncoded: body)
        // Question codes read as their labels when the post was a question section.
        var labels: [String: String] = [:]
        let parts = path.split(separator: "/").map(String.init)
        if parts.count >= 2, let appID = UUID(uuidString: parts[1]),
           let app = try await req.store.find(GrantApplication.self, appID) {
            for q in try await req.store.query(CallQuestion.self).filter(\.$call.$id == app.$call.id).all() {
                labels[q.code] = q.question.label.text(req.language)
            }
        }
        let hidden = values.fields.keys.sorted().filter { $0 != "_csrf" }.flatMap { name in
            values.all(name).map { ResumePage.Field(name: name, value: $0) }
        }
        let shown = values.fields.keys.sorted().filter { !["_csrf", "version"].contains($0) }.compactMap { name -> ResumePage.Shown? in
            let text = values.all(name).filter { !$0.isEmpty }.joined(separator: ", ")
            return text.isEmpty ? nil : ResumePage.Shown(label: labels[name] ?? name, value: text)
        }
        let back = parts.count >= 2 ? "/applications/" + parts[1] : "/applications"
        return try await req.render("applications/resume", title: "pending.title",
                                    ResumePage(action: path, fields: hidden, shown: shown, back: back), hasForm: true)
    }

    static func discard(_ req: Request) async throws -> Response {
        _ = try req.requireUser()
        if let session = req.browserSession { try await clear(req, session: session) }
        return try await req.redirect("/applications", flash: "pending.flash_discarded")
    }
}
