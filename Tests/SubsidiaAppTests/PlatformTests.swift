import Fluent
import Foundation
import SubsidiaCore
import Testing
import VaporTesting
@testable import SubsidiaApp

@Suite("Platform: health, configuration, catalogues, roles, admin, headers")
struct PlatformTests {
    @Test("CSV: fields quoted as RFC 4180 asks, formulas neutralised, accents kept, CRLF line ends")
    func csvFields() {
        #expect(CSV.line(["plain", "Fête à Démoville", "a,b", "say \"hi\"", "two\nlines", "=SUM(A1)", "-5", "@x", "+1,5", ""])
                == "plain,Fête à Démoville,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",'=SUM(A1),'-5,'@x,\"'+1,5\",\r\n")
        #expect(CSV.field("1 500,00 €") == "\"1 500,00 €\"" && CSV.field("COM-2023-0007") == "COM-2023-0007")
    }

    @Test("Urlencoded forms: + is a space, %XX a UTF-8 byte; a broken escape or bytes that are not UTF-8 read as empty")
    func urlencodedValues() {
        #expect(FormValues.percentDecoded("F%C3%AAte+%C3%A0+D%C3%A9moville") == "Fête à Démoville")
        #expect(FormValues.percentDecoded("1%2B1%3D2%26%25") == "1+1=2&%" && FormValues.percentDecoded("plain") == "plain")
        #expect(FormValues.percentDecoded("%E2%82%AC%0D%0Ax") == "€\r\nx")
        #expect(FormValues.percentDecoded("50%") == nil && FormValues.percentDecoded("%4") == nil && FormValues.percentDecoded("%ZZ") == nil)
        #expect(FormValues.percentDecoded("%C3") == nil && FormValues.percentDecoded("%FF%FE") == nil)
        let v = FormValues.parse(urlEncoded: "title=Caf%C3%A9+des+langues&themes=a&themes=b&bad=%G1&empty=")
        #expect(v["title"] == "Café des langues" && v.all("themes") == ["a", "b"] && v["bad"] == "" && v["empty"] == "")
    }

    @Test("Catalogue: {n} takes the n-th value once; a value that contains {1} stays as typed; a placeholder without value stays")
    func catalogueFill() {
        #expect(Catalogue.fill("Demande {0} de {1}", ["COM-2023-0007", "Asti {1}"]) == "Demande COM-2023-0007 de Asti {1}")
        #expect(Catalogue.fill("{1} puis {0} et {0}", ["a", "b"]) == "b puis a et a")
        #expect(Catalogue.fill("{2} {x} {} {", ["a"]) == "{2} {x} {} {")
        #expect(Catalogue(entries: [.fr: ["k": "Bonjour {0}"]]).text("k", .en, ["Léa"]) == "Bonjour Léa")
    }

    @Test("GET /health answers status, database kind and applied migrations")
    func health() async throws {
        try await withSubsidia { app, _ in
            let res = try await Browser(app).get("/health")
            #expect(res.status == .ok)
            struct H: Decodable { let status: String; let database: String; let migrations: Int }
            let h = try JSONDecoder().decode(H.self, from: Data(res.body.string.utf8))
            #expect(h.status == "ok" && h.migrations == 13)
            #expect(h.database == (ProcessInfo.processInfo.environment["DATABASE_URL"].map { $0.isEmpty ? "sqlite" : "postgresql" } ?? "sqlite"))
        }
    }

    @Test("Configuration: bad values stop with a message naming the variable")
    func config() throws {
        #expect(throws: AppConfig.Problem.self) { try AppConfig.from(environment: ["DATABASE_URL": "mysql://x"], mode: .development) }
        #expect(throws: AppConfig.Problem.self) { try AppConfig.from(environment: ["DATABASE_URL": "::::"], mode: .development) }
        #expect(throws: AppConfig.Problem.self) { try AppConfig.from(environment: ["PORT": "70000"], mode: .development) }
        #expect(throws: AppConfig.Problem.self) { try AppConfig.from(environment: ["SUBSIDIA_DEMO": "maybe"], mode: .development) }
        let c = try AppConfig.from(environment: ["SUBSIDIA_DEMO": "0", "PORT": "9000"], mode: .production)
        #expect(c.database == .sqliteFile(path: "data/subsidia.sqlite") && !c.loadDemo && c.secureCookies && c.port == 9000)
        let pg = try AppConfig.from(environment: ["DATABASE_URL": "postgres://u:p@127.0.0.1:5432/subsidia"], mode: .development)
        #expect(pg.database.kind == "postgresql" && !pg.secureCookies)
        #expect(pg.connectionsPerLoop == AppConfig.defaultConnectionsPerLoop)
        let two = try AppConfig.from(environment: ["DATABASE_CONNECTIONS": "2"], mode: .production)
        #expect(two.connectionsPerLoop == 2)
        for bad in ["0", "65", "many"] {
            #expect(throws: AppConfig.Problem.self) {
                try AppConfig.from(environment: ["DATABASE_CONNECTIONS": bad], mode: .production)
            }
        }
        do { _ = try AppConfig.from(environment: ["PORT": "x"], mode: .development) } catch let p as AppConfig.Problem {
            #expect(p.description.contains("PORT"))
        }
    }

    @Test("Every catalogue key exists in French, English and German")
    func catalogues() async throws {
        try await withSubsidia { app, _ in
            #expect(app.catalogue.missingKeys().isEmpty, "missing: \(app.catalogue.missingKeys())")
            #expect(app.catalogue.entries[.fr]?.count ?? 0 > 400)
        }
    }

    @Test("Each staff and admin route refuses the other roles; anonymous visitors go to login")
    func roles() async throws {
        try await withSubsidia(demo: true) { app, _ in
            let call = try #require(try await Call.query(on: app.db).first())
            let staffPages = ["/staff/calls", "/staff/calls/new", "/staff/calls/\(call.id!)", "/staff/calls/\(call.id!)/edit",
                              "/staff/programmes", "/staff/programmes/new"]
            let adminPages = ["/admin/users", "/admin/outbox", "/admin/audit"]
            for (email, staffOK, adminOK) in [("applicant@subsidia.example", false, false), ("evaluator@subsidia.example", false, false),
                                              ("finance@subsidia.example", false, false), ("officer@subsidia.example", true, false),
                                              ("admin@subsidia.example", true, true)] {
                let b = Browser(app)
                try await b.login(email)
                for p in staffPages { #expect(try await b.get(p).status == (staffOK ? .ok : .forbidden), "\(email) \(p)") }
                for p in adminPages { #expect(try await b.get(p).status == (adminOK ? .ok : .forbidden), "\(email) \(p)") }
                if !staffOK {
                    #expect(try await b.post("/staff/calls/\(call.id!)/close", []).status == .forbidden)
                    #expect(try await Call.find(call.id, on: app.db)?.status == call.status)
                }
            }
            let anonymous = Browser(app)
            for p in staffPages + adminPages + ["/account", "/organisations"] {
                #expect(try await anonymous.get(p).location.hasPrefix("/login?next="), "\(p)")
            }
        }
    }

    @Test("Admin: search users, change a role, deactivate (sessions end), outbox and audit filters")
    func admin() async throws {
        try await withSubsidia(demo: true) { app, _ in
            let applicant = Browser(app)
            try await applicant.login("applicant@subsidia.example")
            let admin = Browser(app)
            try await admin.login("admin@subsidia.example")
            let list = try await admin.get("/admin/users?q=applicant")
            #expect(list.text.contains("applicant@subsidia.example") && !list.text.contains("finance@subsidia.example"))
            let user = try #require(try await User.query(on: app.db).filter(\.$email == "applicant@subsidia.example").first())
            try await admin.post("/admin/users/\(user.id!)/role", [("role", "evaluator")])
            #expect(try await User.find(user.id, on: app.db)?.role == "evaluator")
            try await admin.get("/admin/users")
            try await admin.post("/admin/users/\(user.id!)/deactivate", [])
            #expect(try await User.find(user.id, on: app.db)?.isActive == false)
            #expect(try await applicant.get("/account").status == .seeOther)
            try await applicant.get("/login")
            #expect(try await applicant.post("/login", [("email", "applicant@subsidia.example"), ("password", DemoData.password)]).status == .forbidden)
            // An admin cannot lock themselves out.
            let me = try #require(try await User.query(on: app.db).filter(\.$email == "admin@subsidia.example").first())
            try await admin.get("/admin/users")
            try await admin.post("/admin/users/\(me.id!)/role", [("role", "applicant")])
            #expect(try await User.find(me.id, on: app.db)?.role == "admin")
            let audit = try await admin.get("/admin/audit?action=user.&actor=admin@").text
            #expect(audit.contains("user.role_changed") && audit.contains("user.deactivated") && !audit.contains("demo.loaded"))
            #expect(try await admin.get("/admin/audit?entity=\(user.id!.uuidString)").text.contains("user.deactivated"))
            try await Browser(app).get("/password/forgot")
            #expect(try await admin.get("/admin/outbox").status == .ok)
        }
    }

    @Test("Reading public pages writes no session; a page with a form starts one for its CSRF token")
    func sessionsOnlyForForms() async throws {
        try await withSubsidia(demo: true) { app, _ in
            let b = Browser(app)
            for path in ["/", "/calls/timetable", "/calls/AMIF-2024", "/calls/DOES-NOT-EXIST"] {
                try await b.get(path)
                #expect(b.cookies[SessionCookie.name] == nil, "\(path) set a session cookie")
            }
            #expect(try await StoredSession.query(on: app.db).count() == 0)
            // The demo AMIF call has sessions open for registration: its page carries a form.
            try await b.get("/calls/AMIF-DEMO-2026")
            #expect(b.cookies[SessionCookie.name] != nil && b.csrf?.isEmpty == false)
            #expect(try await StoredSession.query(on: app.db).count() == 1)
        }
    }

    @Test("Security headers and error pages in the visitor's language")
    func headersAndErrors() async throws {
        try await withSubsidia { app, _ in
            let b = Browser(app)
            let home = try await b.get("/")
            let csp = try #require(home.headers.first(name: "Content-Security-Policy"))
            #expect(csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"))
            #expect(home.headers.first(name: "X-Content-Type-Options") == "nosniff")
            b.acceptLanguage = "de"
            let missing = try await b.get("/calls/DOES-NOT-EXIST")
            #expect(missing.status == .notFound && missing.text.contains("Seite nicht gefunden"))
            #expect(home.headers.first(name: .cacheControl) == "no-store")
            let css = try await b.get("/static/site.css")
            #expect(css.status == .ok && css.headers.first(name: .cacheControl) == "no-cache" && css.text.contains("{"))
            #expect(css.headers.first(name: .eTag) != nil && css.headers.first(name: "Content-Security-Policy") != nil)
            // Only files of Public/static: not the folder, not what is next to it, nothing missing. Error pages carry
            // the same headers as the others.
            for path in ["/static/", "/static/missing.css", "/static/../Package.swift", "/static/%2e%2e/Package.swift", "/Package.swift"] {
                let refused = try await b.get(path)
                #expect(refused.status == .notFound || refused.status == .forbidden, "\(path)")
                #expect(refused.headers.first(name: .cacheControl) == "no-store", "\(path)")
                #expect(refused.headers.first(name: "X-Frame-Options") == "DENY", "\(path)")
                #expect(!refused.text.contains("[package]") && !refused.text.contains("swift-tools-version"), "\(path)")
            }
            #expect(missing.headers.first(name: "Content-Security-Policy") != nil && missing.headers.first(name: .contentLanguage) == "de")
        }
    }
}
