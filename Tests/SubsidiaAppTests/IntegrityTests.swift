import Fluent
import Foundation
import SQLKit
import SubsidiaCore
import Testing
import VaporTesting
@testable import SubsidiaApp

/// Issue 18: each defect found by trying the platform as an attacker and as a tired clerk, reproduced over HTTP.
@Suite("Integrity and security")
struct IntegrityTests {
    func health(_ app: Application) async throws -> HTTPStatus {
        var status = HTTPStatus.internalServerError
        try await app.testing().test(.GET, "/health") { status = $0.status }
        return status
    }

    @Test("COM-23: a budget line whose product overflows is a 422 beside the field; the server answers /health right after")
    func overflowLines() async throws {
        try await withSubsidia(demo: true) { app, _ in
            let b = Browser(app)
            try await b.login("applicant@subsidia.example")
            let base = try await b.startApplication(call: "COM-DEMO-2027", organisation: "Commune de Démoville (démo)")
            for fields in [
                [("category", "1"), ("detail", "Équipe"), ("function", "Animateurs"), ("quantity", "1000000"), ("unit_cost", "100000000"),
                 ("headcount", "10000"), ("share", "100")],
                [("category", "4"), ("detail", "Salle"), ("justification", "Part"), ("quantity", "1000000"), ("unit_cost", "100000000"), ("share", "100")],
                [("category", "2"), ("detail", "Voyages"), ("quantity", "1000000"), ("unit_cost", "100000000")],
            ] {
                let v = try await b.version(base + "/budget")
                let res = try await b.post(base + "/budget/lines", fields + [("version", v)])
                #expect(res.status == .unprocessableEntity)
                #expect(res.text.contains("dépasse 100 millions d'euros"))
                #expect(try await health(app) == .ok)
            }
            #expect(try await ExpenseLineRecord.query(on: app.db).count() == 0)
            // The passing case: a line within bounds is saved.
            let v = try await b.version(base + "/budget")
            #expect(try await b.post(base + "/budget/lines", [("category", "2"), ("detail", "Voyages"), ("quantity", "3"),
                                                               ("unit_cost", "100"), ("version", v)]).status == .seeOther)
        }
    }

    @Test("COM-23: a row stored out of range before the checks shows as an error on every page, the officer's too; no trap")
    func storedOutOfRange() async throws {
        try await withSubsidia(demo: true) { app, _ in
            let applicant = Browser(app)
            let (base, staff, id) = try await InstructionHTTPTests().submitted(app, applicant: applicant)
            let sql = try #require(app.db as? any SQLDatabase)
            // Written as an older version could have: past the guard, with the application back in draft for a moment.
            try await sql.raw("UPDATE applications SET status = 'draft' WHERE id = \(bind: id)").run()
            try await sql.raw("UPDATE expense_lines SET quantity = 1000000, unit_cost_cents = \(bind: Int64(10_000_000_000)) WHERE application_id = \(bind: id)").run()
            try await sql.raw("UPDATE applications SET status = 'submitted' WHERE id = \(bind: id)").run()
            for path in [base, base + "/budget", base + "/check", base + "/form.pdf"] {
                #expect(try await applicant.get(path).status == .ok, "\(path)")
            }
            #expect(try await applicant.get(base + "/budget").text.contains("Montant hors limites"))
            let officer = Browser(app)
            try await officer.login("officer@subsidia.example")
            #expect(try await officer.get(staff).status == .ok)
            #expect(try await health(app) == .ok)
        }
    }

    @Test("Redirects: `next` with CR LF, a tab or a host goes home, and sets no header of the attacker's choice")
    func headerInjection() async throws {
        try await withSubsidia(demo: true) { app, _ in
            for next in ["/%0d%0aSet-Cookie:%20subsidia_session=x", "/%0d%0a%0d%0a%3Cscript%3E", "/%3Cscript%3E", "/%09/evil.example/", "//evil.example",
                         "/%5Cevil.example", "https://evil.example/"] {
                try await app.testing().test(.GET, "/language/en?next=" + next) { res in
                    #expect(res.status == .seeOther)
                    #expect(res.headers.first(name: .location) == "/", "\(next)")
                    #expect(!(res.headers.setCookie?.all.keys.contains("subsidia_session") ?? false))
                }
            }
            try await app.testing().test(.GET, "/language/en?next=/calls/timetable") { res in
                #expect(res.headers.first(name: .location) == "/calls/timetable")
            }
            let b = Browser(app)
            try await b.get("/login")
            let res = try await b.post("/login", [("email", "applicant@subsidia.example"), ("password", DemoData.password),
                                                  ("next", "/\r\nSet-Cookie: subsidia_session=x")])
            #expect(res.status == .seeOther && res.location == "/account")
        }
    }

    @Test("Membership roles: a viewer reads the application, and every write is 403 (sections, lines, documents, withdraw, start)")
    func viewerReadsOnly() async throws {
        try await withSubsidia(demo: true) { app, _ in
            let owner = Browser(app)
            try await owner.login("applicant@subsidia.example")
            let base = try await owner.startApplication(call: "COM-DEMO-2027", organisation: "Commune de Démoville (démo)")
            var v = try await owner.version(base + "/budget")
            #expect(try await owner.post(base + "/budget/lines", [("category", "2"), ("detail", "Bus"), ("quantity", "1"), ("unit_cost", "10"),
                                                                   ("version", v)]).status == .seeOther)
            try await owner.get(base + "/documents")
            _ = try await owner.upload(base + "/documents", fields: [("item", "rib")], file: ("rib.pdf", pdfBytes))
            let line = try #require(try await ExpenseLineRecord.query(on: app.db).first())
            let doc = try #require(try await ApplicationDocument.query(on: app.db).first())
            let org = try #require(try await Organisation.query(on: app.db).filter(\.$legalName == "Commune de Démoville (démo)").first())
            let user = try await makeUser(app, "viewer@commune.lu")
            try await Membership(organisationID: org.id!, userID: user.id!, role: MembershipRole.viewer.rawValue, isSignatory: true).create(on: app.db)
            let viewer = Browser(app)
            try await viewer.login("viewer@commune.lu")
            #expect(try await viewer.get(base).status == .ok)
            #expect(try await viewer.get(base + "/budget").status == .ok)
            v = try await viewer.version(base + "/sections/project")
            for (path, fields) in [("/sections/project", [("title", "Pirate"), ("version", v)]), ("/sections/project/autosave", [("title", "Pirate"), ("version", v)]),
                                   ("/budget/lines/\(line.id!)/delete", []), ("/documents/\(doc.id!)/delete", []), ("/withdraw", []),
                                   ("/applicant", [("legal_name", "Pirate")]), ("/declaration", [("confirm", "yes")])] {
                #expect(try await viewer.post(base + path, fields).status == .forbidden, "\(path)")
            }
            #expect(try await viewer.upload(base + "/documents", fields: [("item", "rib")], file: ("autre.pdf", pdfBytes)).status == .forbidden)
            try await viewer.get("/calls/COM-DEMO-2027/apply")
            #expect(try await viewer.post("/calls/COM-DEMO-2027/apply", [("organisation", org.id!.uuidString)]).status == .forbidden)
            #expect(try await ExpenseLineRecord.query(on: app.db).count() == 1)
            #expect(try await ApplicationDocument.query(on: app.db).count() == 1)
            #expect(try await GrantApplication.query(on: app.db).count() == 1)
            #expect(try await GrantApplication.query(on: app.db).first()?.applicationStatus == .draft)
        }
    }

    @Test("Forms: a value that is not UTF-8, or holds NUL, is a 422 naming the field; the stored answer stays")
    func unreadableText() async throws {
        try await withSubsidia(demo: true) { app, _ in
            let b = Browser(app)
            try await b.login("applicant@subsidia.example")
            let base = try await b.startApplication(call: "COM-DEMO-2027", organisation: "Commune de Démoville (démo)")
            var v = try await b.version(base + "/sections/project")
            #expect(try await b.post(base + "/sections/project", [("title", "Fête"), ("version", v)]).status == .seeOther)
            v = try await b.version(base + "/sections/project")
            for raw in ["title=%FF%FE&version=\(v)", "title=a%00b&version=\(v)", "title=%E2%80&version=\(v)", "title=x%1B[31m&version=\(v)"] {
                var h = HTTPHeaders()
                h.add(name: .cookie, value: b.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))
                h.contentType = .urlEncodedForm
                var status = HTTPStatus.ok
                var text = ""
                try await app.testing().test(.POST, base + "/sections/project", headers: h,
                                             body: ByteBuffer(string: raw + "&_csrf=" + (b.csrf ?? ""))) { res in
                    status = res.status
                    text = res.body.string
                }
                #expect(status == .unprocessableEntity, "\(raw)")
                #expect(text.contains("« title »"))
            }
            #expect(try await GrantApplication.query(on: app.db).first()?.title == "Fête")
            // Tab and new lines pass in long texts.
            v = try await b.version(base + "/sections/project")
            #expect(try await b.post(base + "/sections/project", [("title", "Fête"), ("description", "Un\tdeux\r\ntrois"), ("version", v)]).status == .seeOther)
        }
    }

    @Test("COM-14: a Java archive named as a DOCX (with a right-to-left override) is refused over HTTP; a real DOCX passes")
    func jarAsDocx() async throws {
        try await withSubsidia(demo: true) { app, _ in
            let b = Browser(app)
            try await b.login("applicant@subsidia.example")
            let base = try await b.startApplication(call: "COM-DEMO-2027", organisation: "Commune de Démoville (démo)")
            try await b.get(base + "/documents")
            let jar = UploadFixtures.zip(["META-INF/MANIFEST.MF", "[Content_Types].xml", "_rels/.rels", "word/document.xml", "a/Main.class"])
            var res = try await b.upload(base + "/documents", fields: [("item", "rib")], file: ("rib\u{202E}xcod.jar", jar))
            #expect(res.status == .unprocessableEntity)
            res = try await b.upload(base + "/documents", fields: [("item", "rib")], file: ("rib.docx", Array("%PDF-1.4".utf8)))
            #expect(res.status == .unprocessableEntity && res.text.contains("son nom doit finir par .pdf"))
            #expect(try await ApplicationDocument.query(on: app.db).count() == 0)
            let docx = UploadFixtures.zip(["[Content_Types].xml", "_rels/.rels", "word/document.xml"])
            res = try await b.upload(base + "/documents", fields: [("item", "rib")], file: ("rib.docx", docx))
            #expect(res.status == .seeOther)
        }
    }

    @Test("Uploads: without a session, or without the token, a 40 MB post is refused before its body is read")
    func anonymousUpload() async throws {
        try await withSubsidia(demo: true) { app, _ in
            let id = UUID()
            var h = HTTPHeaders()
            h.contentType = HTTPMediaType(type: "multipart", subType: "form-data", parameters: ["boundary": "x"])
            let body = ByteBuffer(repeating: 0x41, count: 40 * 1_048_576)
            try await app.testing().test(.POST, "/applications/\(id)/documents", headers: h, body: body) { res in
                #expect(res.status == .forbidden)
            }
            #expect(try await health(app) == .ok)
        }
    }

    @Test("Login: the owner logs in with the right password after 25 failures of other accounts from the same address")
    func ownerAfterOthersFailures() async throws {
        try await withSubsidia(demo: true) { app, _ in
            for i in 0..<25 {
                let b = Browser(app)
                try await b.get("/login")
                #expect(try await b.post("/login", [("email", "someone\(i)@example.lu"), ("password", "wrong")]).status == .unauthorized)
            }
            let owner = Browser(app)
            try await owner.login("applicant@subsidia.example")
            #expect(try await owner.get("/account").status == .ok)
            // The account's own failures still lock it.
            let other = Browser(app)
            try await other.get("/login")
            for _ in 0..<5 { _ = try await other.post("/login", [("email", "officer@subsidia.example"), ("password", "wrong")]) }
            #expect(try await other.post("/login", [("email", "officer@subsidia.example"), ("password", DemoData.password)]).status == .tooManyRequests)
        }
    }

    @Test("Tokens end with a password change; GET /language changes no stored preference; a withdraw is never kept for replay")
    func smallerDefects() async throws {
        try await withSubsidia(demo: true) { app, _ in
            let b = Browser(app)
            try await b.login("applicant@subsidia.example")
            let token = try await b.createToken("script")
            var h = HTTPHeaders()
            h.add(name: .authorization, value: "Bearer " + token)
            try await app.testing().test(.GET, "/api/v1/calls", headers: h) { #expect($0.status == .ok) }
            try await b.get("/account/password")
            #expect(try await b.post("/account/password", [("current_password", DemoData.password), ("password", "Un-nouveau-mot-de-passe-2026"),
                                                           ("password_confirm", "Un-nouveau-mot-de-passe-2026")]).status == .seeOther)
            try await app.testing().test(.GET, "/api/v1/calls", headers: h) { #expect($0.status == .unauthorized) }

            try await b.get("/language/de?next=/account")
            #expect(try await User.query(on: app.db).filter(\.$email == "applicant@subsidia.example").first()?.language != "de")
            try await b.get("/account")
            #expect(try await b.post("/account/language", [("language", "de")]).status == .seeOther)
            #expect(try await User.query(on: app.db).filter(\.$email == "applicant@subsidia.example").first()?.language == "de")

            #expect(!PendingPost.isKeepable("/applications/\(UUID())/withdraw"))
            #expect(!PendingPost.isKeepable("/applications/\(UUID())/submit"))
            #expect(PendingPost.isKeepable("/applications/\(UUID())/sections/project"))
            // A cross-site post carries no cookie: refused, nothing kept.
            try await app.testing().test(.POST, "/applications/\(UUID())/withdraw", headers: ["Content-Type": "application/x-www-form-urlencoded"],
                                         body: ByteBuffer(string: "x=1")) { res in
                #expect(res.status == .forbidden)
                #expect(res.headers.setCookie == nil)
            }
        }
    }

    @Test("Secure cookies and HSTS whenever SUBSIDIA_BASE_URL is https; trusted proxies are addresses")
    func secureWhenHTTPS() throws {
        #expect(try AppConfig.from(environment: ["SUBSIDIA_BASE_URL": "https://subsidia.example.lu"], mode: .development).secureCookies)
        #expect(try !AppConfig.from(environment: ["SUBSIDIA_BASE_URL": "http://127.0.0.1:8080"], mode: .development).secureCookies)
        #expect(try AppConfig.from(environment: ["SUBSIDIA_TRUSTED_PROXIES": "127.0.0.1, ::1"], mode: .development).trustedProxies == ["127.0.0.1", "::1"])
        #expect(throws: AppConfig.Problem.self) { try AppConfig.from(environment: ["SUBSIDIA_TRUSTED_PROXIES": "proxy.local"], mode: .development) }
    }
}

enum UploadFixtures {
    /// A ZIP of stored, empty entries with the given names.
    static func zip(_ names: [String]) -> [UInt8] {
        func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
        func le32(_ v: Int) -> [UInt8] { le16(v & 0xFFFF) + le16(v >> 16 & 0xFFFF) }
        var out: [UInt8] = []
        var central: [UInt8] = []
        for name in names {
            let offset = out.count
            let n = Array(name.utf8)
            out += [0x50, 0x4B, 0x03, 0x04] + le16(20) + le16(0) + le16(0) + le16(0) + le16(0) + le32(0) + le32(0) + le32(0)
                + le16(n.count) + le16(0) + n
            central += [0x50, 0x4B, 0x01, 0x02] + le16(20) + le16(20) + le16(0) + le16(0) + le16(0) + le16(0) + le32(0) + le32(0)
                + le32(0) + le16(n.count) + le16(0) + le16(0) + le16(0) + le16(0) + le32(0) + le32(offset) + n
        }
        let start = out.count
        out += central
        out += [0x50, 0x4B, 0x05, 0x06] + le16(0) + le16(0) + le16(names.count) + le16(names.count) + le32(central.count) + le32(start) + le16(0)
        return out
    }
}
