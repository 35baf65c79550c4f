import Fluent
import Foundation
import SubsidiaCore
import Testing
import VaporTesting
@testable import SubsidiaApp

@Suite("Calls, public pages, information sessions, demo data")
struct CallsTests {
    @Test("Demo: the seeded calls as seeds 000 and 003 describe them; loading twice changes nothing")
    func demo() async throws {
        try await withSubsidia(demo: true) { app, _ in
            try await DemoData.load(app)
            #expect(try await User.query(on: app.db).count() == 5)
            #expect(try await Organisation.query(on: app.db).count() == 2)
            #expect(try await RegisterProject.query(on: app.db).count() == 5)
            let amif = try #require(try await Call.query(on: app.db).filter(\.$reference == "AMIF-2024").first())
            #expect(DateText.iso8601(amif.opensAt) == "2024-05-09T00:00:00+02:00")
            #expect(DateText.iso8601(amif.closesAt!) == "2024-09-20T23:59:59+02:00")
            #expect(amif.costStart == "2025-02-01" && amif.costEnd == "2029-01-31")
            #expect(amif.globalBudgetCents == Money(euros: 3_000_000).cents)
            let actions = try await CallAction.query(on: app.db).filter(\.$call.$id == amif.id!).sort(\.$position).all()
            #expect(actions.map(\.code) == ["A.2", "A.3", "B.1", "B.3", "B.4"])
            #expect(actions.map(\.envelopeCents).reduce(0, +) == Money(euros: 3_000_000).cents)
            let sessions = try await InformationSession.query(on: app.db).filter(\.$call.$id == amif.id!).sort(\.$startsAt).all()
            #expect(sessions.map { DateText.iso8601($0.startsAt) } == ["2024-06-12T14:00:00+02:00", "2024-07-09T10:00:00+02:00"])
            let com = try #require(try await Call.query(on: app.db).filter(\.$reference == "COM-2023").first())
            #expect(com.callKind == .rolling && com.leadTimeDays == 21 && com.maxAmountCents == 10_000_000 && com.maxRateBP == 7_500)
            #expect(com.legalForms == [.commune, .syndicatDeCommunes, .etablissementPublicCommunal])
            let items = try await CallItem.query(on: app.db).filter(\.$call.$id == com.id!).all()
            #expect(items.filter { $0.kind == "cap" }.compactMap(\.amountCents).sorted() == [300_000, 500_000])
            #expect(items.filter { $0.kind == "theme" }.count == 3)
            #expect(items.filter { $0.kind == "document" && $0.required }.map(\.code).sorted() == ["rib", "signed_form"])
            // The demo copies are open today and marked.
            let demos = try await Call.query(on: app.db).filter(\.$isDemo == true).all()
            #expect(demos.count == 2)
            #expect(demos.allSatisfy { CallWindow.isOpen(opensAt: $0.opensAt, closesAt: $0.closesAt, at: app.clock.now()) && $0.titleFr.contains("DÉMO") })
        }
    }

    @Test("Public pages: home lists open demo calls; the call page shows actions, rules with IDs, sessions")
    func publicPages() async throws {
        try await withSubsidia(demo: true) { app, _ in
            let b = Browser(app)
            let home = try await b.get("/").text
            #expect(home.contains("AMIF-DEMO-2026") && home.contains("COM-DEMO-2027"))
            let amif = try await b.get("/calls/AMIF-2024").text
            for text in ["A.2", "600\u{202F}000\u{00A0}€", "3\u{202F}000\u{202F}000\u{00A0}€", "AMIF-01", "20 septembre 2024 à 23:59",
                         "AMIF-04", "12 juin 2024 à 14:00", "Clôturé"] {
                #expect(amif.contains(text), "AMIF page lacks \(text)")
            }
            b.acceptLanguage = "en"
            let com = try await b.get("/calls/COM-2023").text
            for text in ["COM-07", "€100,000", "75%", "COM-08", "€3,000", "€5,000", "COM-13", "21 days", "Bank identity statement"] {
                #expect(com.contains(text), "communes page lacks \(text)")
            }
            #expect(try await b.get("/calls/NOPE").status == .notFound)
        }
    }

    @Test("Timetable of calls (CPR art. 49(2)) as a page, CSV and JSON")
    func timetable() async throws {
        try await withSubsidia(demo: true) { app, _ in
            let b = Browser(app)
            #expect(try await b.get("/calls/timetable").text.contains("AMIF-2024"))
            let csv = try await b.get("/calls/timetable.csv")
            #expect(csv.headers.contentType?.subType == "csv")
            let lines = csv.body.string.components(separatedBy: "\r\n")
            #expect(lines[0] == "reference,title,programme,area,objective,eligible_applicants,total_amount_eur,start,end,url")
            #expect(lines.contains { $0.hasPrefix("AMIF-2024,") && $0.contains("3000000.00") && $0.contains("2024-09-20T23:59:59+02:00") })
            struct Row: Decodable { let reference: String; let total_amount_eur: String?; let end: String? }
            let json = try JSONDecoder().decode([Row].self, from: Data(try await b.get("/calls/timetable.json").body.string.utf8))
            #expect(json.first { $0.reference == "AMIF-2024" }?.total_amount_eur == "3000000.00")
            #expect(json.first { $0.reference == "COM-2023" }?.end == "2023-12-31T23:59:59+01:00")
        }
    }

    @Test("AMIF-05: register for a session; a second registration of the email and a full session are refused")
    func sessions() async throws {
        try await withSubsidia(demo: true) { app, _ in
            let call = try #require(try await Call.query(on: app.db).filter(\.$reference == "AMIF-DEMO-2026").first())
            let sessions = try await InformationSession.query(on: app.db).filter(\.$call.$id == call.id!).sort(\.$startsAt).all()
            let b = Browser(app)
            try await b.get("/calls/AMIF-DEMO-2026")
            let ok = try await b.post("/calls/AMIF-DEMO-2026/sessions", [("session", sessions[0].id!.uuidString), ("name", "Jo Weber"),
                                                                         ("email", "jo@asbl.lu"), ("organisation", "ASBL Test")])
            #expect(ok.status == .ok)
            #expect(ok.text.contains("Inscription confirmée"))
            #expect(try await mails(app, to: "jo@asbl.lu").first?.kind == "session_registration")
            try await b.get("/calls/AMIF-DEMO-2026")
            let twice = try await b.post("/calls/AMIF-DEMO-2026/sessions", [("session", sessions[1].id!.uuidString), ("name", "Jo Weber"),
                                                                            ("email", "JO@asbl.lu"), ("organisation", "ASBL Test")])
            #expect(twice.status == .unprocessableEntity)
            #expect(twice.text.contains("déjà inscrite à une séance de cet appel"))
            sessions[1].capacity = 1
            try await sessions[1].save(on: app.db)
            try await b.get("/calls/AMIF-DEMO-2026")
            #expect(try await b.post("/calls/AMIF-DEMO-2026/sessions", [("session", sessions[1].id!.uuidString), ("name", "Ana"),
                                                                       ("email", "ana@asbl.lu"), ("organisation", "X")]).status == .ok)
            try await b.get("/calls/AMIF-DEMO-2026")
            let full = try await b.post("/calls/AMIF-DEMO-2026/sessions", [("session", sessions[1].id!.uuidString), ("name", "Bo"),
                                                                           ("email", "bo@asbl.lu"), ("organisation", "X")])
            #expect(full.status == .unprocessableEntity)
            // The full session is no longer offered, so choosing it is refused as an invalid choice.
            #expect(full.text.contains("Choisissez une séance") || full.text.contains("complète"))
            #expect(try await SessionRegistration.query(on: app.db).count() == 2)
            try await b.get("/calls/AMIF-DEMO-2026")
            let empty = try await b.post("/calls/AMIF-DEMO-2026/sessions", [("name", ""), ("email", "bad")])
            #expect(empty.text.contains("href=\"#f-session\""))

            // Officers see and export the list.
            let officer = Browser(app)
            try await officer.login("officer@subsidia.example")
            let list = try await officer.get("/staff/calls/\(call.id!)/sessions/\(sessions[0].id!)")
            #expect(list.text.contains("jo@asbl.lu"))
            let csv = try await officer.get("/staff/calls/\(call.id!)/sessions/\(sessions[0].id!)/registrations.csv").body.string
            #expect(csv.contains("AMIF-DEMO-2026,") && csv.contains("Jo Weber,jo@asbl.lu,ASBL Test"))
            // Seats taken per session, counted by the database: 1 of 50, and 1 of 1.
            let manage = try await officer.get("/staff/calls/\(call.id!)").text
            #expect(manage.contains("1 / 50") && manage.contains("1 / 1"))
            #expect(try await Browser(app).get("/calls/AMIF-DEMO-2026").text.contains("49 places libres sur 50"))
        }
    }

    @Test("Officers create a call, validated; envelopes stay within the global budget (AMIF-02); publish and close")
    func officerCalls() async throws {
        try await withSubsidia(demo: true) { app, _ in
            let b = Browser(app)
            try await b.login("officer@subsidia.example")
            let programme = try #require(try await Programme.query(on: app.db).filter(\.$code == "AMIF-2021-2027").first())
            try await b.get("/staff/calls/new")
            var form: [(String, String)] = [("programme", programme.id!.uuidString), ("reference", "AMIF-2027"), ("rule_set", "amif"),
                                            ("title_fr", "Appel 2027"), ("title_en", "Call 2027"), ("title_de", "Aufruf 2027"),
                                            ("kind", "fixed"), ("opens_at", "2027-05-01T00:00"), ("closes_at", "2027-03-01T23:59"),
                                            ("lead_time_days", "0"), ("legal_forms", "asbl"), ("legal_forms", "sis"), ("seat_country", "LU"),
                                            ("max_rate", "75"), ("global_budget", "1 000 000")]
            let bad = try await b.post("/staff/calls", form)
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.text.contains("La clôture doit être postérieure à l'ouverture"))
            #expect(bad.text.contains("value=\"AMIF-2027\""))
            form.removeAll { $0.0 == "closes_at" }
            form.append(("closes_at", "2027-09-20T23:59"))
            form.append(("blind_review", "1"))
            let created = try await b.post("/staff/calls", form)
            #expect(created.status == .seeOther)
            let call = try #require(try await Call.query(on: app.db).filter(\.$reference == "AMIF-2027").first())
            #expect(call.callStatus == .draft && call.legalForms == [.asbl, .societeImpactSocietal] && call.blindReview)
            #expect((try await b.get("/staff/calls/\(call.id!)/edit")).text.contains("name=\"blind_review\" value=\"1\" checked"))
            #expect(try await Browser(app).get("/calls/AMIF-2027").status == .notFound)

            let base = "/staff/calls/\(call.id!)"
            try await b.get(base)
            #expect(try await b.post(base + "/publish", []).location == base)
            #expect(try await Call.find(call.id, on: app.db)?.callStatus == .draft) // no action yet
            try await b.get(base)
            #expect(try await b.post(base + "/actions", [("code", "B.1"), ("title_fr", "Intégration"), ("title_en", "Integration"),
                                                         ("title_de", "Integration"), ("envelope", "600000"), ("rate", "75")]).status == .seeOther)
            try await b.get(base)
            let over = try await b.post(base + "/actions", [("code", "B.2"), ("title_fr", "Autre"), ("title_en", "Other"),
                                                            ("title_de", "Andere"), ("envelope", "400000,01"), ("rate", "90")])
            #expect(over.status == .unprocessableEntity)
            #expect(over.text.contains("dépasserait le budget global"))
            let rate = try await b.post(base + "/actions", [("code", "B.2"), ("title_fr", "Autre"), ("title_en", "Other"),
                                                            ("title_de", "Andere"), ("envelope", "1000"), ("rate", "101")])
            #expect(rate.text.contains("Saisissez un pourcentage entre 0 et 100"))
            #expect(try await CallAction.query(on: app.db).filter(\.$call.$id == call.id!).count() == 1)
            try await b.get(base)
            try await b.post(base + "/sessions", [("starts_at", "2027-06-12T14:00"), ("duration", "120"), ("place", "Luxembourg"), ("capacity", "30")])
            try await b.get(base)
            try await b.post(base + "/items", [("kind", "document"), ("code", "form"), ("label_fr", "Fiche"), ("label_en", "Form"),
                                               ("label_de", "Formular"), ("required", "yes")])
            try await b.get(base)
            try await b.post(base + "/items", [("kind", "cap"), ("code", "fest"), ("label_fr", "Fête"), ("label_en", "Fest"), ("label_de", "Fest")])
            #expect(b.lastBody.replacingOccurrences(of: "&#39;", with: "'").contains("Saisissez le montant du plafond"))
            try await b.get(base)
            #expect(try await b.post(base + "/publish", []).status == .seeOther)
            #expect(try await Call.find(call.id, on: app.db)?.callStatus == .published)
            let page = try await Browser(app).get("/calls/AMIF-2027").text
            #expect(page.contains("B.1") && page.contains("Fiche") && page.contains("12 juin 2027 à 14:00"))
            try await b.get(base + "/edit")
            var edit = form.filter { $0.0 != "global_budget" }
            edit += [("global_budget", "500000"), ("version", "2")]
            let shrink = try await b.post(base + "/edit", edit)
            #expect(shrink.text.contains("ne peut pas être inférieur au total des enveloppes"))
            try await b.get(base)
            try await b.post(base + "/close", [])
            #expect(try await Call.find(call.id, on: app.db)?.callStatus == .closed)
            let audit = try await AuditEvent.query(on: app.db).filter(\.$entityID == call.id!.uuidString).all().map(\.action)
            #expect(Set(audit).isSuperset(of: ["call.created", "call.action_added", "call.published", "call.closed"]))
        }
    }

    @Test("COM-26: officers set a call's mileage rate and budgets value kilometres at it; a rate that is not an amount per km is refused")
    func mileageRate() async throws {
        try await withSubsidia(demo: true) { app, _ in
            let call = try #require(try await Call.query(on: app.db).filter(\.$reference == "COM-DEMO-2027").first())
            #expect(call.kmRateCents == 30)
            let officer = Browser(app)
            try await officer.login("officer@subsidia.example")
            let edit = "/staff/calls/\(call.id!)/edit"
            #expect(try await officer.get(edit).text.contains("name=\"km_rate\"") && officer.lastBody.contains("value=\"0,30\""))
            let form = CallForm.values(of: call, language: .fr).fields.filter { $0.key != "km_rate" }
                .flatMap { key, values in values.map { (key, $0) } }
            // 30 (a slip for 0,30) and a negative or non-numeric rate are refused next to the field; nothing changes.
            for wrong in ["30", "-0,30", "trente"] {
                let refused = try await officer.post(edit, form + [("km_rate", wrong)])
                #expect(refused.status == .unprocessableEntity && refused.text.contains("id=\"f-km-rate-error\""), "\(wrong)")
                #expect(refused.text.contains("value=\"" + wrong + "\""))
            }
            #expect(try await Call.find(call.id, on: app.db)?.kmRateCents == 30)
            #expect(try await officer.post(edit, form + [("km_rate", "0,35")]).status == .seeOther)
            #expect(try await Call.find(call.id, on: app.db)?.kmRateCents == 35)

            // The applicant's 100 km are now worth 35 €: 2,000 € of experts + 35 € = 2,035 €.
            let applicant = Browser(app)
            try await applicant.login("applicant@subsidia.example")
            let base = try await applicant.startApplication(call: "COM-DEMO-2027", organisation: "Commune de Démoville (démo)")
            try await applicant.fillCommunes(base)
            let budget = try await applicant.get(base + "/budget").text
                .replacingOccurrences(of: "\u{202F}", with: " ").replacingOccurrences(of: "\u{00A0}", with: " ")
            #expect(budget.contains("2 035 €") && budget.contains("35 €"))
        }
    }

    @Test("Programmes: officers create them with checked fields")
    func programmes() async throws {
        try await withSubsidia { app, _ in
            try await makeUser(app, "officer@integration.lu", role: .officer)
            let b = Browser(app)
            try await b.login("officer@integration.lu")
            try await b.get("/staff/programmes/new")
            let bad = try await b.post("/staff/programmes", [("code", "X Y"), ("contact_email", "nope")])
            #expect(bad.status == .unprocessableEntity)
            try await b.post("/staff/programmes", [("code", "PAFMI"), ("name_fr", "PAFMI"), ("name_en", "PAFMI"), ("name_de", "PAFMI"),
                                                   ("fund", "AMIF"), ("managing_authority", "CEB"), ("contact_email", "info@ceb.example"),
                                                   ("visibility_mention", "Un programme financé par l'Union européenne")])
            let p = try #require(try await Programme.query(on: app.db).first())
            #expect(p.visibilityMention == "Un programme financé par l'Union européenne")
            #expect(try await b.get("/staff/programmes/\(p.id!)/edit").status == .ok)
            #expect(try await b.get("/staff/programmes").text.contains("PAFMI"))
        }
    }
}
