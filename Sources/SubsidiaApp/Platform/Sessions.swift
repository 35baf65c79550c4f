import Fluent
import Foundation
import SubsidiaCore
import Vapor

/// What a request knows of its browser session.
final class BrowserSession: @unchecked Sendable {
    let id: String
    let csrfToken: String
    let user: User?
    var flash: String?
    /// The path of a form post kept while the person logged in again (see `PendingPost`).
    var pendingPath: String?

    init(id: String, csrfToken: String, user: User?, flash: String?, pendingPath: String? = nil) {
        self.id = id
        self.csrfToken = csrfToken
        self.user = user
        self.flash = flash
        self.pendingPath = pendingPath
    }
}

enum SessionCookie {
    static let name = "subsidia_session"

    static func make(value: String, secure: Bool, maxAge: Int) -> HTTPCookies.Value {
        HTTPCookies.Value(string: value, maxAge: maxAge, path: "/", isSecure: secure, isHTTPOnly: true, sameSite: .lax)
    }
}

enum Tokens {
    /// 32 random bytes, URL-safe: for cookies, CSRF tokens and mailed links.
    static func random() -> String {
        var bytes = [UInt8](repeating: 0, count: 32)
        var rng = SystemRandomNumberGenerator()
        for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255, using: &rng) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).hex
    }
}

extension Request {
    private struct SessionKey: StorageKey { typealias Value = BrowserSession }
    private struct CookieKey: StorageKey { typealias Value = String }
    private struct EndKey: StorageKey { typealias Value = Bool }

    var browserSession: BrowserSession? {
        get { storage[SessionKey.self] }
        set { storage[SessionKey.self] = newValue }
    }

    /// The signed-in user of a page, or the token user of an API request.
    var currentUser: User? { browserSession?.user ?? apiUser }

    /// The session, created now when the visitor has none (a form needs its CSRF token).
    @discardableResult
    func ensureSession() async throws -> BrowserSession {
        if let s = browserSession { return s }
        return try await startSession(user: nil)
    }

    /// Starts a fresh session, ending the current one: called at login so the session id changes.
    @discardableResult
    func startSession(user: User?) async throws -> BrowserSession {
        if let old = browserSession {
            try await StoredSession.query(on: db).filter(\.$id == old.id).delete()
        }
        let cookie = Tokens.random()
        let record = StoredSession()
        record.id = Tokens.hash(cookie)
        record.$user.id = user?.id
        record.csrfToken = Tokens.random()
        record.createdAt = now
        record.lastSeenAt = now
        record.expiresAt = now + Lifetimes.sessionAbsolute
        try await record.create(on: db)
        let session = BrowserSession(id: record.id!, csrfToken: record.csrfToken, user: user, flash: nil)
        browserSession = session
        storage[CookieKey.self] = cookie
        storage[EndKey.self] = nil
        if let lang = user?.language.flatMap(Language.init(rawValue:)) { language = lang }
        return session
    }

    func endSession() async throws {
        if let old = browserSession {
            try await StoredSession.query(on: db).filter(\.$id == old.id).delete()
        }
        browserSession = nil
        storage[CookieKey.self] = nil
        storage[EndKey.self] = true
    }

    /// Shows a message on the next page.
    func flash(_ key: String) async throws {
        let session = try await ensureSession()
        session.flash = key
        try await StoredSession.query(on: db).filter(\.$id == session.id).set(\.$flash, to: key).update()
    }

    fileprivate var newSessionCookie: String? { storage[CookieKey.self] }
    fileprivate var sessionEnded: Bool { storage[EndKey.self] ?? false }
}

/// Loads the session and its user in one query, expires idle sessions, and sets the cookie when a
/// handler started or ended a session.
struct SessionMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if let cookie = request.cookies[SessionCookie.name]?.string, !cookie.isEmpty, cookie.count < 100 {
            let now = request.now
            if let record = try await StoredSession.query(on: request.db)
                .filter(\.$id == Tokens.hash(cookie)).with(\.$user).first() {
                let idle = now.timeIntervalSince(record.lastSeenAt) > Lifetimes.sessionIdle
                if idle || record.expiresAt < now || record.user.map({ !$0.isActive }) == true {
                    try await record.delete(on: request.db)
                } else {
                    request.browserSession = BrowserSession(
                        id: record.id!, csrfToken: record.csrfToken, user: record.user, flash: record.flash, pendingPath: record.pendingPath)
                    if let lang = record.user?.language.flatMap(Language.init(rawValue:)) { request.language = lang }
                    // One write a minute at most keeps the idle clock honest without a write per request.
                    if now.timeIntervalSince(record.lastSeenAt) > 60 {
                        record.lastSeenAt = now
                        try await record.update(on: request.db)
                    }
                }
            }
        }
        let response = try await next.respond(to: request)
        let secure = request.application.subsidiaConfig.secureCookies
        if let cookie = request.newSessionCookie {
            response.cookies[SessionCookie.name] = SessionCookie.make(
                value: cookie, secure: secure, maxAge: Int(Lifetimes.sessionAbsolute))
        } else if request.sessionEnded {
            response.cookies[SessionCookie.name] = SessionCookie.make(value: "", secure: secure, maxAge: 0)
        }
        return response
    }
}

/// Refuses an unsafe request (POST, PUT, PATCH, DELETE) whose CSRF token does not match its session's.
/// The token comes from the `_csrf` form field or the `X-CSRF-Token` header (for the autosave script).
struct CSRFMiddleware: AsyncMiddleware {
    var maxBodySize: ByteCount = "1mb"

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        switch request.method {
        case .GET, .HEAD, .OPTIONS:
            return try await next.respond(to: request)
        default:
            break
        }
        _ = try await request.body.collect(max: maxBodySize.value).get()
        let sent = request.headers.first(name: "X-CSRF-Token")
            ?? (try? request.content.get(String.self, at: "_csrf"))
        guard let session = request.browserSession, let sent,
              Data(sent.utf8).secureCompare(to: Data(session.csrfToken.utf8)) else {
            // An application form sent after the session expired: keep what was typed, ask to log in again.
            if request.currentUser == nil, let kept = try await PendingPost.keep(request) { return kept }
            throw Abort(.forbidden, reason: "csrf")
        }
        if let pending = session.pendingPath, pending == request.url.path {
            try await PendingPost.clear(request, session: session)
        }
        return try await next.respond(to: request)
    }
}

extension Request {
    /// The signed-in user, or a redirect to the login page that comes back here afterwards.
    func requireUser() throws -> User {
        guard let user = currentUser else {
            let next = url.path + (url.query.map { "?" + $0 } ?? "")
            throw Abort.redirect(to: "/login?next=" + (next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/"))
        }
        return user
    }

    /// The signed-in user if their role is one of `roles`; otherwise 403.
    func requireRole(_ roles: UserRole...) throws -> User {
        let user = try requireUser()
        guard roles.contains(user.userRole) else { throw Abort(.forbidden) }
        return user
    }
}
