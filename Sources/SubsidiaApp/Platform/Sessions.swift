import Fluent
import Foundation
import SQLKit
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
        let old = browserSession?.id
        let cookie = Tokens.random()
        let record = StoredSession()
        record.id = Tokens.hash(cookie)
        record.$user.id = user?.id
        record.csrfToken = Tokens.random()
        record.createdAt = now
        record.lastSeenAt = now
        record.expiresAt = now + Lifetimes.sessionAbsolute
        try await store.write(.notAudited(because: "a session (logins are audited where they happen)")) { tx in
            if let old { try await tx.query(StoredSession.self).filter(\.$id == old).delete() }
            try await tx.create(record)
        }
        let session = BrowserSession(id: try record.storedID, csrfToken: record.csrfToken, user: user, flash: nil)
        browserSession = session
        storage[CookieKey.self] = cookie
        storage[EndKey.self] = nil
        if let lang = user?.language.flatMap(Language.init(rawValue:)) { language = lang }
        return session
    }

    func endSession() async throws {
        if let old = browserSession?.id {
            try await store.write(.notAudited(because: "a session's end")) { tx in
                try await tx.query(StoredSession.self).filter(\.$id == old).delete()
            }
        }
        browserSession = nil
        storage[CookieKey.self] = nil
        storage[EndKey.self] = true
    }

    /// Shows a message on the next page.
    func flash(_ key: String) async throws {
        let session = try await ensureSession()
        session.flash = key
        try await store.write(.notAudited(because: "a session's message")) { tx in
            try await tx.query(StoredSession.self).filter(\.$id == session.id).set(\.$flash, to: key).update()
        }
    }

    fileprivate var newSessionCookie: String? { storage[CookieKey.self] }
    fileprivate var sessionEnded: Bool { storage[EndKey.self] ?? false }
}

/// Loads the session and its user in one query, expires idle sessions, and sets the cookie when a
/// handler started or ended a session.
/// Future-based (see `SecurityHeadersMiddleware`): on SQLite the read is synchronous (`LiteStore`), so a task is
/// started only for a write (an expired session deleted, the idle clock moved on) or a read through SQLKit.
struct SessionMiddleware: Middleware {
    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        let loaded: EventLoopFuture<Void>
        if let cookie = request.cookieValue(SessionCookie.name), !cookie.isEmpty, cookie.count < 100 {
            let id = Tokens.hash(cookie)
            // Every page runs this: one join, read directly on SQLite (`LiteStore`), else with SQLKit; no model hydration.
            if let store = request.application.liteStore {
                do {
                    let row = try store.read { try $0.rows(SessionRow.select + " WHERE s.id = ?", [.text(id)]) }.first
                    loaded = Self.use(row.map(SessionRow.init(lite:)), id: id, for: request)
                } catch {
                    return request.eventLoop.makeFailedFuture(error)
                }
            } else if let sql = request.db as? any SQLDatabase {
                loaded = request.eventLoop.makeFutureWithTask {
                    let row = try await sql.raw(SQLQueryString(SessionRow.select) + " WHERE s.id = \(bind: id)").first(decoding: SessionRow.self)
                    try await Self.use(row, id: id, for: request).get()
                }
            } else {
                loaded = request.eventLoop.makeSucceededVoidFuture()
            }
        } else {
            loaded = request.eventLoop.makeSucceededVoidFuture()
        }
        return loaded.flatMap { next.respond(to: request) }.map { response in
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

    /// Attaches the session of `row` to the request, or ends it if it expired; a future of the write, if any.
    static func use(_ row: SessionRow?, id: String, for request: Request) -> EventLoopFuture<Void> {
        guard let row else { return request.eventLoop.makeSucceededVoidFuture() }
        let now = request.now
        let user = row.user
        let idle = now.timeIntervalSince(row.last_seen_at) > Lifetimes.sessionIdle
        // Writes go through the write gate like every other: outside it, a write that met a transaction on
        // SQLite slept in the busy handler on one of the threads that run every query.
        let gate = request.application.writeGate
        if idle || row.expires_at < now || user.map({ !$0.isActive }) == true {
            return request.eventLoop.makeFutureWithTask {
                try await gate.exclusive(on: request.db) { db in
                    try await (db as? any SQLDatabase)?.delete(from: StoredSession.schema).where("id", .equal, SQLBind(id)).run()
                }
            }
        }
        request.browserSession = BrowserSession(id: id, csrfToken: row.csrf_token, user: user, flash: row.flash, pendingPath: row.pending_path)
        // The account's language, unless this browser chose one with the language links (the `lang` cookie).
        if request.cookieValue("lang") == nil, let lang = user?.language.flatMap(Language.init(rawValue:)) { request.language = lang }
        // One write a minute at most keeps the idle clock honest without a write per request.
        guard now.timeIntervalSince(row.last_seen_at) > 60 else { return request.eventLoop.makeSucceededVoidFuture() }
        return request.eventLoop.makeFutureWithTask {
            try await gate.exclusive(on: request.db) { db in
                try await (db as? any SQLDatabase)?.update(StoredSession.schema).set("last_seen_at", to: SQLBind(now))
                    .where("id", .equal, SQLBind(id)).run()
            }
        }
    }
}

/// Refuses an unsafe request (POST, PUT, PATCH, DELETE) whose CSRF token does not match its session's.
/// The token comes from the `_csrf` form field or the `X-CSRF-Token` header (for the autosave script).
/// Future-based (see `SecurityHeadersMiddleware`): a task is started only to keep a post whose session
/// expired, or to clear a kept one.
struct CSRFMiddleware: Middleware {
    /// The largest body a form of these routes may send; it is read only once the request has a session.
    var maxBodySize: ByteCount = "1mb"
    /// Streamed routes (uploads): the token must come in the `X-CSRF-Token` header or the `_csrf` query item and
    /// the person must be signed in, all checked before a byte of the body is read; the handler reads the body
    /// after its own permission checks. Nothing is kept for later.
    var streamed = false

    func respond(to request: Request, chainingTo next: any Responder) -> EventLoopFuture<Response> {
        switch request.method {
        case .GET, .HEAD, .OPTIONS:
            return next.respond(to: request)
        default:
            break
        }
        if streamed {
            let sent = request.headers.first(name: "X-CSRF-Token") ?? (try? request.query.get(String.self, at: "_csrf"))
            guard let session = request.browserSession, session.user != nil, let sent, Self.matches(sent, session) else {
                return request.eventLoop.makeFailedFuture(Abort(.forbidden, reason: "csrf"))
            }
            return next.respond(to: request)
        }
        // No session, no token to match: refused before the body is read. A form sent after the session expired
        // still carries the old session's cookie, and only such a post may be kept (`PendingPost`); a cross-site
        // post carries no cookie at all (SameSite=Lax).
        let hadCookie = request.cookieValue(SessionCookie.name) != nil
        guard request.browserSession != nil || hadCookie else {
            return request.eventLoop.makeFailedFuture(Abort(.forbidden, reason: "csrf"))
        }
        return request.body.collect(max: maxBodySize.value).flatMap { _ in
            let sent = request.headers.first(name: "X-CSRF-Token")
                ?? (try? request.content.get(String.self, at: "_csrf"))
            guard let session = request.browserSession, let sent, Self.matches(sent, session) else {
                // An application form sent after the session expired: keep what was typed, ask to log in again.
                return request.eventLoop.makeFutureWithTask {
                    if request.currentUser == nil, request.browserSession == nil, hadCookie, let kept = try await PendingPost.keep(request) {
                        return kept
                    }
                    throw Abort(.forbidden, reason: "csrf")
                }
            }
            // Text that cannot be read (bytes that are not UTF-8, a broken escape) or control characters: refused
            // here for every form, never read as an empty value that would delete what was stored.
            if request.headers.contentType == .urlEncodedForm, let buffer = request.body.data,
               let field = FormValues.unreadableField(urlEncoded: buffer.readableBytesView) {
                return request.eventLoop.makeFailedFuture(UnreadableField(name: field))
            }
            if let pending = session.pendingPath, pending == request.url.path {
                return request.eventLoop.makeFutureWithTask { try await PendingPost.clear(request, session: session) }
                    .flatMap { next.respond(to: request) }
            }
            return next.respond(to: request)
        }
    }

    static func matches(_ sent: String, _ session: BrowserSession) -> Bool {
        Data(sent.utf8).secureCompare(to: Data(session.csrfToken.utf8))
    }
}

/// A form field whose value could not be read as text, or that holds control characters (422).
struct UnreadableField: Error, Sendable {
    let name: String
}

extension Request {
    /// One cookie's value, read from the Cookie header without building every cookie (perf, autosave at 64
    /// connections: Vapor's parse of the header was 2.7 % of the server's time, and it ran twice per request).
    func cookieValue(_ name: String) -> String? {
        for header in headers[.cookie] {
            for part in header.split(separator: ";") {
                let pair = part.drop { $0 == " " }
                if pair.hasPrefix(name), pair.dropFirst(name.count).first == "=" { return String(pair.dropFirst(name.count + 1)) }
            }
        }
        return nil
    }

    /// The signed-in user, or a redirect to the login page that comes back here afterwards.
    func requireUser() throws -> User {
        guard let user = currentUser else {
            let next = url.path + (url.query.map { "?" + $0 } ?? "")
            throw Abort.redirect(to: "/login?next=" + (next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/"))
        }
        return user
    }

    /// The signed-in user if their role is one of `roles`; otherwise 403.
    /// The officers' pages and steps: officers and administrators.
    func requireOfficer() throws -> User { try requireRole(.officer, .admin) }

    func requireRole(_ roles: UserRole...) throws -> User {
        let user = try requireUser()
        guard roles.contains(user.userRole) else { throw Abort(.forbidden) }
        return user
    }
}

/// A session row joined with its user (all user columns empty for an anonymous session).
struct SessionRow: Decodable {
    /// The join, without its condition on the session's id.
    static let select = """
        SELECT s.csrf_token, s.last_seen_at, s.expires_at, s.flash, s.pending_path, s.user_id, \
        u.created_at, u.email, u.name, u.password_hash, u.role, u.is_active, u.email_confirmed_at, u.language \
        FROM sessions s LEFT JOIN users u ON u.id = s.user_id
        """

    let csrf_token: String
    let last_seen_at: Date
    let expires_at: Date
    let flash: String?
    let pending_path: String?
    let user_id: UUID?
    let created_at: Date?
    let email: String?
    let name: String?
    let password_hash: String?
    let role: String?
    let is_active: Bool?
    let email_confirmed_at: Date?
    let language: String?

    /// The columns of `select`, in order, as read by `LiteConnection`.
    init(lite c: [LiteValue]) {
        csrf_token = c[0].text ?? ""
        last_seen_at = c[1].date ?? .distantPast
        expires_at = c[2].date ?? .distantPast
        flash = c[3].text
        pending_path = c[4].text
        user_id = c[5].uuid
        created_at = c[6].date
        email = c[7].text
        name = c[8].text
        password_hash = c[9].text
        role = c[10].text
        is_active = c[11].bool
        email_confirmed_at = c[12].date
        language = c[13].text
    }

    /// The user as a model that can still be updated (`exists`), built without reflection.
    var user: User? {
        guard let user_id, let email, let name, let password_hash, let role, let is_active else { return nil }
        let user = User()
        user.id = user_id
        user.$id.exists = true
        user.createdAt = created_at
        user.email = email
        user.name = name
        user.passwordHash = password_hash
        user.role = role
        user.isActive = is_active
        user.emailConfirmedAt = email_confirmed_at
        user.language = language
        return user
    }
}
