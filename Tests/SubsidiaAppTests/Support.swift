import Fluent
import Foundation
import SQLKit
import SubsidiaCore
import Testing
import VaporTesting
@testable import SubsidiaApp

/// A fresh application per test: in-memory SQLite, or PostgreSQL in a schema of its own when DATABASE_URL is set
/// (so tests stay independent and can run in parallel on one server).
func withSubsidia(
    demo: Bool = false, now: Date = LuxembourgTime.instant(CalendarDate(year: 2026, month: 11, day: 23), hour: 10),
    connections: Int = 1, _ body: (Application, FixedClock) async throws -> Void
) async throws {
    let clock = FixedClock(now)
    let schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
    let url = ProcessInfo.processInfo.environment["DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
    let database: AppConfig.DatabaseChoice = url.map { .postgres(url: $0, searchPath: String(schema)) } ?? .sqliteMemory
    let config = AppConfig(database: database, loadDemo: demo, secureCookies: false, baseURL: "http://subsidia.test",
                           exportBatchSize: 7, connectionsPerLoop: connections)
    try await withApp(configure: { app in
        try await configure(app, config: config, clock: clock)
        if url != nil, let sql = app.db as? any SQLDatabase {
            try await sql.raw("CREATE SCHEMA IF NOT EXISTS \(ident: String(schema))").run()
        }
        try await Startup.prepare(app, announce: false)
    }) { app in
        do {
            try await body(app, clock)
        } catch {
            if url != nil, let sql = app.db as? any SQLDatabase { try? await sql.raw("DROP SCHEMA \(ident: String(schema)) CASCADE").run() }
            throw error
        }
        if url != nil, let sql = app.db as? any SQLDatabase { try await sql.raw("DROP SCHEMA \(ident: String(schema)) CASCADE").run() }
    }
}

/// A browser of sorts: keeps cookies, reads the CSRF token from the last page, sends forms.
final class Browser: @unchecked Sendable {
    let app: Application
    var cookies: [String: String] = [:]
    var lastBody = ""
    var acceptLanguage: String?

    init(_ app: Application) { self.app = app }

    var csrf: String? {
        guard let r = lastBody.range(of: "name=\"_csrf\" value=\"") else { return nil }
        return String(lastBody[r.upperBound...].prefix { $0 != "\"" })
    }

    private func headers() -> HTTPHeaders {
        var h = HTTPHeaders()
        if !cookies.isEmpty { h.add(name: .cookie, value: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")) }
        if let acceptLanguage { h.add(name: .acceptLanguage, value: acceptLanguage) }
        return h
    }

    private func keep(_ res: TestingHTTPResponse) {
        for (name, value) in res.headers.setCookie?.all ?? [:] {
            if value.string.isEmpty || value.expires.map({ $0 < Date() }) == true || value.maxAge == 0 { cookies[name] = nil }
            else { cookies[name] = value.string }
        }
        lastBody = res.body.string
    }

    @discardableResult
    func get(_ path: String) async throws -> TestingHTTPResponse {
        var result: TestingHTTPResponse?
        try await app.testing().test(.GET, path, headers: headers()) { res in result = res }
        keep(result!)
        return result!
    }

    /// Posts a urlencoded form; `csrf: nil` sends the token of the last page, `csrf: ""` sends none.
    @discardableResult
    func post(_ path: String, _ fields: [(String, String)], csrf token: String? = nil) async throws -> TestingHTTPResponse {
        var all = fields
        let t = token ?? csrf ?? ""
        if !t.isEmpty { all.append(("_csrf", t)) }
        let body = all.map { k, v in
            k.addingPercentEncoding(withAllowedCharacters: .alphanumerics)! + "=" + v.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        }.joined(separator: "&")
        var h = headers()
        h.contentType = .urlEncodedForm
        var result: TestingHTTPResponse?
        try await app.testing().test(.POST, path, headers: h, body: ByteBuffer(string: body)) { res in result = res }
        keep(result!)
        return result!
    }

    /// Sends a file as multipart/form-data with the last page's CSRF token.
    @discardableResult
    func upload(_ path: String, fields: [(String, String)], file: (name: String, bytes: [UInt8])?) async throws -> TestingHTTPResponse {
        let boundary = "subsidia-test-boundary"
        var body = ByteBuffer()
        for (k, v) in fields + [("_csrf", csrf ?? "")] {
            body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(k)\"\r\n\r\n\(v)\r\n")
        }
        if let file {
            body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(file.name)\"\r\nContent-Type: application/octet-stream\r\n\r\n")
            body.writeBytes(file.bytes)
            body.writeString("\r\n")
        }
        body.writeString("--\(boundary)--\r\n")
        var h = headers()
        h.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=\(boundary)")
        var result: TestingHTTPResponse?
        // As the page's form does: the token in the address too, checked before the body is read.
        let token = (csrf ?? "").addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        try await app.testing().test(.POST, path + "?_csrf=" + token, headers: h, body: body) { res in result = res }
        keep(result!)
        return result!
    }

    /// Logs in through the form (a GET first, for the CSRF token).
    func login(_ email: String, _ password: String = DemoData.password) async throws {
        try await get("/login")
        let res = try await post("/login", [("email", email), ("password", password), ("next", "/")])
        #expect(res.status == .seeOther, "login of \(email) failed: \(res.status)")
    }
}

extension TestingHTTPResponse {
    var location: String { headers.first(name: .location) ?? "" }
}

/// Creates a confirmed user directly (the registration journey has its own test).
@discardableResult
func makeUser(_ app: Application, _ email: String, role: UserRole = .applicant, password: String = DemoData.password) async throws -> User {
    let user = User(email: email, name: email.components(separatedBy: "@")[0], passwordHash: try await app.password.async.hash(password),
                    role: role, confirmedAt: app.clock.now())
    try await user.create(on: app.db)
    return user
}

/// The profile form of a valid commune, as a person would fill it.
func communeProfile(name: String = "Commune de Test", iban: String = "LU28 0019 4006 4475 0000") -> [(String, String)] {
    [("legal_name", name), ("legal_form", "commune"), ("pakt_signed", "yes"), ("street", "1, rue de la Gare"),
     ("postcode", "1234"), ("locality", "Testville"), ("country", "LU"), ("bank_holder", name), ("iban", iban),
     ("bic", "BCEELULL"), ("contact1_name", "Marie Test"), ("contact1_function", "Secrétaire"),
     ("contact1_phone", "+352 247 85795"), ("contact1_email", "marie@test.lu")]
}

func mails(_ app: Application, to email: String) async throws -> [OutboxMessage] {
    try await OutboxMessage.query(on: app.db).filter(\.$toEmail == email).sort(\.$createdAt).all()
}

/// The first link in a mail body that starts with the test base URL, as a path.
func link(in body: String) -> String? {
    guard let r = body.range(of: "http://subsidia.test") else { return nil }
    return String(body[r.upperBound...].prefix { !$0.isWhitespace })
}

extension TestingHTTPResponse {
    /// The body with HTML's character references read back, for comparing with what a person sees.
    var text: String {
        body.string.replacingOccurrences(of: "&#39;", with: "'").replacingOccurrences(of: "&quot;", with: "\"")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}
