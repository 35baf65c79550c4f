import SubsidiaCore
import Vapor

/// Turns errors into pages a person can act on, in their language; JSON for the API and /health.
/// Redirects (Abort.redirect) pass through with their Location header.
/// A future-based middleware: a task is started only for an error (see `SecurityHeadersMiddleware`).
struct ErrorPageMiddleware: Middleware {
    struct ErrorContent: Encodable, Sendable {
        let heading: String
        let message: String
        let status: Int
    }

    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        next.respond(to: request).flatMapError { error in
            request.eventLoop.makeFutureWithTask { try await Self.page(for: error, request: request) }
        }
    }

    static func page(for error: any Error, request: Request) async throws -> Response {
        let status: HTTPStatus
        var headers = HTTPHeaders()
        var reason: String?
        // A status changed meanwhile, an event that the status or the person does not allow, or a write the
        // database refused because the application is no longer editable (M013): the request changed nothing.
        var current: ApplicationStatus?
        var field: String?
        if let conflict = error as? StatusConflict {
            status = .conflict
            reason = "status_changed"
            current = conflict.current
        } else if let refusal = error as? ApplicationLifecycle.Refusal {
            switch refusal {
            case .notAllowed: status = .forbidden
            case .wrongStatus(let s): status = .conflict; reason = "status_changed"; current = s
            }
        } else if let unreadable = error as? UnreadableField {
            status = .unprocessableEntity
            reason = "unreadable"
            field = unreadable.name
        } else if EditGuard.refused(error) {
            status = .conflict
            reason = "not_editable"
        } else if let abort = error as? any AbortError {
            status = abort.status
            headers = abort.headers
            reason = abort.reason
        } else {
            status = .internalServerError
            request.logger.report(error: error)
        }
        if (300..<400).contains(status.code) {
            let response = Response(status: status, headers: headers)
            return response
        }
        if request.url.path.hasPrefix("/api/") || request.url.path == "/health" {
            let (code, key): (String, String) = switch status {
            case .notFound: ("not_found", "api.error.not_found")
            case .forbidden: ("forbidden", "api.error.forbidden")
            case .unauthorized: ("unauthorized", "api.error.unauthorized")
            case .payloadTooLarge: ("too_large", "errorpage.too_large.message")
            case .conflict: ("conflict", reason == "not_editable" ? "api.error.not_editable" : "errorpage.conflict.message")
            default: (status.code >= 500 ? "server_error" : "bad_request", status.code >= 500 ? "errorpage.server.message" : "api.error.body")
            }
            return try APIResponse.error(request, status, code: code, message: request.t(key))
        }
        let key: String
        switch status {
        case .notFound: key = "errorpage.not_found"
        case .forbidden: key = reason == "csrf" ? "errorpage.csrf" : reason == "membership.viewer_read_only" ? "errorpage.viewer" : "errorpage.forbidden"
        case .conflict: key = reason == "not_editable" ? "errorpage.not_editable" : "errorpage.conflict"
        case .payloadTooLarge: key = "errorpage.too_large"
        case .tooManyRequests: key = "errorpage.too_many"
        case .badRequest: key = "errorpage.bad_request"
        case .unprocessableEntity where reason == "unreadable": key = "errorpage.unreadable"
        default: key = status.code >= 500 ? "errorpage.server" : "errorpage.bad_request"
        }
        var message = field.map { request.t(key + ".message", $0) } ?? request.t(key + ".message")
        if let current { message += " " + request.t("errorpage.conflict.now", request.t(current.labelKey)) }
        let content = ErrorContent(heading: request.t(key + ".heading"), message: message, status: Int(status.code))
        do {
            return try await request.render("error", title: key + ".heading", content, status: status)
        } catch {
            request.logger.report(error: error)
            return Response(status: status, body: .init(string: content.heading))
        }
    }
}
