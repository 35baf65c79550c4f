import Fluent
import Foundation
import SQLKit
import SubsidiaCore
import Testing
import VaporTesting
@testable import SubsidiaApp

/// Issue 18: two people acting on one application at once always end in one of the legal outcomes, on SQLite and
/// on PostgreSQL (4 connections per loop), many times over.
@Suite("Races on one application")
struct RaceTests {
    /// `count` demo communes applications of the demo organisation, moved to `status` by SQL.
    func applications(_ app: Application, count: Int, status: ApplicationStatus) async throws -> [UUID] {
        let sql = try #require(app.db as? any SQLDatabase)
        let call = try #require(try await Call.query(on: app.db).filter(\.$reference == "COM-DEMO-2027").first())
        let org = try #require(try await Organisation.query(on: app.db).filter(\.$legalName == "Commune de Démoville (démo)").first())
        let user = try #require(try await User.query(on: app.db).filter(\.$email == "applicant@subsidia.example").first())
        try await app.store.write(.notAudited(because: "a test's setup")) { tx in try await CallQuestion.ensure(for: call, on: tx) }
        try await app.db.transaction { db in
            try await BenchDataCommand().insert(Array(0..<count), orgs: [org], call: call, user: user,
                                                questions: StandardQuestions.questions(for: .communes),
                                                start: CalendarDate(year: 2027, month: 3, day: 1), on: db as! any SQLDatabase)
        }
        try await sql.update(GrantApplication.schema).set("status", to: SQLBind(status.rawValue))
            .set("submitted_at", to: SQLBind(Date())).set("submission_count", to: SQLBind(1)).run()
        return try await GrantApplication.query(on: app.db).all().map { try $0.requireID() }
    }

    func browsers(_ app: Application, _ email: String, count: Int, page: (Int) -> String) async throws -> [Browser] {
        var out: [Browser] = []
        for i in 0..<count {
            let b = Browser(app)
            try await b.login(email)
            try await b.get(page(i))
            out.append(b)
        }
        return out
    }

    /// Fires `a` and `b` at once for every index, and waits for both.
    func together(_ n: Int, _ a: @escaping @Sendable (Int) async throws -> HTTPStatus,
                  _ b: @escaping @Sendable (Int) async throws -> HTTPStatus) async throws -> [HTTPStatus] {
        try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
            for i in 0..<n {
                group.addTask { try await a(i) }
                group.addTask { try await b(i) }
            }
            var out: [HTTPStatus] = []
            for try await s in group { out.append(s) }
            return out
        }
    }

    @Test("Withdraw against approve: withdrawn with no grant and no approval, or approved with both; never a mix")
    func withdrawVersusApprove() async throws {
        try await withSubsidia(demo: true, connections: 4) { app, _ in
            let n = 12
            let ids = try await applications(app, count: n, status: .evaluated)
            let applicants = try await browsers(app, "applicant@subsidia.example", count: n) { "/applications/\(ids[$0])" }
            let officers = try await browsers(app, "officer@subsidia.example", count: n) { "/staff/applications/\(ids[$0])" }
            let statuses = try await together(n, { i in try await applicants[i].post("/applications/\(ids[i])/withdraw", []).status },
                                              { i in try await officers[i].post("/staff/applications/\(ids[i])/approve", [("amount", "100")]).status })
            #expect(statuses.allSatisfy { [.seeOther, .conflict, .unprocessableEntity].contains($0) }, "\(statuses)")
            var outcomes: Set<ApplicationStatus> = []
            for id in ids {
                let a = try #require(try await GrantApplication.find(id, on: app.db))
                let approvals = try await DecisionRecord.query(on: app.db).filter(\.$application.$id == id).filter(\.$kind == "approved").count()
                outcomes.insert(a.applicationStatus)
                switch a.applicationStatus {
                case .withdrawn: #expect(a.grantedCents == nil && approvals == 0)
                case .approved: #expect(a.grantedCents == 10_000 && approvals == 1 && a.withdrawnAt == nil)
                default: Issue.record("unexpected status \(a.status)")
                }
            }
        }
    }

    @Test("Reopen against reject: a draft with no decision, or rejected with its letter; never both")
    func reopenVersusReject() async throws {
        try await withSubsidia(demo: true, connections: 4) { app, clock in
            let sql = try #require(app.db as? any SQLDatabase)
            let n = 12
            let ids = try await applications(app, count: n, status: .submitted)
            // A fixed-deadline call, still open: its submitted applications may be reopened.
            try await sql.raw("UPDATE calls SET kind = 'fixed', closes_at = \(bind: clock.now().addingTimeInterval(30 * 86_400)) WHERE reference = 'COM-DEMO-2027'").run()
            let call = try #require(try await Call.query(on: app.db).filter(\.$reference == "COM-DEMO-2027").first())
            try await app.store.write(.notAudited(because: "a test's setup")) { tx in try await CallCache.touch(call.id, on: tx) }
            let applicants = try await browsers(app, "applicant@subsidia.example", count: n) { "/applications/\(ids[$0])" }
            let officers = try await browsers(app, "officer@subsidia.example", count: n) { "/staff/applications/\(ids[$0])" }
            _ = try await together(n, { i in try await applicants[i].post("/applications/\(ids[i])/reopen", []).status },
                                   { i in try await officers[i].post("/staff/applications/\(ids[i])/reject", [("reasons", "Hors critères")]).status })
            for id in ids {
                let a = try #require(try await GrantApplication.find(id, on: app.db))
                let decisions = try await DecisionRecord.query(on: app.db).filter(\.$application.$id == id).count()
                switch a.applicationStatus {
                case .draft: #expect(decisions == 0 && a.decisionReasons == nil)
                case .rejected: #expect(decisions == 1 && a.decisionReasons == "Hors critères")
                default: Issue.record("unexpected status \(a.status)")
                }
            }
        }
    }

    /// What the receipt certifies, against what is stored now.
    func snapshotMatches(_ app: Application, _ id: UUID) async throws -> Bool {
        let a = try #require(try await GrantApplication.find(id, on: app.db))
        guard let kept = try await ApplicationSubmission.query(on: app.db).filter(\.$application.$id == id).sort(\.$number, .descending).first()
        else { return true }
        let snapshot = try JSONDecoder().decode(Submission.Snapshot.self, from: Data(kept.snapshot.utf8))
        let bundle = try await ApplicationBundle.load(a, on: app.store.withoutFastPath)
        let answers = bundle.questions.compactMap { q in bundle.answers[q.code].map { q.code + "=" + Submission.plain($0) } }
        return snapshot.answers.map { $0.code + "=" + $0.value } == answers && snapshot.title == a.title
            && snapshot.expenses.map(\.amountCents) == bundle.expenses.map(\.amountCents)
    }

    @Test("Autosave and budget lines against submit: the submitted snapshot always equals the stored answers and lines")
    func writesVersusSubmit() async throws {
        try await withSubsidia(demo: true, connections: 4) { app, _ in
            for round in 0..<4 {
                let applicant = Browser(app)
                try await applicant.login("applicant@subsidia.example")
                let base = try await applicant.startApplication(call: "COM-DEMO-2027", organisation: "Commune de Démoville (démo)")
                try await applicant.fillCommunes(base)
                let id = try applicationID(base)
                try await applicant.get(base + "/review")
                let saver = Browser(app)
                try await saver.login("applicant@subsidia.example")
                let v = try await saver.version(base + "/sections/feasibility")
                let budget = try await saver.version(base + "/budget")
                let liner = Browser(app)
                try await liner.login("applicant@subsidia.example")
                try await liner.get(base + "/budget")
                let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                    group.addTask { try await applicant.post(base + "/submit", []).status }
                    group.addTask { try await saver.post(base + "/sections/feasibility/autosave", [("steps", "Changé \(round)"), ("version", v)]).status }
                    group.addTask {
                        try await liner.post(base + "/budget/lines", [("category", "5"), ("detail", "Boissons"), ("justification", "Usage exclusif"),
                                                                      ("quantity", "2"), ("unit_cost", "10"), ("version", budget)]).status
                    }
                    var out: [HTTPStatus] = []
                    for try await s in group { out.append(s) }
                    return out
                }
                #expect(!statuses.contains(.internalServerError), "\(statuses)")
                #expect(try await snapshotMatches(app, id), "round \(round): \(statuses)")
                let kept = try await ApplicationSubmission.query(on: app.db).filter(\.$application.$id == id).count()
                let status = try await GrantApplication.find(id, on: app.db)?.applicationStatus
                #expect(status == .submitted && kept == 1 || status == .draft && kept == 0, "\(String(describing: status)) \(kept)")
            }
        }
    }

    @Test("After submission every content write is refused by the database itself (M013), whatever path it takes")
    func databaseGuard() async throws {
        try await withSubsidia(demo: true) { app, _ in
            let ids = try await applications(app, count: 1, status: .submitted)
            let sql = try #require(app.db as? any SQLDatabase)
            let id = ids[0]
            for write in [
                "UPDATE application_answers SET text_value = 'x' WHERE application_id = \(bind: id)",
                "DELETE FROM expense_lines WHERE application_id = \(bind: id)",
                "UPDATE application_sections SET version = version + 1 WHERE application_id = \(bind: id)",
                "UPDATE applications SET title = 'changé' WHERE id = \(bind: id)",
            ] as [SQLQueryString] {
                await #expect(throws: (any Error).self) { try await sql.raw(write).run() }
            }
            // The passing case: the same writes on a draft go through, and count a new content version.
            try await sql.raw("UPDATE applications SET status = 'draft' WHERE id = \(bind: id)").run()
            let before = try #require(try await GrantApplication.find(id, on: app.db)?.contentVersion)
            try await sql.raw("UPDATE applications SET title = 'changé' WHERE id = \(bind: id)").run()
            try await sql.raw("DELETE FROM expense_lines WHERE application_id = \(bind: id)").run()
            let after = try #require(try await GrantApplication.find(id, on: app.db)?.contentVersion)
            #expect(after > before + 1)
        }
    }
}
