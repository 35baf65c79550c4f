import Fluent
import SQLKit
import Foundation
import Testing
import VaporTesting
@testable import SubsidiaApp
@testable import SubsidiaCore

/// Reads a PDF's text with poppler's pdftotext.
func pdfToText(_ bytes: [UInt8]) throws -> String {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("subsidia-\(UUID().uuidString).pdf")
    try Data(bytes).write(to: url)
    defer { try? FileManager.default.removeItem(at: url) }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["pdftotext", url.path, "-"]
    let pipe = Pipe()
    p.standardOutput = pipe
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}

let pdfBytes: [UInt8] = Array("%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n".utf8)

/// An application's id, the last part of its address.
func applicationID(_ base: String) throws -> UUID {
    try #require(UUID(uuidString: String(base.split(separator: "/").last ?? "")))
}

extension Browser {
    /// Starts an application to a demo call for the named organisation and returns its path.
    func startApplication(call: String, organisation: String) async throws -> String {
        try await get("/calls/\(call)/apply")
        let org = try #require(try await Organisation.query(on: app.db).filter(\.$legalName == organisation).first())
        let res = try await post("/calls/\(call)/apply", [("organisation", org.id!.uuidString)])
        #expect(res.status == .seeOther)
        return res.location
    }

    func version(_ path: String) async throws -> String {
        try await get(path)
        guard let r = lastBody.range(of: "name=\"version\" value=\"") else { return "" }
        return String(lastBody[r.upperBound...].prefix { $0 != "\"" })
    }

    /// Fills in a complete communes application (project in March 2027), ready to submit.
    func fillCommunes(_ base: String, requested: String = "1500") async throws {
        var v = try await version(base + "/applicant")
        let applicant = communeProfile().filter { !["legal_form", "pakt_signed", "rcs_number", "original_name"].contains($0.0) }
        var res = try await post(base + "/applicant", applicant + [("revenue_article", "yes"), ("version", v)])
        #expect(res.status == .seeOther, "applicant: \(res.text.prefix(300))")
        let sections: [(String, [(String, String)])] = [
            ("project", [("title", "Fête de l'amitié à Démoville"), ("start_date", "2027-03-01"), ("end_date", "2027-03-02"),
                         ("target_publics", "Habitants"), ("places", "Démoville"), ("in_luxembourg", "yes"), ("pakt", "yes"),
                         ("new_project", "yes"), ("new_edition", "no"), ("festival", "none"), ("description", "Une fête.\nDeux jours.")]),
            ("relevance", [("needs", "Besoin"), ("integration", "Rencontres"), ("objectives", "Objectifs"), ("complementarity", "PAN"),
                           ("themes", "welcome")]),
            ("feasibility", [("steps", "Étapes")]),
            ("evaluation", [("people_reached", "200"), ("mixed_public", "Mixte"), ("communication", "Affiches"), ("monitoring", "Suivi"),
                            ("indicators", "Participants")]),
            ("other_funding", [("other_ministry", "no")]),
        ]
        for (section, fields) in sections {
            v = try await version(base + "/sections/" + section)
            res = try await post(base + "/sections/" + section, fields + [("version", v)])
            #expect(res.status == .seeOther, "\(section): \(res.text.prefix(400))")
        }
        v = try await version(base + "/budget")
        res = try await post(base + "/budget/lines", [("category", "6"), ("detail", "Interprètes"), ("justification", "Aucun interprète à la commune"),
                                                      ("quantity", "4"), ("unit_cost", "500"), ("version", v)])
        #expect(res.status == .seeOther)
        v = try await version(base + "/budget")
        res = try await post(base + "/budget/lines", [("category", "2"), ("detail", "Trajets"), ("quantity", "100"), ("private_car", "yes"), ("version", v)])
        #expect(res.status == .seeOther)
        v = try await version(base + "/budget")
        res = try await post(base + "/budget", [("requested", requested), ("complete", "yes"), ("version", v)])
        #expect(res.status == .seeOther)
        v = try await version(base + "/financing")
        res = try await post(base + "/financing/lines", [("kind", "own"), ("amount", "530"), ("version", v)])
        #expect(res.status == .seeOther)
        try await get(base + "/financing")
        res = try await post(base + "/financing", [("complete", "yes")])
        #expect(res.status == .seeOther)
        try await get(base + "/previous")
        res = try await post(base + "/previous/complete", [("complete", "yes")])
        #expect(res.status == .seeOther)
        try await get(base + "/documents")
        res = try await upload(base + "/documents", fields: [("item", "rib")], file: ("rib.pdf", pdfBytes))
        #expect(res.status == .seeOther, "upload: \(res.text.prefix(300))")
        try await get(base + "/declaration")
        res = try await post(base + "/declaration", [("name", "Anna Applicant"), ("function", "Bourgmestre"), ("place", "Démoville"), ("confirm", "yes")])
        #expect(res.status == .seeOther)
    }
}

@Suite("Applications: task list, sections, budget, documents, rules, submission")
struct ApplicationsTests {
    @Test("COM-14, COM-22: a commune applies to the demo call from the task list to the receipt, PDF and mail")
    func communesJourney() async throws {
        try await withSubsidia(demo: true) { app, _ in
            let b = Browser(app)
            try await b.login("applicant@subsidia.example")
            let base = try await b.startApplication(call: "COM-DEMO-2027", organisation: "Commune de Démoville (démo)")
            var page = try await b.get(base)
            #expect(page.status == .ok && page.text.contains("Pas commencé"))
            try await b.fillCommunes(base)
            page = try await b.get(base)
            // Every section is done but the documents, where the signed form is still missing.
            #expect(!page.text.contains("Pas commencé") && page.text.components(separatedBy: "En cours").count == 2, "\(page.text)")
            // The budget: 2,000 € experts + 100 km × 0.30 € = 2,030 €; 75 % is 1,522.50 €.
            page = try await b.get(base + "/budget")
            let plain = page.text.replacingOccurrences(of: "\u{202F}", with: " ").replacingOccurrences(of: "\u{00A0}", with: " ")
            #expect(plain.contains("2 030 €") && plain.contains("30 €"))
            #expect(plain.contains("1 522,50 €") && plain.contains("COM-07"))
            page = try await b.get(base + "/check")
            #expect(page.status == .ok && page.text.contains("COM-01") && page.text.contains("COM-13"))
            page = try await b.get(base + "/review")
            #expect(page.text.contains("Fête de l'amitié à Démoville") && page.text.contains("Non renseigné"))
            let submitted = try await b.post(base + "/submit", [])
            #expect(submitted.status == .seeOther && submitted.location.hasSuffix("/receipt"))
            page = try await b.get(base + "/receipt")
            #expect(page.text.contains("COM-DEMO-2027-0001"))
            #expect(page.text.contains("manquant"))
            // The flash written with the submission shows once.
            #expect(page.text.contains("Votre demande est envoyée."))
            #expect(!(try await b.get(base + "/receipt")).text.contains("Votre demande est envoyée."))
            let a = try #require(try await GrantApplication.query(on: app.db).first())
            #expect(a.applicationStatus == .submitted && a.reference == "COM-DEMO-2027-0001")
            let pdf = try await b.get(base + "/receipt/1.pdf")
            #expect(pdf.headers.contentType?.subType == "pdf")
            let text = try pdfToText(Array(pdf.body.readableBytesView))
            #expect(text.contains("COM-DEMO-2027-0001") && text.contains("Accusé de réception"))
            #expect(text.contains("Relevé d'identité bancaire (RIB)") && text.contains("Formulaire dûment rempli et signé"))
            #expect(text.contains("SHA-256"))
            let mail = try await mails(app, to: "applicant@subsidia.example").last
            #expect(mail?.subject.contains("COM-DEMO-2027-0001") == true)
            #expect(mail?.body.contains("Formulaire dûment rempli et signé") == true)
            let form = try await b.get(base + "/form.pdf")
            let formText = try pdfToText(Array(form.body.readableBytesView))
            #expect(formText.contains("Fête de l'amitié à Démoville") && formText.contains("2 030 €"))
            // A rolling call's application is not reopened; editing a submitted one is refused.
            try await b.get(base)
            #expect(try await b.post(base + "/reopen", []).status == .seeOther)
            #expect(try await GrantApplication.query(on: app.db).first()?.applicationStatus == .submitted)
            page = try await b.get("/applications")
            #expect(page.text.contains("COM-DEMO-2027-0001") && page.text.contains("Envoyée"))
        }
    }

    @Test("COM-14: a second submission of the draft that was checked (a second click, another tab) fails with 409 and changes nothing")
    func staleSubmission() async throws {
        try await withSubsidia(demo: true) { app, _ in
            let b = Browser(app)
            try await b.login("applicant@subsidia.example")
            let base = try await b.startApplication(call: "COM-DEMO-2027", organisation: "Commune de Démoville (démo)")
            try await b.fillCommunes(base)
            let user = try #require(try await User.query(on: app.db).filter(\.$email == "applicant@subsidia.example").first())
            func request() -> Request {
                let r = Request(application: app, on: app.eventLoopGroup.next())
                r.browserSession = BrowserSession(id: "test", csrfToken: "test", user: user, flash: nil)
                return r
            }
            let id = try #require(try await GrantApplication.query(on: app.db).first()?.id)
            // Both read the same draft before either submits.
            let first = try await ApplicationBundle.load(try #require(try await GrantApplication.find(id, on: app.db)), on: app.store)
            let second = try await ApplicationBundle.load(try #require(try await GrantApplication.find(id, on: app.db)), on: app.store)
            let receipt = try await Submission.submit(request(), bundle: first, results: [], now: Date())
            #expect(receipt.reference == "COM-DEMO-2027-0001" && receipt.version == 1)
            do {
                _ = try await Submission.submit(request(), bundle: second, results: [], now: Date())
                Issue.record("the stale submission was recorded")
            } catch let error as Abort {
                #expect(error.status == .conflict)
            }
            #expect(try await ApplicationSubmission.query(on: app.db).count() == 1)
            let a = try #require(try await GrantApplication.find(id, on: app.db))
            #expect(a.applicationStatus == .submitted && a.reference == "COM-DEMO-2027-0001" && a.submissionCount == 1)
            #expect(try await mails(app, to: "applicant@subsidia.example").filter { $0.subject.contains("COM-DEMO-2027-0001") }.count == 1)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "application.submitted").count() == 1)
        }
    }

    @Test("COM-14: first submissions to a call that arrive together each get the next number; a reference once given is kept")
    func referencesAtOnce() async throws {
        // Four connections per event loop, as in service: on PostgreSQL the submissions' transactions then run side
        // by side, and two of them could both find the call without a counter.
        try await withSubsidia(demo: true, connections: 4) { app, _ in
            let b = Browser(app)
            try await b.login("applicant@subsidia.example")
            for _ in 0..<8 {
                _ = try await b.startApplication(call: "COM-DEMO-2027", organisation: "Commune de Démoville (démo)")
            }
            let call = try #require(try await Call.query(on: app.db).filter(\.$reference == "COM-DEMO-2027").first())
            let drafts = try await GrantApplication.query(on: app.db).filter(\.$call.$id == call.requireID()).all()
            #expect(drafts.count == 8 && drafts.allSatisfy { $0.reference == nil })
            func request() -> Request { Request(application: app, on: app.eventLoopGroup.next()) }
            let given = try await withThrowingTaskGroup(of: String.self) { tasks in
                for draft in drafts {
                    tasks.addTask { try await Submission.reference(of: draft, call: call, req: request()) }
                }
                var all: [String] = []
                for try await reference in tasks { all.append(reference) }
                return all
            }
            #expect(given.sorted() == (1...8).map { String(format: "COM-DEMO-2027-%04d", $0) })
            // An application that has its reference keeps it, and takes no number from the call.
            let first = try #require(try await GrantApplication.find(drafts[0].id, on: app.db))
            #expect(first.reference != nil && given.contains(first.reference ?? ""))
            #expect(try await Submission.reference(of: first, call: call, req: request()) == first.reference)
            _ = try await b.startApplication(call: "COM-DEMO-2027", organisation: "Commune de Démoville (démo)")
            let ninth = try #require(try await GrantApplication.query(on: app.db).filter(\.$call.$id == call.requireID())
                .filter(\.$reference == nil).first())
            #expect(try await Submission.reference(of: ninth, call: call, req: request()) == "COM-DEMO-2027-0009")
        }
    }

    @Test("COM-07: a request above 75 % of the eligible cost cannot be submitted; the page explains")
    func capBlocks() async throws {
        try await withSubsidia(demo: true) { app, _ in
            let b = Browser(app)
            try await b.login("applicant@subsidia.example")
            let base = try await b.startApplication(call: "COM-DEMO-2027", organisation: "Commune de Démoville (démo)")
            try await b.fillCommunes(base, requested: "1600")
            let page = try await b.get(base + "/budget")
            #expect(page.text.contains("dépasse ce plafond"))
            try await b.get(base + "/review")
            let res = try await b.post(base + "/submit", [])
            #expect(res.status == .unprocessableEntity)
            #expect(res.text.contains("ne peut pas être envoyée") && res.text.contains("COM-07") && res.text.contains("Rien n'a été envoyé"))
            #expect(try await GrantApplication.query(on: app.db).first()?.applicationStatus == .draft)
        }
    }

    @Test("COM-01: an asbl cannot start an application to the communes call")
    func com01Start() async throws {
        try await withSubsidia(demo: true) { app, _ in
            let b = Browser(app)
            try await b.login("applicant@subsidia.example")
            let page = try await b.get("/calls/COM-DEMO-2027/apply")
            #expect(page.text.contains("ASBL Démo Intégration (démo)") && page.text.contains("n'est pas éligible"))
            let asbl = try #require(try await Organisation.query(on: app.db).filter(\.$legalName == "ASBL Démo Intégration (démo)").first())
            let res = try await b.post("/calls/COM-DEMO-2027/apply", [("organisation", asbl.id!.uuidString)])
            #expect(res.status == .unprocessableEntity)
            #expect(try await GrantApplication.query(on: app.db).count() == 0)
        }
    }

    @Test("COM-22: the 16th line of the description is refused with its message, and the typed text is kept")
    func descriptionLimit() async throws {
        try await withSubsidia(demo: true) { app, _ in
            let b = Browser(app)
            try await b.login("applicant@subsidia.example")
            let base = try await b.startApplication(call: "COM-DEMO-2027", organisation: "Commune de Démoville (démo)")
            let v = try await b.version(base + "/sections/project")
            let text = (1...16).map { "Ligne \($0) <b>x</b>" }.joined(separator: "\n")
            let res = try await b.post(base + "/sections/project", [("title", "Projet"), ("description", text), ("version", v)])
            #expect(res.status == .unprocessableEntity)
            #expect(res.text.contains("au plus 15 lignes (vous en avez 16)"))
            #expect(res.body.string.contains("Ligne 16 &lt;b&gt;x&lt;/b&gt;"))
            #expect(try await ApplicationAnswer.query(on: app.db).count() == 0)
        }
    }

    @Test("Two tabs saving the same section: the second gets a conflict page with both versions, nothing overwritten")
    func optimisticLocking() async throws {
        try await withSubsidia(demo: true) { app, _ in
            let b = Browser(app)
            try await b.login("applicant@subsidia.example")
            let base = try await b.startApplication(call: "COM-DEMO-2027", organisation: "Commune de Démoville (démo)")
            let v = try await b.version(base + "/sections/feasibility")
            #expect(try await b.post(base + "/sections/feasibility", [("steps", "Première version"), ("version", v)]).status == .seeOther)
            try await b.get(base + "/sections/feasibility")
            let res = try await b.post(base + "/sections/feasibility", [("steps", "Seconde version"), ("version", v)])
            #expect(res.status == .conflict)
            #expect(res.text.contains("Première version") && res.text.contains("Seconde version"))
            let saved = try await ApplicationAnswer.query(on: app.db).filter(\.$questionCode == "steps").first()
            #expect(saved?.textValue == "Première version")
            // Autosave gets the same answer as JSON.
            try await b.get(base + "/sections/feasibility")
            let auto = try await b.post(base + "/sections/feasibility/autosave", [("steps", "Autosave"), ("version", v)])
            #expect(auto.status == .conflict && auto.body.string.contains("\"conflict\":true"))
            // The refused autosave changed nothing (its one statement on SQLite, or its function call on PostgreSQL).
            #expect(try await ApplicationAnswer.query(on: app.db).filter(\.$questionCode == "steps").first()?.textValue == "Première version")
            #expect(try await b.version(base + "/sections/feasibility") == String(Int(v)! + 1))
        }
    }

    @Test("Autosave saves a section as JSON: answers upserted and emptied, project columns written, no audit entry; staff get 404")
    func autosaveWrites() async throws {
        try await withSubsidia(demo: true) { app, _ in
            let b = Browser(app)
            try await b.login("applicant@subsidia.example")
            let base = try await b.startApplication(call: "COM-DEMO-2027", organisation: "Commune de Démoville (démo)")
            let appID = try applicationID(base)
            let v = Int(try await b.version(base + "/sections/project")) ?? 0
            let token = try #require(b.csrf)  // the page script sends the page's token with each save
            let audits = try await AuditEvent.query(on: app.db).filter(\.$action == "application.section_saved").count()
            let first = try await b.post(base + "/sections/project/autosave", [("title", "Fête des voisins"), ("new_project", "yes"), ("version", String(v))], csrf: token)
            #expect(first.status == .ok && first.body.string.contains("\"version\":\(v + 1)"))
            let second = try await b.post(base + "/sections/project/autosave", [("title", "Fête des voisins 2027"), ("version", String(v + 1))], csrf: token)
            #expect(second.status == .ok && second.body.string.contains("\"version\":\(v + 2)"))
            let answers = try await ApplicationAnswer.query(on: app.db).filter(\.$application.$id == appID).all()
            #expect(answers.filter { $0.questionCode == "title" }.map(\.textValue) == ["Fête des voisins 2027"])
            #expect(!answers.contains { $0.questionCode == "new_project" })
            #expect(try await GrantApplication.find(appID, on: app.db)?.title == "Fête des voisins 2027")
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "application.section_saved").count() == audits)
            // A bad answer is refused with its message and changes nothing.
            let bad = try await b.post(base + "/sections/project/autosave", [("start_date", "2027-02-30"), ("version", String(v + 2))], csrf: token)
            #expect(bad.status == .unprocessableEntity && bad.body.string.contains("start_date"))
            #expect(try await b.version(base + "/sections/project") == String(v + 2))
            // The save button records who saved (and keeps the answers left out of the form empty).
            #expect(try await b.post(base + "/sections/project", [("title", "Fête"), ("version", String(v + 2))]).status == .seeOther)
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "application.section_saved").count() == audits + 1)
            // Staff read applications but do not save them.
            let officer = Browser(app)
            try await officer.login("officer@subsidia.example")
            try await officer.get("/account")
            #expect(try await officer.post(base + "/sections/project/autosave", [("title", "x"), ("version", String(v + 3))]).status == .notFound)
        }
    }

    @Test("Autosave and the Save button store the same typed answers and project columns (one statement on SQLite, one function call on PostgreSQL)")
    func autosaveStoresLikeSave() async throws {
        try await withSubsidia(demo: true) { app, _ in
            let b = Browser(app)
            try await b.login("applicant@subsidia.example")
            let fields: [(String, String)] = [("title", "Fête « entre voisins »"), ("start_date", "2027-05-01"), ("end_date", "2027-05-02"),
                                              ("in_luxembourg", "yes"), ("new_project", "no"), ("new_edition", "yes"), ("edition_number", "3"),
                                              ("edition_since", "2024"), ("festival", "festival"), ("places", "Place de l'Église")]
            var stored: [[[String]]] = []
            var columns: [[String?]] = []
            for autosave in [true, false] {
                let base = try await b.startApplication(call: "COM-DEMO-2027", organisation: "Commune de Démoville (démo)")
                let id = try applicationID(base)
                let v = try await b.version(base + "/sections/project")
                // A first save that the second one empties: an emptied answer is deleted either way.
                try await b.post(base + "/sections/project" + (autosave ? "/autosave" : ""), [("partners", "La crèche"), ("version", v)])
                try await b.get(base + "/sections/project")
                let saved = try await b.post(base + "/sections/project" + (autosave ? "/autosave" : ""), fields + [("version", String(Int(v)! + 1))])
                #expect(saved.status == (autosave ? .ok : .seeOther), "\(saved.text.prefix(300))")
                #expect(try await b.version(base + "/sections/project") == String(Int(v)! + 2))
                func row(_ x: ApplicationAnswer) -> [String] {
                    let integer: String = x.intValue.map { String($0) } ?? "∅"
                    let bool: String = x.boolValue.map { String($0) } ?? "∅"
                    return [x.questionCode, x.textValue ?? "∅", integer, x.dateValue ?? "∅", bool]
                }
                let rows = try await ApplicationAnswer.query(on: app.db).filter(\.$application.$id == id).all()
                stored.append(rows.map(row).sorted { $0[0] < $1[0] })
                let a = try #require(try await GrantApplication.find(id, on: app.db))
                columns.append([a.title, a.projectStart, a.projectEnd, a.festivalCode, a.actionCode])
            }
            #expect(stored[0] == stored[1])
            #expect(stored[0].map { $0[0] } == fields.map(\.0).sorted())
            #expect(stored[0].first { $0[0] == "edition_number" } == ["edition_number", "∅", "3", "∅", "∅"])
            #expect(stored[0].first { $0[0] == "new_project" } == ["new_project", "∅", "∅", "∅", "false"])
            #expect(columns[0] == columns[1] && columns[0] == ["Fête « entre voisins »", "2027-05-01", "2027-05-02", "festival", nil])
        }
    }

    @Test("Autosaves that arrive together on SQLite are committed as one statement; when one is stale, each succeeds or fails on its own")
    func commitGroup() async throws {
        try await withSubsidia(demo: true) { app, _ in
            let sql = try #require(app.db as? any SQLDatabase)
            guard sql.dialect.name == "sqlite" else { return }  // PostgreSQL saves each in its own transaction
            let b = Browser(app)
            try await b.login("applicant@subsidia.example")
            _ = try await b.startApplication(call: "COM-DEMO-2027", organisation: "Commune de Démoville (démo)")
            let id = try #require(try await GrantApplication.query(on: app.db).first()?.id)
            struct Version: Decodable { let section: String; let version: Int }
            func versions() async throws -> [String: Int] {
                let rows = try await sql.raw("SELECT section, version FROM application_sections WHERE application_id = \(bind: id)")
                    .all(decoding: Version.self)
                return Dictionary(uniqueKeysWithValues: rows.map { ($0.section, $0.version) })
            }
            let before = try await versions()
            #expect(before.count >= 4)
            let store = app.store
            func save(_ section: String, _ version: Int) -> SectionSave {
                .init(application: id, section: section, expectedVersion: version, answers: "[]", emptied: "[]", project: nil, savedAt: Date())
            }
            // Four saves per section, all sent with its current version: one per section is written, three are stale.
            let outcomes = await withTaskGroup(of: (String, Bool).self) { tasks in
                for (section, version) in before {
                    for _ in 0..<4 {
                        tasks.addTask {
                            do {
                                return (section, try await store.saveSection(save(section, version)) != nil)
                            } catch {
                                return ("unexpected: \(error)", false)
                            }
                        }
                    }
                }
                var all: [(String, Bool)] = []
                for await outcome in tasks { all.append(outcome) }
                return all
            }
            #expect(outcomes.filter(\.1).count == before.count && Set(outcomes.filter(\.1).map(\.0)) == Set(before.keys))
            #expect(outcomes.filter { !$0.1 }.count == 3 * before.count)
            // Every refused save was refused as stale (a conflict), not by some other failure.
            #expect(Set(outcomes.filter { !$0.1 }.map(\.0)).isSubset(of: Set(before.keys)))
            let after = try await versions()
            #expect(after == before.mapValues { $0 + 1 })
            // Saves that are all current are all written.
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                for (section, version) in after {
                    tasks.addTask {
                        let saved = try await store.saveSection(save(section, version))
                        #expect(saved != nil)
                    }
                }
                try await tasks.waitForAll()
            }
            #expect(try await versions() == before.mapValues { $0 + 2 })
        }
    }

    @Test("A form sent without JavaScript after the session expired is kept; after logging in again, one button saves it")
    func expiredSessionKeepsTyping() async throws {
        try await withSubsidia(demo: true) { app, clock in
            let b = Browser(app)
            try await b.login("applicant@subsidia.example")
            let base = try await b.startApplication(call: "COM-DEMO-2027", organisation: "Commune de Démoville (démo)")
            let v = try await b.version(base + "/sections/feasibility")
            clock.advance(by: Lifetimes.sessionIdle + 60)
            let res = try await b.post(base + "/sections/feasibility", [("steps", "Étape <1> gardée"), ("version", v)])
            #expect(res.status == .seeOther && res.location == "/login?next=%2Fresume")
            #expect(try await ApplicationAnswer.query(on: app.db).filter(\.$questionCode == "steps").count() == 0)
            let login = try await b.get("/login?next=%2Fresume")
            #expect(login.text.contains("Ce que vous avez saisi est gardé"))
            let back = try await b.post("/login", [("email", "applicant@subsidia.example"), ("password", DemoData.password), ("next", "/resume")])
            #expect(back.location == "/resume")
            let page = try await b.get("/resume")
            #expect(page.status == .ok && page.body.string.contains("Étape &lt;1&gt; gardée") && page.text.contains("/resume/discard"))
            // Nothing is saved until the person confirms; the button sends the form again with a fresh token.
            #expect(try await ApplicationAnswer.query(on: app.db).filter(\.$questionCode == "steps").count() == 0)
            let saved = try await b.post(base + "/sections/feasibility", [("steps", "Étape <1> gardée"), ("version", v)])
            #expect(saved.status == .seeOther && saved.location == base)
            #expect(try await ApplicationAnswer.query(on: app.db).filter(\.$questionCode == "steps").first()?.textValue == "Étape <1> gardée")
            #expect(try await b.get("/resume").location == "/applications")
            // Other forms are not kept: a post without a session elsewhere is refused as before.
            let stranger = Browser(app)
            #expect(try await stranger.post("/organisations", [("legal_name", "x")], csrf: "").status == .forbidden)
            #expect(try await stranger.post(base + "/sections/feasibility/autosave", [("steps", "x")], csrf: "").status == .forbidden)
        }
    }

    @Test("COM-14, AMIF-07: uploads refused when empty, of the wrong type, duplicated; removable in draft")
    func uploads() async throws {
        try await withSubsidia(demo: true) { app, _ in
            let b = Browser(app)
            try await b.login("applicant@subsidia.example")
            let base = try await b.startApplication(call: "COM-DEMO-2027", organisation: "Commune de Démoville (démo)")
            try await b.get(base + "/documents")
            var res = try await b.upload(base + "/documents", fields: [("item", "rib")], file: ("vide.pdf", []))
            #expect(res.status == .unprocessableEntity && res.text.contains("« vide.pdf » est vide"))
            res = try await b.upload(base + "/documents", fields: [("item", "rib")], file: ("script.pdf", Array("<script>alert(1)</script>".utf8)))
            #expect(res.status == .unprocessableEntity && res.text.contains("n'est pas d'un type accepté"))
            res = try await b.upload(base + "/documents", fields: [("item", "rib")], file: ("rib.pdf", pdfBytes))
            #expect(res.status == .seeOther)
            try await b.get(base + "/documents")
            res = try await b.upload(base + "/documents", fields: [("item", "other")], file: ("RIB.pdf", pdfBytes))
            #expect(res.status == .unprocessableEntity && res.text.contains("déjà chargé"))
            let doc = try #require(try await ApplicationDocument.query(on: app.db).first())
            #expect(doc.sha256 == SHA256Digest.hexOf(pdfBytes))
            let download = try await b.get(base + "/documents/\(doc.id!)")
            #expect(Array(download.body.readableBytesView) == pdfBytes)
            try await b.get(base + "/documents")
            #expect(try await b.post(base + "/documents/\(doc.id!)/delete", []).status == .seeOther)
            #expect(try await ApplicationDocument.query(on: app.db).count() == 0)
        }
    }

    @Test("Nobody reads or changes another organisation's application, document or PDF by guessing ids")
    func otherOrganisation() async throws {
        try await withSubsidia(demo: true) { app, _ in
            let b = Browser(app)
            try await b.login("applicant@subsidia.example")
            let base = try await b.startApplication(call: "COM-DEMO-2027", organisation: "Commune de Démoville (démo)")
            try await b.get(base + "/documents")
            _ = try await b.upload(base + "/documents", fields: [("item", "rib")], file: ("rib.pdf", pdfBytes))
            let doc = try #require(try await ApplicationDocument.query(on: app.db).first())
            _ = try await makeUser(app, "other@example.lu")
            let other = Browser(app)
            try await other.login("other@example.lu")
            for path in ["", "/applicant", "/sections/project", "/budget", "/financing", "/previous", "/documents", "/documents/\(doc.id!)",
                         "/form.pdf", "/check", "/declaration", "/review", "/receipt", "/receipt/1.pdf"] {
                #expect(try await other.get(base + path).status == .notFound, "GET \(path)")
            }
            try await other.get("/account")
            for path in ["/applicant", "/sections/project", "/sections/project/autosave", "/budget", "/budget/lines", "/financing",
                         "/financing/lines", "/previous", "/declaration", "/submit", "/withdraw", "/reopen", "/documents/\(doc.id!)/delete"] {
                #expect(try await other.post(base + path, [("version", "1"), ("title", "pirate")]).status == .notFound, "POST \(path)")
            }
            #expect(try await ApplicationDocument.query(on: app.db).count() == 1)
            #expect(try await GrantApplication.query(on: app.db).first()?.title == "")
        }
    }

    @Test("AMIF-02: what the call and the action have committed counts every grant but the application's own")
    func committedLeavesOutTheApplication() async throws {
        try await withSubsidia(demo: true) { app, _ in
            let b = Browser(app)
            try await b.login("applicant@subsidia.example")
            var ids: [UUID] = []
            for _ in 0..<4 {
                ids.append(try applicationID(try await b.startApplication(call: "AMIF-DEMO-2026", organisation: "ASBL Démo Intégration (démo)")))
            }
            let sql = try #require(app.db as? any SQLDatabase)
            // Grants of 1,000 € and 2,000 € in action A, 4,000 € in action B; the fourth application has none.
            for (id, action, cents) in [(ids[0], "A", 100_000), (ids[1], "A", 200_000), (ids[2], "B", 400_000)] {
                try await sql.raw("UPDATE applications SET action_code = \(bind: action), granted_cents = \(bind: cents) WHERE id = \(bind: id)").run()
            }
            let callID = try #require(try await GrantApplication.find(ids[0], on: app.db)).$call.id
            for reads in [app.store, app.store.withoutFastPath] {
                var c = try await ApplicationBundle.committed(call: callID, action: "A", excluding: ids[0], on: reads)
                #expect(c.action == Money(cents: 200_000) && c.call == Money(cents: 600_000))
                c = try await ApplicationBundle.committed(call: callID, action: "A", excluding: ids[2], on: reads)
                #expect(c.action == Money(cents: 300_000) && c.call == Money(cents: 300_000))
                c = try await ApplicationBundle.committed(call: callID, action: "B", excluding: ids[3], on: reads)
                #expect(c.action == Money(cents: 400_000) && c.call == Money(cents: 700_000))
                c = try await ApplicationBundle.committed(call: callID, action: nil, excluding: ids[1], on: reads)
                #expect(c.action == .zero && c.call == Money(cents: 500_000))
            }
            // The AMIF call has a global budget, so its cap reads the sums; the communes call has neither budget nor
            // actions, and its cap does not.
            let amif = try await ApplicationBundle.load(try #require(try await GrantApplication.find(ids[3], on: app.db)), on: app.store)
            #expect(amif.capReadsCommitted)
            let communes = try applicationID(try await b.startApplication(call: "COM-DEMO-2027", organisation: "Commune de Démoville (démo)"))
            let bundle = try await ApplicationBundle.load(try #require(try await GrantApplication.find(communes, on: app.db)), on: app.store)
            #expect(!bundle.capReadsCommitted)
        }
    }

    @Test("AMIF-01: the demo AMIF call takes an application with objective, action and dates in the period; after the deadline it is refused")
    func amifDeadline() async throws {
        try await withSubsidia(demo: true) { app, clock in
            let b = Browser(app)
            try await b.login("applicant@subsidia.example")
            let base = try await b.startApplication(call: "AMIF-DEMO-2026", organisation: "ASBL Démo Intégration (démo)")
            let page = try await b.get(base + "/sections/project")
            #expect(page.text.contains("B.1 – ") && page.text.contains("Objectif spécifique et action"))
            let call = try #require(try await Call.query(on: app.db).filter(\.$reference == "AMIF-DEMO-2026").first())
            clock.set(call.closesAt!.addingTimeInterval(1))
            try await b.login("applicant@subsidia.example")
            try await b.get(base + "/check")
            #expect(b.lastBody.contains("AMIF-01") && b.lastBody.contains("La date limite est passée"))
        }
    }
}

enum SHA256Digest {
    static func hexOf(_ bytes: [UInt8]) -> String { SHA256.hash(data: Data(bytes)).hex }
}
