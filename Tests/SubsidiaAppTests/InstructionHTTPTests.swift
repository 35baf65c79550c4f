import Fluent
import Foundation
import SQLKit
import SubsidiaCore
import Testing
import VaporTesting
@testable import SubsidiaApp

@Suite("Instruction: queue, completeness, eligibility, evaluation, decisions")
struct InstructionHTTPTests {
    /// A submitted demo communes application (the signed form still missing) and its staff page path.
    func submitted(_ app: Application, applicant: Browser) async throws -> (base: String, staff: String, id: UUID) {
        try await applicant.login("applicant@subsidia.example")
        let base = try await applicant.startApplication(call: "COM-DEMO-2027", organisation: "Commune de Démoville (démo)")
        try await applicant.fillCommunes(base)
        try await applicant.get(base + "/review")
        #expect(try await applicant.post(base + "/submit", []).status == .seeOther)
        let id = try applicationID(base)
        return (base, "/staff/applications/\(id)", id)
    }

    func status(_ app: Application, _ id: UUID) async throws -> ApplicationStatus? {
        try await GrantApplication.find(id, on: app.db)?.applicationStatus
    }

    @Test("COM-15, COM-03, COM-09, COM-10, COM-17: an officer takes an application from completeness to decision; evaluators score or declare a conflict")
    func journey() async throws {
        try await withSubsidia(demo: true) { app, _ in
            let applicant = Browser(app)
            let (base, staff, id) = try await submitted(app, applicant: applicant)
            let officer = Browser(app)
            try await officer.login("officer@subsidia.example")
            // The queue finds it, also by a word typed without its accent.
            var page = try await officer.get("/staff/applications?q=amitie")
            #expect(page.status == .ok && page.text.contains("COM-DEMO-2027-0001"))
            #expect(!(try await officer.get("/staff/applications?q=introuvable")).text.contains("COM-DEMO-2027-0001"))
            #expect((try await officer.get("/staff/applications?status=approved")).text.contains("Aucune demande"))
            #expect((try await officer.get("/staff/applications?min=abc")).status == .unprocessableEntity)
            let csv = try await officer.get("/staff/applications.csv?q=amitie")
            #expect(csv.body.string.contains("COM-DEMO-2027-0001") && csv.body.string.components(separatedBy: "\r\n").count == 3)
            // Every column of the line, as the database holds the application (SQLite reads them by position).
            let row = try #require(try await GrantApplication.find(id, on: app.db))
            let itsCall = try #require(try await Call.find(row.$call.id, on: app.db))
            let line = [row.reference ?? "", itsCall.reference, row.title, row.legalName, row.legalForm, row.locality, row.actionCode ?? "",
                        "submitted", row.requestedCents.map { MoneyFormatter.plainDecimal(Money(cents: $0)) } ?? "",
                        row.submittedAt.map(DateText.iso8601) ?? "", ""].map(CSV.field).joined(separator: ",")
            #expect(csv.body.string.components(separatedBy: "\r\n")[1] == line)
            #expect(row.requestedCents != nil && row.submittedAt != nil && !row.legalName.isEmpty)

            // COM-15: the signed form is missing, so the file cannot be declared complete.
            page = try await officer.get(staff)
            #expect(page.text.contains("Formulaire dûment rempli et signé"))
            #expect(try await officer.post(staff + "/complete", []).status == .unprocessableEntity)
            #expect(try await status(app, id) == .submitted)
            #expect(try await officer.post(staff + "/request-items", [("items", "Le formulaire signé"), ("due_date", "2026-11-23")]).status
                    == .unprocessableEntity)
            try await officer.get(staff)
            #expect(try await officer.post(staff + "/request-items", [("items", "Le formulaire signé"), ("due_date", "2026-12-07")]).status == .seeOther)
            #expect(try await status(app, id) == .incomplete)
            #expect(try await mails(app, to: "applicant@subsidia.example").last?.body.contains("Le formulaire signé") == true)
            // A search filters on the status the application has now (SQLite keeps the search's copy in step, M009).
            #expect((try await officer.get("/staff/applications?q=amitie&status=incomplete")).text.contains("COM-DEMO-2027-0001"))
            #expect(!(try await officer.get("/staff/applications?q=amitie&status=submitted")).text.contains("COM-DEMO-2027-0001"))

            // The applicant sees the request, adds the document and sends the file back.
            page = try await applicant.get(base)
            #expect(page.text.contains("Le formulaire signé") && page.text.contains("7 décembre 2026"))
            try await applicant.get(base + "/documents")
            #expect(try await applicant.upload(base + "/documents", fields: [("item", "signed_form")], file: ("formulaire.pdf", pdfBytes)).status == .seeOther)
            try await applicant.get(base)
            #expect(try await applicant.post(base + "/items-provided", []).status == .seeOther)
            #expect(try await status(app, id) == .submitted)

            // COM-14, COM-15: complete now; COM-03: the checklist needs every answer and a justification.
            try await officer.get(staff)
            #expect(try await officer.post(staff + "/complete", []).status == .seeOther)
            #expect(try await status(app, id) == .inReview)
            try await officer.get(staff)
            let half = try await officer.post(staff + "/eligibility", [("check_integration_policy", "yes"), ("why_integration_policy", "Oui")])
            #expect(half.status == .unprocessableEntity && half.text.contains("Écrivez une justification"))
            #expect(try await status(app, id) == .inReview)
            let yes = ["integration_policy", "two_way", "revenue_article"].flatMap { [("check_" + $0, "yes"), ("why_" + $0, "Vu dans la demande.")] }
            #expect(try await officer.post(staff + "/eligibility", yes).status == .seeOther)
            #expect(try await status(app, id) == .inEvaluation)

            // Two evaluators; one declares a conflict of interest and loses access.
            let second = try await makeUser(app, "eval2@subsidia.example", role: .evaluator)
            let eva = try #require(try await User.query(on: app.db).filter(\.$email == "evaluator@subsidia.example").first())
            for u in [eva, second] {
                try await officer.get(staff)
                #expect(try await officer.post(staff + "/assign", [("evaluator", u.id!.uuidString)]).status == .seeOther)
            }
            // Blind review: the evaluators of this call never see who applied.
            let call = try #require(try await Call.query(on: app.db).filter(\.$reference == "COM-DEMO-2027").first())
            call.blindReview = true
            try await call.save(on: app.db)
            let e1 = Browser(app)
            try await e1.login("evaluator@subsidia.example")
            #expect(!(try await e1.get("/evaluations")).text.contains("Commune de Test"))
            let x1 = try #require(try await EvaluationAssignment.query(on: app.db).filter(\.$evaluator.$id == eva.id!).first())
            page = try await e1.get("/evaluations/\(x1.id!)")
            #expect(page.text.contains("conflit d'intérêts") && !page.text.contains("Une fête."))
            #expect(try await e1.post("/evaluations/\(x1.id!)/declare", [("declaration", "free")]).status == .seeOther)
            page = try await e1.get("/evaluations/\(x1.id!)")
            #expect(page.text.contains("Une fête.") && page.text.contains("Pertinence du projet"))
            #expect(!page.text.contains("Commune de Test") && !page.text.contains("Marie Test") && !page.text.contains("formulaire.pdf")
                    && page.text.contains("évaluation anonyme"))
            // The documents too, under blind review without their file names.
            let doc = try #require(try await ApplicationDocument.query(on: app.db).filter(\.$application.$id == id).first())
            #expect(page.text.contains("Pièces de la demande") && page.text.contains("pièce 1"))
            let file = try await e1.get("/evaluations/\(x1.id!)/documents/\(doc.id!)")
            #expect(file.status == .ok && file.headers.first(name: .contentDisposition)?.contains("filename=\"document.pdf\"") == true)
            // Evaluators read only their assignments: the applicant's pages and its organisation are not theirs.
            #expect(try await e1.get(base).status == .notFound)
            #expect(try await e1.get(base + "/form.pdf").status == .notFound)
            let orgID = try #require(try await GrantApplication.find(id, on: app.db)?.$organisation.id)
            #expect(try await e1.get("/organisations/\(orgID)").status == .notFound)
            let grid = ScoringGrid.communes
            var scores = grid.questionCodes.map { ($0, "3") }
            let bad = try await e1.post("/evaluations/\(x1.id!)/scores", [("relevance_needs", "9")] + scores.dropFirst())
            #expect(bad.status == .unprocessableEntity && bad.text.contains("de 0 à 4"))
            try await e1.get("/evaluations/\(x1.id!)")
            scores.append(("bonus", "pakt"))
            #expect(try await e1.post("/evaluations/\(x1.id!)/scores", scores + [("comment", "Solide."), ("hand_in", "yes")]).status == .seeOther)
            #expect(try await EvaluationAssignment.find(x1.id, on: app.db)?.totalHundredths == 8000)

            let e2 = Browser(app)
            try await e2.login("eval2@subsidia.example")
            let x2 = try #require(try await EvaluationAssignment.query(on: app.db).filter(\.$evaluator.$id == second.id!).first())
            try await e2.get("/evaluations/\(x2.id!)")
            #expect(try await e2.post("/evaluations/\(x2.id!)/declare", [("declaration", "conflict"), ("note", "Je siège au conseil communal.")]).status
                    == .seeOther)
            page = try await e2.get("/evaluations/\(x2.id!)")
            #expect(page.text.contains("n'avez plus accès") && !page.text.contains("Une fête."))
            #expect(try await e2.post("/evaluations/\(x2.id!)/scores", scores).status == .notFound)
            #expect(try await e2.get("/evaluations/\(x1.id!)").status == .notFound)
            #expect(try await e2.get("/evaluations/\(x2.id!)/documents/\(doc.id!)").status == .notFound)
            #expect(try await e2.get("/evaluations/\(x1.id!)/documents/\(doc.id!)").status == .notFound)
            #expect(try await mails(app, to: "officer@subsidia.example").last?.subject.contains("conflit") == true)

            // COM-10: the officer sees the score and closes with an assessment; internal comments stay internal.
            try await officer.get(staff)
            #expect(try await officer.post(staff + "/comments", [("comment", "Note interne : appeler la commune.")]).status == .seeOther)
            page = try await officer.get(staff)
            #expect(page.text.contains("80,00") && page.text.contains("Conflit d'intérêts déclaré"))
            #expect(try await officer.post(staff + "/assessment", [("assessment", "")]).status == .unprocessableEntity)
            try await officer.get(staff)
            #expect(try await officer.post(staff + "/assessment", [("assessment", "Projet pertinent et réaliste.")]).status == .seeOther)
            #expect(try await status(app, id) == .evaluated)

            // COM-07, COM-17: at most the proposal (1,500 € asked, 75 % of 2,030 € is 1,522.50 €).
            page = try await officer.get(staff)
            #expect(page.text.replacingOccurrences(of: "\u{202F}", with: " ").replacingOccurrences(of: "\u{00A0}", with: " ").contains("pouvant être accordé : 1 500 €"))
            #expect(try await officer.post(staff + "/approve", [("amount", "1600")]).status == .unprocessableEntity)
            #expect(try await status(app, id) == .evaluated)
            try await officer.get(staff)
            #expect(try await officer.post(staff + "/approve", [("amount", "1500")]).status == .seeOther)
            #expect(try await GrantApplication.find(id, on: app.db)?.grantedCents == 150_000)
            page = try await applicant.get(base)
            #expect(page.text.contains("Une subvention de 1") && !page.text.contains("Note interne") && !page.text.contains("80,00"))
            #expect(try await mails(app, to: "applicant@subsidia.example").last?.subject.contains("subvention accordée") == true)

            // COM-17, COM-18: the award letter waits on the dashboard until opened; it states the amount, the rate
            // and the obligations with the report's date (project ends 2 March 2027: due 13 April 2027).
            page = try await applicant.get("/applications")
            #expect(page.text.contains("Nouvelles décisions") && page.text.contains("lire la lettre"))
            let approval = try #require(try await DecisionRecord.query(on: app.db).filter(\.$application.$id == id).first())
            #expect(approval.letterLanguage == "fr")
            let letter = try await applicant.get(base + "/letters/\(approval.id!)")
            #expect(letter.status == .ok && letter.headers.contentType?.subType == "pdf")
            let text = try pdfToText(Array(letter.body.readableBytesView)).replacingOccurrences(of: "\u{00A0}", with: " ")
                .replacingOccurrences(of: "\u{202F}", with: " ")
            for expected in ["Objet : octroi d'une subvention", "COM-DEMO-2027-0001-D1", "1 500 €", "2 030 €", "73,89 %", "Vos obligations",
                             "13 avril 2027", "avec le soutien du Ministère", "(COM-18)", "loi modifiée du 16 décembre 2008"] {
                #expect(text.contains(expected), "\(expected)")
            }
            #expect(!(try await applicant.get("/applications")).text.contains("Nouvelles décisions"))
            #expect(try await DecisionRecord.find(approval.id, on: app.db)?.letterOpenedAt != nil)
            // Another organisation's applicant and the evaluator get nothing.
            #expect(try await e1.get(base + "/letters/\(approval.id!)").status == .notFound)

            // An approval is cancelled only with a reason, which frees the amount; a rejection gives reasons.
            try await officer.get(staff)
            #expect(try await officer.post(staff + "/cancel", [("reason", " ")]).status == .unprocessableEntity)
            let long = try await officer.post(staff + "/cancel", [("reason", String(repeating: "r", count: 4_001))])
            #expect(long.status == .unprocessableEntity && long.text.contains("4000"))
            #expect(try await status(app, id) == .approved)
            try await officer.get(staff)
            #expect(try await officer.post(staff + "/cancel", [("reason", "Projet reporté par la commune.")]).status == .seeOther)
            let cancelled = try await GrantApplication.find(id, on: app.db)
            #expect(cancelled?.applicationStatus == .evaluated && cancelled?.grantedCents == nil)
            // The letter follows the language of the person who submitted: German now.
            let submitter = try #require(try await User.query(on: app.db).filter(\.$email == "applicant@subsidia.example").first())
            submitter.language = "de"
            try await submitter.save(on: app.db)
            try await officer.get(staff)
            #expect(try await officer.post(staff + "/reject", [("reasons", "Le projet est reporté à 2028.")]).status == .seeOther)
            page = try await applicant.get(base)
            #expect(page.text.contains("Le projet est reporté à 2028."))
            let rejection = try #require(try await DecisionRecord.query(on: app.db).filter(\.$application.$id == id).filter(\.$kind == "rejected").first())
            #expect(rejection.letterLanguage == "de")
            let refusal = try pdfToText(Array((try await officer.get(base + "/letters/\(rejection.id!)")).body.readableBytesView))
            #expect(refusal.contains("Ablehnung") && refusal.contains("Le projet est reporté à 2028.") && refusal.contains("Rechtsbehelfe")
                    && refusal.contains("Verwaltungsgericht"))
            // Staff reading a letter does not mark it opened for the applicant.
            #expect(try await DecisionRecord.find(rejection.id, on: app.db)?.letterOpenedAt == nil)
            #expect(try await DecisionRecord.query(on: app.db).filter(\.$application.$id == id).count() == 3)
            try await officer.get(staff)
            #expect(try await officer.post(staff + "/approve", [("amount", "1")]).status == .unprocessableEntity)
        }
    }

    @Test("The search's migrations M009 and M010 revert to M006's index and apply again; the application is found each time")
    func searchMigrationsRevert() async throws {
        try await withSubsidia(demo: true) { app, _ in
            _ = try await submitted(app, applicant: Browser(app))
            let officer = Browser(app)
            try await officer.login("officer@subsidia.example")
            func found() async throws -> Bool {
                let newest = try await officer.get("/staff/applications?q=amitie")
                let largest = try await officer.get("/staff/applications?q=amitie&sort=requested")
                return newest.text.contains("COM-DEMO-2027-0001") && largest.text.contains("COM-DEMO-2027-0001")
            }
            #expect(try await found())
            try await M010_QueueOrder().revert(on: app.db)
            try await M009_SearchKeys().revert(on: app.db)
            if !DatabaseSetup.isPostgres(app.db) {
                // Back on M006's entries and index: the text was rebuilt from the application, and it is found.
                struct Count: Decodable { let n: Int }
                let sql = try #require(app.db as? any SQLDatabase)
                #expect(try await sql.raw("""
                    SELECT COUNT(*) AS n FROM application_search_docs \
                    WHERE id IN (SELECT rowid FROM application_search WHERE application_search MATCH '"amitie"*')
                    """).first(decoding: Count.self)?.n == 1)
            }
            try await M009_SearchKeys().prepare(on: app.db)
            try await M010_QueueOrder().prepare(on: app.db)
            #expect(try await found())
            #expect(!(try await officer.get("/staff/applications?q=introuvable")).text.contains("COM-DEMO-2027-0001"))
        }
    }

    @Test("Each instruction route refuses other roles: applicants and evaluators get 403, another organisation's applicant too")
    func roles() async throws {
        try await withSubsidia(demo: true) { app, _ in
            let applicant = Browser(app)
            let (_, staff, _) = try await submitted(app, applicant: applicant)
            let eva = Browser(app)
            try await eva.login("evaluator@subsidia.example")
            for b in [applicant, eva] {
                #expect(try await b.get("/staff/applications").status == .forbidden)
                #expect(try await b.get("/staff/applications.csv").status == .forbidden)
                #expect(try await b.get(staff).status == .forbidden)
                try await b.get("/account")
                for action in ["request-items", "complete", "eligibility", "assign", "assessment", "approve", "reject", "cancel", "comments"] {
                    #expect(try await b.post(staff + "/" + action, [("amount", "1"), ("reasons", "x")]).status == .forbidden, "\(action)")
                }
            }
            #expect(try await applicant.get("/evaluations").status == .forbidden)
            let anonymous = Browser(app)
            #expect(try await anonymous.get("/staff/applications").status == .seeOther)
        }
    }

    @Test("COM-09: an officer sets a call's scale, weights and priority points; bad numbers are refused; scoring locks the grid")
    func gridEditor() async throws {
        try await withSubsidia(demo: true) { app, _ in
            let call = try #require(try await Call.query(on: app.db).filter(\.$reference == "COM-DEMO-2027").first())
            let path = "/staff/calls/\(call.id!)/grid"
            let officer = Browser(app)
            try await officer.login("officer@subsidia.example")
            var page = try await officer.get(path)
            #expect(page.status == .ok && page.text.contains("Total maximal : 125 points") && page.text.contains("value=\"25\""))
            var form = [("scale_max", "5"), ("weight_relevance", "40"), ("weight_feasibility", "25"), ("weight_evaluation", "0"),
                        ("weight_cost_effectiveness", "x"), ("points_lasting", "5"), ("points_several_actors", "5"), ("points_transversal", "5"),
                        ("points_priority_theme", "5"), ("points_pakt", "10")]
            var bad = try await officer.post(path, form)
            #expect(bad.status == .unprocessableEntity && bad.text.contains("Saisissez un nombre entier") && bad.text.contains("value=\"x\""))
            form[3] = ("weight_evaluation", "0")
            form[4] = ("weight_cost_effectiveness", "10")
            try await officer.get(path)
            bad = try await officer.post(path, form)
            #expect(bad.status == .unprocessableEntity && bad.text.contains("Saisissez un poids d'au moins 1 point"))
            #expect(try await Call.find(call.id, on: app.db)?.scoringGridJSON == nil)
            form[3] = ("weight_evaluation", "25")
            try await officer.get(path)
            #expect(try await officer.post(path, form).status == .seeOther)
            let grid = try #require(try await Call.find(call.id, on: app.db)?.scoringGrid)
            #expect(grid.scaleMax == 5 && grid.criteria.map(\.weight) == [40, 25, 25, 10] && grid.bonuses.last?.points == 10)
            page = try await officer.get(path)
            #expect(page.text.contains("Total maximal : 130 points"))
            #expect(try await Browser(app).get(path).status == .seeOther)
            let evaluator = Browser(app)
            try await evaluator.login("evaluator@subsidia.example")
            #expect(try await evaluator.get(path).status == .forbidden)

            // Once a score exists for the call, the grid stays as it is.
            let applicant = Browser(app)
            let (_, _, id) = try await submitted(app, applicant: applicant)
            let eva = try #require(try await User.query(on: app.db).filter(\.$email == "evaluator@subsidia.example").first())
            let x = EvaluationAssignment()
            x.$application.id = id
            x.$evaluator.id = eva.id!
            x.assignedBy = eva.id!
            x.assignedAt = Date()
            x.declaration = "free"
            try await x.create(on: app.db)
            let score = EvaluationScore()
            score.$assignment.id = x.id!
            score.itemCode = "relevance_needs"
            score.score = 3
            try await score.create(on: app.db)
            page = try await officer.get(path)
            #expect(page.text.contains("la grille ne change plus") && !page.text.contains("name=\"scale_max\""))
            form[0] = ("scale_max", "10")
            #expect(try await officer.post(path, form).status == .ok)
            #expect(try await Call.find(call.id, on: app.db)?.scoringGrid.scaleMax == 5)
        }
    }

    @Test("AMIF-02, COM-09: the call dashboard, the ranking and the XLSX export show what the database holds")
    func dashboardRankingExport() async throws {
        try await withSubsidia(demo: true) { app, clock in
            // 60 applications of another organisation, submitted and spread over the statuses as the benchmarks do.
            let sql = try #require(app.db as? any SQLDatabase)
            let call = try #require(try await Call.query(on: app.db).filter(\.$reference == "COM-DEMO-2027").first())
            let owner = try await makeUser(app, "bench-owner@subsidia.example")
            let bench = BenchDataCommand()
            let orgs = try await bench.organisations(count: 1, owner: owner, mine: 0, on: app.db)
            try await bench.insert(Array(0..<60), orgs: orgs, call: call, user: owner, questions: StandardQuestions.questions(for: .communes),
                                   start: CalendarDate(year: 2027, month: 4, day: 1), on: sql)
            #expect(try await bench.instruct(call: call, except: [], now: clock.now(), on: app.db) == 60)
            let officer = Browser(app)
            try await officer.login("officer@subsidia.example")

            // Submitting again replaces the application's search entry: the new word finds it, the old one no longer.
            let first = try #require(try await GrantApplication.query(on: app.db).filter(\.$call.$id == call.id!)
                .filter(\.$status == "submitted").sort(\.$reference).first())
            try await app.store.write(.notAudited(because: "a test's setup")) { tx in try await SearchIndex.update(first.id!, title: "Pique-nique géant", applicant: first.legalName, reference: first.reference,
                                         description: "", on: tx) }
            #expect((try await officer.get("/staff/applications?q=pique-nique")).text.contains(first.reference!))
            #expect(!(try await officer.get("/staff/applications?q=\(first.title.split(separator: " ")[0])&status=submitted"))
                .text.contains(first.reference! + "<"))
            // A search wider than a page: its exact count, and the pages one after another give every match once, in order.
            var references: [String] = []
            var href: String? = "/staff/applications?call=\(call.id!)&q=essai&sort=oldest"
            while let h = href {
                let listed = try await officer.get(h)
                if references.isEmpty { #expect(listed.text.contains("60 demande(s)")) }
                references += listed.text.matches(of: try Regex("COM-DEMO-2027-B[0-9]{6}")).map { String(listed.text[$0.range]) }
                href = listed.text.range(of: "\" rel=\"next\"").flatMap { end in
                    listed.text[..<end.lowerBound].range(of: "href=\"", options: .backwards).map {
                        String(listed.text[$0.upperBound..<end.lowerBound]).replacingOccurrences(of: "&amp;", with: "&")
                    }
                }
            }
            #expect(references == (1...60).map { "COM-DEMO-2027-B" + String(format: "%06d", $0) })
            // The export reads in batches (of 7 in the tests): each line once, in the queue's order.
            let exported = try await officer.get("/staff/applications.csv?call=\(call.id!)&sort=oldest").body.string
            #expect(exported.matches(of: try Regex("COM-DEMO-2027-B[0-9]{6}")).map { String(exported[$0.range]) } == references)
            // The other sorts cross batches too: the database's order, each line once.
            struct Reference: Decodable { let reference: String }
            for (sort, key) in [("requested", "COALESCE(requested_cents, 0)"), ("score", "COALESCE(score_hundredths, -1)")] {
                let expected = try await sql.raw("""
                    SELECT reference FROM applications WHERE call_id = \(bind: call.id!) AND status <> 'draft' \
                    ORDER BY \(unsafeRaw: key) DESC, id DESC
                    """).all(decoding: Reference.self).map(\.reference)
                let sorted = try await officer.get("/staff/applications.csv?call=\(call.id!)&sort=\(sort)").body.string
                #expect(sorted.matches(of: try Regex("COM-DEMO-2027-B[0-9]{6}")).map { String(sorted[$0.range]) } == expected)
                #expect(Set(expected).count == 60)
            }
            struct Count: Decodable { let n: Int }
            let table = DatabaseSetup.isPostgres(app.db) ? "application_search" : "application_search_keys"
            #expect(try await sql.raw("SELECT COUNT(*) AS n FROM \(unsafeRaw: table)").first(decoding: Count.self)?.n == 60)

            // Dashboard: counts per status as in the database, granted against the budget, the chart and its table.
            var page = try await officer.get("/staff/calls/\(call.id!)/dashboard")
            #expect(page.status == .ok)
            let text = page.text.replacingOccurrences(of: "\u{202F}", with: " ").replacingOccurrences(of: "\u{00A0}", with: " ")
            let submitted = try await GrantApplication.query(on: app.db).filter(\.$call.$id == call.id!).filter(\.$status == "submitted").count()
            #expect(submitted == 36)
            #expect(text.contains("status=submitted\">Envoyée</a></th><td class=\"num\">36</td>"))
            let approved = try await GrantApplication.query(on: app.db).filter(\.$call.$id == call.id!).filter(\.$status == "approved").count()
            #expect(approved == 1)
            #expect(text.contains("<svg role=\"img\" aria-labelledby=\"chart-title chart-desc\"") && text.contains("<title id=\"chart-title\">"))
            #expect(text.contains("<td class=\"num\">1 500 €</td>"))   // granted so far
            #expect(try await Browser(app).get("/staff/calls/\(call.id!)/dashboard").status == .seeOther)

            // Ranking: the evaluated and approved files by score, the unscored one in evaluation last.
            page = try await officer.get("/staff/calls/\(call.id!)/ranking")
            #expect(page.status == .ok)
            let ranked = try await GrantApplication.query(on: app.db).filter(\.$call.$id == call.id!)
                .filter(\.$status ~~ ["in_evaluation", "evaluated", "approved"]).all()
            #expect(ranked.count == 3)
            // The page (ranked by the database) follows SubsidiaCore's Ranking on the same files, running totals included.
            let expected = Ranking.rank(ranked.map { a in
                Ranking.Entry(id: a.reference!, score: Points(hundredths: a.scoreHundredths ?? -1),
                              requested: Money(cents: (a.applicationStatus == .approved ? a.grantedCents : nil) ?? a.requestedCents ?? 0),
                              submittedAt: a.submittedAt ?? .distantFuture)
            }, envelope: call.globalBudgetCents.map(Money.init(cents:)))
            let positions = expected.map { page.text.range(of: $0.entry.id)?.lowerBound }
            #expect(positions.allSatisfy { $0 != nil } && positions.compactMap { $0 } == positions.compactMap { $0 }.sorted())
            let pageText = page.text.replacingOccurrences(of: "\u{202F}", with: " ").replacingOccurrences(of: "\u{00A0}", with: " ")
            for line in expected {
                let running = MoneyFormatter.format(line.runningTotal, language: .fr)
                    .replacingOccurrences(of: "\u{202F}", with: " ").replacingOccurrences(of: "\u{00A0}", with: " ")
                #expect(pageText.contains("<td class=\"num\">" + running + "</td>"), "\(running)")
            }
            #expect(page.text.contains("non noté"))
            page = try await officer.get("/staff/calls/\(call.id!)/ranking?status=approved")
            #expect(page.text.components(separatedBy: "<td class=\"num\">1</td>").count == 2 && !page.text.contains("non noté"))

            // The queue's filters are a GET form (their results have an address); the XLSX has the same rows as the page.
            page = try await officer.get("/staff/applications?call=\(call.id!)&status=submitted")
            #expect(page.text.contains("<form method=\"get\" action=\"/staff/applications\""))
            let xlsx = try await officer.get("/staff/applications.xlsx?call=\(call.id!)&status=submitted&q=amitie")
            #expect(xlsx.status == .ok && xlsx.headers.contentType?.subType == "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("subsidia-\(UUID().uuidString).xlsx")
            try Data(Array(xlsx.body.readableBytesView)).write(to: url)
            defer { try? FileManager.default.removeItem(at: url) }
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = ["python3", "-c", """
                import sys, openpyxl
                ws = openpyxl.load_workbook(sys.argv[1]).active
                rows = list(ws.iter_rows(values_only=True))
                print(len(rows) - 1); print(rows[0][0]); print(sorted({r[7] for r in rows[1:]})); print(all("amiti" in r[2] for r in rows[1:]))
                print(type(rows[1][8]).__name__, type(rows[1][9]).__name__)
                """, url.path]
            let pipe = Pipe()
            p.standardOutput = pipe
            try p.run()
            let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            let csv = try await officer.get("/staff/applications.csv?call=\(call.id!)&status=submitted&q=amitie")
            let csvRows = csv.body.string.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count - 1
            #expect(csvRows > 0)
            #expect(out == "\(csvRows)\nRéférence\n['Envoyée']\nTrue\nfloat datetime\n", "\(out)")
            #expect(try await Browser(app).get("/staff/applications.xlsx").status == .seeOther)
        }
    }

    @Test("AMIF-08: AMIF letters come from the intermediate body for the managing authority; a programme needs its managing authority")
    func amifAuthorities() async throws {
        try await withSubsidia(demo: true) { app, clock in
            let applicant = Browser(app)
            try await applicant.login("applicant@subsidia.example")
            let base = try await applicant.startApplication(call: "AMIF-DEMO-2026", organisation: "ASBL Démo Intégration (démo)")
            let id = try applicationID(base)
            let bundle = try await ApplicationBundle.load(try #require(try await GrantApplication.find(id, on: app.db)), on: app.store)
            func letter() throws -> String {
                let content = DecisionLetters.Content(kind: .approved, reference: "AMIF-DEMO-2026-0001-D1", bundle: bundle, amount: Money(euros: 10_000),
                                                      reasons: "", decidedAt: clock.now(), decidedBy: "Agent de test")
                return try pdfToText(DecisionLetters.pdf(content, language: .fr, catalogue: app.catalogue))
                    .split(whereSeparator: \.isWhitespace).joined(separator: " ")
            }
            // The demo AMIF programme, as seed 001 names them: the Department of Integration for objective 2, for the
            // General Secretariat of the Ministry of Foreign Affairs.
            let text = try letter()
            #expect(text.contains("Département de l'intégration (objectif spécifique 2)"))
            #expect(text.contains("pour l'autorité de gestion : Secrétariat général du ministère des Affaires étrangères et européennes"))
            // A programme without an intermediate body: the managing authority alone decides and signs.
            bundle.call.programme.intermediateBody = nil
            let alone = try letter()
            #expect(alone.contains("Secrétariat général du ministère des Affaires étrangères et européennes")
                    && !alone.contains("pour l'autorité de gestion") && !alone.contains("Département de l'intégration (objectif"))

            // A programme cannot be recorded without its managing authority: refused next to the field, nothing created.
            let officer = Browser(app)
            try await officer.login("officer@subsidia.example")
            let before = try await Programme.query(on: app.db).count()
            try await officer.get("/staff/programmes/new")
            let refused = try await officer.post("/staff/programmes", [
                ("code", "AMIF-BIS"), ("name_fr", "FAMI bis"), ("name_en", "AMIF bis"), ("name_de", "AMIF bis"), ("fund", "AMIF"),
                ("managing_authority", " "), ("intermediate_body", "Département de l'intégration"), ("contact_email", "info@integration.example"),
                ("visibility_mention", "Cofinancé par l'Union européenne")])
            #expect(refused.status == .unprocessableEntity && refused.text.contains("id=\"f-managing-authority-error\""))
            #expect(try await Programme.query(on: app.db).count() == before)
        }
    }

    @Test("AMIF-02, COM-07: approvals fired at once never take a call past its budget")
    func envelopeRace() async throws {
        try await withSubsidia(demo: true) { app, _ in
            guard let sql = app.db as? any SQLDatabase else { return }
            let call = try #require(try await Call.query(on: app.db).filter(\.$reference == "COM-DEMO-2027").first())
            let org = try #require(try await Organisation.query(on: app.db).filter(\.$legalName == "Commune de Démoville (démo)").first())
            let user = try #require(try await User.query(on: app.db).filter(\.$email == "applicant@subsidia.example").first())
            try await app.store.write(.notAudited(because: "a test's setup")) { tx in try await CallQuestion.ensure(for: call, on: tx) }
            // 20 applications asking 1,500 € each (75 % of 2,030 € eligible), in a call with 10,000 € left.
            try await app.db.transaction { db in
                try await BenchDataCommand().insert(Array(0..<20), orgs: [org], call: call, user: user,
                                                    questions: StandardQuestions.questions(for: .communes),
                                                    start: CalendarDate(year: 2027, month: 3, day: 1), on: db as! any SQLDatabase)
            }
            try await sql.update(GrantApplication.schema).set("status", to: SQLBind(ApplicationStatus.evaluated.rawValue))
                .set("submitted_at", to: SQLBind(Date())).run()
            try await sql.update(Call.schema).set("global_budget_cents", to: SQLBind(Int64(1_000_000))).where("id", .equal, SQLBind(call.id!)).run()
            try await app.store.write(.notAudited(because: "a test's setup")) { tx in try await CallCache.touch(call.id, on: tx) }
            let ids = try await GrantApplication.query(on: app.db).all().map { $0.id! }
            #expect(ids.count == 20)
            var officers: [(Browser, UUID)] = []
            for id in ids {
                let b = Browser(app)
                try await b.login("officer@subsidia.example")
                try await b.get("/staff/applications/\(id)")
                officers.append((b, id))
            }
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for (b, id) in officers {
                    group.addTask { try await b.post("/staff/applications/\(id)/approve", [("amount", "1500")]).status }
                }
                var out: [HTTPStatus] = []
                for try await s in group { out.append(s) }
                return out
            }
            struct Sum: Decodable { let total: Int64?; let n: Int64 }
            let sum = try await sql.raw("SELECT CAST(SUM(granted_cents) AS BIGINT) AS total, CAST(COUNT(granted_cents) AS BIGINT) AS n FROM applications").first(decoding: Sum.self)
            #expect(sum?.n == 6 && sum?.total == 900_000, "\(String(describing: sum))")
            #expect(statuses.filter { $0 == .seeOther }.count == 6)
            #expect(statuses.filter { $0 == .unprocessableEntity }.count == 14, Comment(rawValue: statuses.map { String($0.code) }.joined(separator: ",")))
        }
    }
}
