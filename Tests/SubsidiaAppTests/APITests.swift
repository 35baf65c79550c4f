import Fluent
import Foundation
import Testing
import VaporTesting
@testable import SubsidiaApp
@testable import SubsidiaCore

/// A client of the JSON API with one personal access token.
struct APIClient {
    let app: Application
    let token: String
    var language: String?

    @discardableResult
    func call(_ method: HTTPMethod, _ path: String, _ json: [String: Any]? = nil) async throws -> TestingHTTPResponse {
        var h = HTTPHeaders()
        h.add(name: .authorization, value: "Bearer " + token)
        if let language { h.add(name: .acceptLanguage, value: language) }
        var body = ByteBuffer()
        if let json {
            h.contentType = .json
            body.writeBytes(try JSONSerialization.data(withJSONObject: json))
        }
        var result: TestingHTTPResponse?
        try await app.testing().test(method, "/api/v1" + path, headers: h, body: body) { res in result = res }
        return result!
    }

    func upload(_ path: String, item: String, file: (name: String, bytes: [UInt8])) async throws -> TestingHTTPResponse {
        let boundary = "api-boundary"
        var body = ByteBuffer()
        body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"item\"\r\n\r\n\(item)\r\n")
        body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(file.name)\"\r\nContent-Type: application/octet-stream\r\n\r\n")
        body.writeBytes(file.bytes)
        body.writeString("\r\n--\(boundary)--\r\n")
        var h = HTTPHeaders()
        h.add(name: .authorization, value: "Bearer " + token)
        h.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=\(boundary)")
        var result: TestingHTTPResponse?
        try await app.testing().test(.POST, "/api/v1" + path, headers: h, body: body) { res in result = res }
        return result!
    }
}

extension TestingHTTPResponse {
    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]) ?? [:] }
}

extension Browser {
    /// Creates a token on the account page and reads it from the only page that shows it.
    func createToken(_ name: String) async throws -> String {
        try await get("/account/tokens")
        let res = try await post("/account/tokens", [("name", name)])
        #expect(res.status == .ok)
        guard let r = lastBody.range(of: "value=\"sbs_") else { return "" }
        return "sbs_" + String(lastBody[r.upperBound...].prefix { $0 != "\"" })
    }
}

func versions(_ app: [String: Any]) -> [String: Int] {
    var out: [String: Int] = [:]
    for s in app["sections"] as? [[String: Any]] ?? [] { out[s["section"] as! String] = s["version"] as? Int }
    return out
}

func fieldErrors(_ r: TestingHTTPResponse) -> [String] {
    (r.json["errors"] as? [[String: Any]] ?? []).map { "\($0["field"] ?? "")=\($0["code"] ?? "")" }
}

@Suite("JSON API: tokens, OpenAPI, the application journey with the pages' rules")
struct APITests {
    @Test("Tokens: created on the account page and shown once, stored as a hash, revoked at once; no token or a bad one is 401")
    func tokens() async throws {
        try await withSubsidia(demo: true) { app, _ in
            let b = Browser(app)
            try await b.login("applicant@subsidia.example")
            let token = try await b.createToken("Logiciel de la commune")
            #expect(token.count > 40)
            let stored = try #require(try await AccessToken.query(on: app.db).first())
            #expect(stored.tokenHash == Tokens.hash(token) && stored.tokenHash != token)
            // The list shows the name, never the token again.
            let list = try await b.get("/account/tokens")
            #expect(list.text.contains("Logiciel de la commune") && !list.text.contains(token))
            let api = APIClient(app: app, token: token)
            #expect(try await api.call(.GET, "/calls").status == .ok)
            #expect(try await AccessToken.query(on: app.db).first()?.lastUsedAt != nil)
            // A name is required, and the form says so.
            let empty = try await b.post("/account/tokens", [("name", "")])
            #expect(empty.status == .unprocessableEntity && empty.text.contains("error-summary"))
            // Revoked: refused at once.
            try await b.get("/account/tokens")
            #expect(try await b.post("/account/tokens/\(stored.id!)/revoke", []).status == .seeOther)
            let refused = try await api.call(.GET, "/calls")
            #expect(refused.status == .unauthorized && refused.json["error"] as? String == "unauthorized")
            #expect(refused.headers.first(name: "WWW-Authenticate") == "Bearer")
            #expect(try await APIClient(app: app, token: "sbs_guess").call(.GET, "/calls").status == .unauthorized)
            // Another user cannot revoke someone else's token.
            let second = try await b.createToken("Deuxième")
            let other = Browser(app)
            _ = try await makeUser(app, "other@example.lu")
            try await other.login("other@example.lu")
            try await other.get("/account/tokens")
            let secondID = try #require(try await AccessToken.query(on: app.db).filter(\.$name == "Deuxième").first()?.id)
            #expect(try await other.post("/account/tokens/\(secondID)/revoke", []).status == .notFound)
            #expect(try await APIClient(app: app, token: second).call(.GET, "/calls").status == .ok)
        }
    }

    @Test("COM-07, COM-11, COM-22: a commune applies by API with the pages' rules, locking and messages, and submits")
    func journey() async throws {
        try await withSubsidia(demo: true) { app, _ in
            let b = Browser(app)
            try await b.login("applicant@subsidia.example")
            let api = APIClient(app: app, token: try await b.createToken("test"))
            let calls = try await api.call(.GET, "/calls")
            #expect((calls.json["items"] as? [[String: Any]])?.contains { $0["reference"] as? String == "COM-DEMO-2027" } == true)
            let call = try await api.call(.GET, "/calls/COM-DEMO-2027")
            let questions = call.json["questions"] as? [[String: Any]] ?? []
            #expect(questions.first { $0["code"] as? String == "description" }?["max_lines"] as? Int == 15)
            #expect(try await api.call(.GET, "/calls/NOPE").status == .notFound)

            let org = try #require(try await Organisation.query(on: app.db).filter(\.$legalName == "Commune de Démoville (démo)").first())
            let asbl = try #require(try await Organisation.query(on: app.db).filter(\.$legalName == "ASBL Démo Intégration (démo)").first())
            // COM-01: an asbl cannot apply to the communes call.
            let refused = try await api.call(.POST, "/applications", ["call": "COM-DEMO-2027", "organisation_id": asbl.id!.uuidString])
            #expect(refused.status == .unprocessableEntity && fieldErrors(refused) == ["organisation_id=app.start.not_eligible"])
            let created = try await api.call(.POST, "/applications", ["call": "COM-DEMO-2027", "organisation_id": org.id!.uuidString])
            #expect(created.status == .created)
            let id = try #require(created.json["id"] as? String)
            let base = "/applications/\(id)"
            var v = versions(created.json)

            var r = try await api.call(.PUT, base + "/applicant", ["version": v["applicant"]!, "fields": ["revenue_article": "yes"]])
            #expect(r.status == .ok, "\(r.body.string)")
            // COM-22: the 16th line is refused; nothing is saved.
            let sixteen = (1...16).map { "Ligne \($0)" }.joined(separator: "\n")
            r = try await api.call(.PATCH, base + "/sections/project", ["version": 1, "answers": ["title": "Fête", "description": sixteen]])
            #expect(r.status == .unprocessableEntity && fieldErrors(r) == ["description=error.too_many_lines"])
            #expect((r.json["errors"] as? [[String: Any]])?.first?["message"] as? String == "Écrivez au plus 15 lignes (vous en avez 16)")
            #expect(try await GrantApplication.find(UUID(uuidString: id), on: app.db)?.title == "")
            r = try await api.call(.PATCH, base + "/sections/project", ["version": 1, "answers": ["nope": "x"]])
            #expect(r.status == .unprocessableEntity && fieldErrors(r) == ["nope=api.error.unknown_question"])
            let project: [String: Any] = [
                "title": "Fête de l'amitié", "start_date": "2027-03-01", "end_date": "2027-03-02", "target_publics": "Habitants",
                "places": "Démoville", "in_luxembourg": true, "pakt": true, "new_project": true, "new_edition": false, "festival": "none",
                "description": "Une fête.\nDeux jours."]
            r = try await api.call(.PATCH, base + "/sections/project", ["version": 1, "answers": project])
            #expect(r.status == .ok && r.json["title"] as? String == "Fête de l'amitié", "\(r.body.string)")
            #expect((r.json["answers"] as? [String: Any])?["in_luxembourg"] as? Bool == true)
            // The same version again: someone else saved in between.
            r = try await api.call(.PATCH, base + "/sections/project", ["version": 1, "answers": ["title": "Autre"]])
            #expect(r.status == .conflict && r.json["current_version"] as? Int == 2)
            let sections: [(String, [String: Any])] = [
                ("relevance", ["needs": "Besoin", "integration": "Rencontres", "objectives": "Objectifs", "complementarity": "PAN", "themes": ["welcome"]]),
                ("feasibility", ["steps": "Étapes"]),
                ("evaluation", ["people_reached": 200, "mixed_public": "Mixte", "communication": "Affiches", "monitoring": "Suivi", "indicators": "Participants"]),
                ("other_funding", ["other_ministry": false]),
            ]
            for (s, answers) in sections {
                r = try await api.call(.PATCH, base + "/sections/" + s, ["version": 1, "answers": answers])
                #expect(r.status == .ok, "\(s): \(r.body.string)")
            }
            v = versions(r.json)
            r = try await api.call(.POST, base + "/expenses", ["version": v["budget"]!, "category": 6, "detail": "Interprètes",
                                                              "justification": "Aucun interprète", "quantity": 4, "unit_cost_cents": 50_000])
            #expect(r.status == .created, "\(r.body.string)")
            r = try await api.call(.POST, base + "/expenses", ["version": v["budget"]!, "category": 2, "detail": "Trajets", "quantity": 100, "private_car": true])
            #expect(r.status == .conflict)
            r = try await api.call(.POST, base + "/expenses", ["version": v["budget"]! + 1, "category": 2, "detail": "Trajets", "quantity": 100,
                                                              "private_car": true])
            #expect(r.status == .created)
            // Negative amounts are refused, on the JSON field's name.
            r = try await api.call(.POST, base + "/expenses", ["version": v["budget"]! + 2, "category": 1, "detail": "x", "quantity": 1, "unit_cost_cents": -5])
            #expect(r.status == .unprocessableEntity && fieldErrors(r).contains("unit_cost_cents=error.amount"))
            // 2,000 € + 100 km × 0.30 € = 2,030 €; asking 2,000 € is above 75 % (COM-07): kept, flagged, and submission refused.
            r = try await api.call(.PUT, base + "/budget", ["version": v["budget"]! + 2, "requested_cents": 200_000, "complete": true])
            #expect(r.status == .ok)
            let totals = r.json["totals"] as? [String: Any]
            #expect(totals?["total_expenses_cents"] as? Int == 203_000)
            let cap = r.json["cap"] as? [String: Any]
            #expect(cap?["maximum_cents"] as? Int == 152_250 && cap?["rule_id"] as? String == "COM-07" && cap?["request_exceeds_cap"] as? Bool == true)
            r = try await api.call(.POST, base + "/revenues", ["version": 1, "kind": "own", "amount_cents": 53_000])
            #expect(r.status == .created)
            #expect(try await api.call(.PUT, base + "/financing", ["complete": true]).status == .ok)
            #expect(try await api.call(.POST, base + "/previous-subsidies", ["project_name": "Fête 2022", "year": 1980, "granted": true]).status
                    == .unprocessableEntity)
            #expect(try await api.call(.POST, base + "/previous-subsidies", ["project_name": "Fête 2022", "year": 2022, "granted": true]).status == .created)
            #expect(try await api.call(.PUT, base + "/previous-subsidies", ["complete": true]).status == .ok)
            r = try await api.upload(base + "/documents", item: "rib", file: ("rib.pdf", []))
            #expect(r.status == .unprocessableEntity && fieldErrors(r) == ["file=doc.error.empty"])
            r = try await api.upload(base + "/documents", item: "rib", file: ("rib.pdf", pdfBytes))
            #expect(r.status == .created && (r.json["documents"] as? [Any])?.count == 1)
            r = try await api.call(.POST, base + "/declaration", ["name": "Anna Applicant", "function": "Bourgmestre", "place": "Démoville", "confirm": false])
            #expect(r.status == .unprocessableEntity && fieldErrors(r) == ["confirm=app.declaration.error_confirm"])
            r = try await api.call(.POST, base + "/declaration", ["name": "Anna Applicant", "function": "Bourgmestre", "place": "Démoville", "confirm": true])
            #expect(r.status == .ok)

            r = try await api.call(.POST, base + "/submit")
            #expect(r.status == .unprocessableEntity && r.json["error"] as? String == "blocked")
            let failed = (r.json["results"] as? [[String: Any]] ?? []).filter { $0["outcome"] as? String == "failed" }.compactMap { $0["rule_id"] as? String }
            #expect(failed == ["COM-07"])
            // In English when asked.
            var english = api
            english.language = "en"
            r = try await english.call(.POST, base + "/submit")
            #expect((r.json["message"] as? String)?.contains("does not meet the call's rules") == true)

            r = try await api.call(.PUT, base + "/budget", ["version": v["budget"]! + 3, "requested_cents": 150_000, "complete": true])
            #expect(r.status == .ok)
            let check = try await api.call(.GET, base + "/check")
            #expect(check.json["can_submit"] as? Bool == true)
            r = try await api.call(.POST, base + "/submit")
            #expect(r.status == .created && r.json["reference"] as? String == "COM-DEMO-2027-0001", "\(r.body.string)")
            let pdf = try await api.call(.GET, base + "/receipts/1.pdf")
            #expect(pdf.headers.contentType?.subType == "pdf")
            #expect(try pdfToText(Array(pdf.body.readableBytesView)).contains("COM-DEMO-2027-0001"))
            // Submitted: no more changes.
            r = try await api.call(.PATCH, base + "/sections/project", ["version": 2, "answers": ["title": "Après"]])
            #expect(r.status == .conflict && r.json["error"] as? String == "not_editable")
            let mine = try await api.call(.GET, "/applications")
            #expect(mine.json["total"] as? Int == 1)
        }
    }

    @Test("Another organisation's token gets 404 on every application route and changes nothing; a staff token reads but cannot change")
    func access() async throws {
        try await withSubsidia(demo: true) { app, _ in
            let b = Browser(app)
            try await b.login("applicant@subsidia.example")
            let api = APIClient(app: app, token: try await b.createToken("mine"))
            let org = try #require(try await Organisation.query(on: app.db).filter(\.$legalName == "Commune de Démoville (démo)").first())
            let created = try await api.call(.POST, "/applications", ["call": "COM-DEMO-2027", "organisation_id": org.id!.uuidString])
            let id = try #require(created.json["id"] as? String)
            let r = try await api.upload("/applications/\(id)/documents", item: "rib", file: ("rib.pdf", pdfBytes))
            let doc = try #require((r.json["documents"] as? [[String: Any]])?.first?["id"] as? String)
            _ = try await makeUser(app, "other@example.lu")
            let o = Browser(app)
            try await o.login("other@example.lu")
            let other = APIClient(app: app, token: try await o.createToken("theirs"))
            let base = "/applications/\(id)"
            // Not even by naming the organisation: starting for an organisation one is not a member of is refused.
            let hijack = try await other.call(.POST, "/applications", ["call": "COM-DEMO-2027", "organisation_id": org.id!.uuidString])
            #expect(hijack.status == .unprocessableEntity)
            for path in ["", "/check", "/form.pdf", "/documents/\(doc)", "/receipts/1.pdf"] {
                #expect(try await other.call(.GET, base + path).status == .notFound, "GET \(path)")
            }
            let writes: [(HTTPMethod, String)] = [
                (.PATCH, "/sections/project"), (.PUT, "/applicant"), (.POST, "/expenses"), (.PUT, "/budget"), (.POST, "/revenues"),
                (.PUT, "/financing"), (.POST, "/previous-subsidies"), (.PUT, "/previous-subsidies"), (.DELETE, "/documents/\(doc)"),
                (.POST, "/declaration"), (.POST, "/submit"),
            ]
            for (method, path) in writes {
                let res = try await other.call(method, base + path, ["version": 1, "answers": ["title": "pirate"], "complete": true])
                #expect(res.status == .notFound, "\(method) \(path)")
            }
            #expect(try await other.upload(base + "/documents", item: "rib", file: ("x.pdf", pdfBytes)).status == .notFound)
            #expect(try await ApplicationDocument.query(on: app.db).count() == 1)
            #expect(try await GrantApplication.find(UUID(uuidString: id), on: app.db)?.title == "")
            // Staff read (as on the pages) but do not change.
            let s = Browser(app)
            try await s.login("officer@subsidia.example")
            let staff = APIClient(app: app, token: try await s.createToken("officer"))
            #expect(try await staff.call(.GET, base).status == .ok)
            #expect(try await staff.call(.PATCH, base + "/sections/project", ["version": 1, "answers": ["title": "x"]]).status == .notFound)
        }
    }

    @Test("The OpenAPI 3.1 document describes every /api/v1 route, and only those")
    func openAPI() async throws {
        try await withSubsidia { app, _ in
            var result: TestingHTTPResponse?
            try await app.testing().test(.GET, "/api/openapi.json") { result = $0 }
            let doc = try #require(result).json
            #expect(doc["openapi"] as? String == "3.1.0")
            var described = Set<String>()
            for (path, ops) in doc["paths"] as? [String: [String: Any]] ?? [:] {
                for method in ops.keys { described.insert(method.uppercased() + " " + path) }
            }
            var routed = Set<String>()
            for route in app.routes.all where route.path.first?.description == "api" && route.path.dropFirst().first?.description == "v1" {
                let path = "/" + route.path.map { c -> String in
                    if case .parameter(let name) = c { return "{\(name)}" }
                    return c.description
                }.joined(separator: "/")
                routed.insert(route.method.rawValue + " " + path)
            }
            #expect(described == routed, "only described: \(described.subtracting(routed)); only routed: \(routed.subtracting(described))")
            #expect(routed.count > 20)
        }
    }
}
