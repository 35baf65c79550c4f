import Fluent
import Foundation
import SQLKit
import SubsidiaCore
import Vapor

/// `subsidia bench-data --applications 100000`: fills the database for the benchmarks in `bench/`.
///
/// Applications to the demo communes call, each complete and ready to submit (every required answer, two expense
/// lines, own resources, the declaration), spread over organisations of 100. The benchmark user
/// `bench@subsidia.example` (demo password) is a signatory of the first `--mine` organisations; the others belong
/// to nobody who logs in. Running it again adds only what is missing and puts the benchmark user's applications
/// back to draft at version 1, so each benchmark run starts from the same state. It writes the ids of the benchmark
/// user's applications to `bench/data/applications.txt` for the wrk scripts.
struct BenchDataCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "applications", help: "How many applications in all (default 100000)") var applications: Int?
        @Option(name: "mine", help: "Organisations of 100 applications that the benchmark user belongs to (default 100)") var mine: Int?
        @Option(name: "out", help: "Where to write the benchmark user's application ids (default bench/data/applications.txt)") var out: String?
        init() {}
    }

    var help: String { "Generates applications for the benchmarks (bench/README.md)." }

    struct Failure: Error, CustomStringConvertible { let description: String }

    static let email = "bench@subsidia.example"
    static let perOrganisation = 100
    static let namePrefix = "Commune de Banc-d'essai "

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let total = signature.applications ?? 100_000
        let mineOrgs = signature.mine ?? 100
        guard total > 0, total <= 2_000_000, mineOrgs >= 1 else { throw Failure(description: "--applications must be 1…2000000, --mine at least 1") }
        try await DatabaseSetup.prepareSQLite(app)
        try await app.autoMigrate()
        if try await User.query(on: app.db).count() == 0 { try await DemoData.load(app) }
        guard let sql = app.db as? any SQLDatabase,
              let call = try await Call.query(on: app.db).filter(\.$ruleSet == RuleSet.communes.rawValue)
                .filter(\.$isDemo == true).filter(\.$status == CallStatus.published.rawValue).first()
        else { throw Failure(description: "the demo communes call is missing: run `subsidia demo` first") }
        try await app.store.write(.notAudited(because: "benchmark data")) { tx in try await CallQuestion.ensure(for: call, on: tx) }
        let user = try await benchUser(app)
        let started = Date()

        let orgCount = (total + Self.perOrganisation - 1) / Self.perOrganisation
        let orgs = try await organisations(count: orgCount, owner: user, mine: mineOrgs, on: app.db)
        let existing = try await GrantApplication.query(on: app.db).filter(\.$organisation.$id ~~ orgs.map { try $0.storedID }).count()
        let questions = StandardQuestions.questions(for: .communes)
        let start = LuxembourgTime.calendarDate(of: app.clock.now()).adding(days: 120)
        var made = 0
        // One transaction per 500 applications; about 27 rows each.
        var index = existing
        while index < orgCount * Self.perOrganisation && index < total {
            let batch = Array(index..<min(index + 500, total))
            try await app.db.transaction { db in
                guard let sql = db as? any SQLDatabase else { return }
                try await insert(batch, orgs: orgs, call: call, user: user, questions: questions, start: start, on: sql)
            }
            made += batch.count
            index += batch.count
            if made % 10_000 == 0 { context.console.print("  \(existing + made) applications…") }
        }
        let mine = try orgs.prefix(mineOrgs).map { try $0.storedID }
        try await reset(mine: mine, user: user, on: sql)
        let instructed = try await instruct(call: call, except: mine, now: app.clock.now(), on: app.db)
        try await DatabaseSetup.refreshStatistics(app.db, full: true)
        // On PostgreSQL, the reset and the last run's submissions leave dead rows behind (18,000 in the search table
        // after one run) that autovacuum cleared in the middle of the next run's measurements: the queue's p95 went
        // from 30 to 48 ms between two runs. Each run now starts vacuumed and with fresh statistics.
        if DatabaseSetup.isPostgres(app.db) { try await sql.raw("VACUUM ANALYZE").run() }
        if instructed > 0 { context.console.print("  \(instructed) applications of other organisations submitted and spread over the instruction's statuses") }
        let ids = try await GrantApplication.query(on: app.db).filter(\.$organisation.$id ~~ mine).field(\.$id).sort(\.$id).all().map { try $0.storedID.uuidString }
        let outPath = signature.out ?? "bench/data/applications.txt"
        try FileManager.default.createDirectory(atPath: (outPath as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try (ids.joined(separator: "\n") + "\n").write(toFile: outPath, atomically: true, encoding: .utf8)
        let count = try await GrantApplication.query(on: app.db).count()
        context.console.print("""
            \(made) applications added in \(String(format: "%.1f", Date().timeIntervalSince(started))) s; \(count) in the database.
            Benchmark user \(Self.email) (password \(DemoData.password)) with \(ids.count) draft applications, listed in \(outPath).
            """)
    }

    func benchUser(_ app: Application) async throws -> User {
        if let u = try await User.query(on: app.db).filter(\.$email == Self.email).first() { return u }
        let u = User(email: Self.email, name: "Benoît Banc-d'essai", passwordHash: try await app.password.async.hash(DemoData.password),
                     role: .applicant, confirmedAt: app.clock.now())
        try await u.create(on: app.db)
        return u
    }

    func organisations(count: Int, owner: User, mine: Int, on db: any Database) async throws -> [Organisation] {
        var orgs = try await Organisation.query(on: db).filter(\.$legalName =~ Self.namePrefix).sort(\.$legalName).all()
        orgs = orgs.filter { $0.legalName.hasPrefix(Self.namePrefix) }
        if orgs.count < count {
            let have = Set(orgs.map(\.legalName))
            try await db.transaction { db in
                for i in 1...count {
                    let name = Self.namePrefix + String(format: "%05d", i)
                    if have.contains(name) { continue }
                    let o = Organisation()
                    o.version = 1
                    o.legalName = name
                    o.legalForm = LegalForm.commune.rawValue
                    o.street = "\(i), rue de l'Essai"
                    o.postcode = "L-\(1000 + i % 8000)"
                    o.locality = "Banc-d'essai"
                    o.country = "LU"
                    o.bankHolder = name
                    o.iban = "LU280019400644750000"
                    o.bic = "BCEELULL"
                    o.contact1Name = "Benoît Banc-d'essai"
                    o.contact1Function = "Secrétaire communal"
                    o.contact1Phone = "+352 000 000"
                    o.contact1Email = "contact\(i)@banc-essai.example"
                    o.paktSigned = i % 2 == 0
                    try await o.create(on: db)
                    if i <= mine {
                        try await Membership(organisationID: o.storedID, userID: owner.storedID, role: MembershipRole.owner.rawValue, isSignatory: true).create(on: db)
                    }
                }
            }
            orgs = try await Organisation.query(on: db).filter(\.$legalName =~ Self.namePrefix).sort(\.$legalName).all()
        }
        return Array(orgs.prefix(count))
    }

    /// Rows of `batch` applications, each complete: answers to every required question, budget, financing, declaration.
    func insert(_ batch: [Int], orgs: [Organisation], call: Call, user: User, questions: [Question], start: CalendarDate,
                on sql: any SQLDatabase) async throws {
        let now = Date()
        let appColumns = ["id", "created_at", "updated_at", "call_id", "organisation_id", "created_by", "status", "title", "project_start",
                          "project_end", "festival_code", "requested_cents", "submission_count", "legal_name", "legal_form", "street", "postcode",
                          "locality", "country", "bank_holder", "iban", "bic", "contact1_name", "contact1_function", "contact1_phone",
                          "contact1_email", "revenue_article", "applicant_confirmed", "declaration_name", "declaration_function",
                          "declaration_place", "declaration_date", "declared_by", "declared_at"]
        var apps: [[any Encodable & Sendable]] = []
        var sections: [[any Encodable & Sendable]] = []
        var answers: [[any Encodable & Sendable]] = []
        var expenses: [[any Encodable & Sendable]] = []
        var revenues: [[any Encodable & Sendable]] = []
        for i in batch {
            let o = orgs[i / Self.perOrganisation]
            let id = UUID()
            let first = start.adding(days: i % 90)
            let title = "Projet d'intégration n° \(i + 1)"
            apps.append([id, now, now, try call.storedID, try o.storedID, try user.storedID, ApplicationStatus.draft.rawValue, title, first.iso, first.adding(days: 1).iso,
                         String?.none, Int64(150_000), 0, o.legalName, o.legalForm, o.street, o.postcode, o.locality, o.country,
                         o.bankHolder, o.iban, o.bic, o.contact1Name, o.contact1Function, o.contact1Phone, o.contact1Email, true, true,
                         "Benoît Banc-d'essai", "Bourgmestre", o.locality, LuxembourgTime.calendarDate(of: now).iso, try user.storedID, now])
            for s in ApplicationSection.allCases {
                let marked = s == .budget || s == .financing || s == .previousSubsidies
                sections.append([UUID(), id, s.rawValue, 1, marked])
            }
            for q in questions {
                let value: AnswerValue? = switch q.type {
                case .text: .text(q.code == "title" ? title : "Réponse \(q.code)")
                case .textarea: q.required || q.code == "partners" ? .text("Réponse à « \(q.code) » pour le projet \(i + 1).\nDeuxième ligne.") : nil
                case .integer: q.required ? .integer(q.minValue ?? 120) : nil
                case .date: .date(q.code == "end_date" ? first.adding(days: 1) : first)
                case .yesNo: .bool(q.code == "in_luxembourg" || q.code == "new_project")
                case .capCategory: .codes([])
                case .themes, .action: nil
                }
                guard let value else { continue }
                let a = ApplicationAnswer()
                a.set(value)
                answers.append([UUID(), id, q.code, a.textValue, a.intValue, a.dateValue, a.boolValue])
            }
            expenses.append([UUID(), id, 1, 6, "Interprètes", "Aucun interprète à la commune", 4, Int64(50_000), "", 1, 10_000, false, false, Int64(200_000)])
            expenses.append([UUID(), id, 2, 2, "Trajets", "", 100, Int64(0), "", 1, 10_000, false, true, Int64(3_000)])
            revenues.append([UUID(), id, 1, RevenueKind.ownResources.rawValue, "", "", Int64(53_000), false])
        }
        try await rows(sql, "applications", appColumns, apps)
        try await rows(sql, "application_sections", ["id", "application_id", "section", "version", "marked_complete"], sections)
        try await rows(sql, "application_answers", ["id", "application_id", "question_code", "text_value", "int_value", "date_value", "bool_value"], answers)
        try await rows(sql, "expense_lines", ["id", "application_id", "position", "category", "detail", "justification", "quantity", "unit_cost_cents",
                                              "function", "headcount", "share_bp", "running_cost", "private_car", "amount_cents"], expenses)
        try await rows(sql, "revenue_lines", ["id", "application_id", "position", "kind", "source", "detail", "amount_cents", "loan_linked"], revenues)
    }

    /// Words of project titles, so that a search finds some applications and not others.
    static let themes = ["Fête de l'amitié", "Café des langues", "Cours de luxembourgeois", "Repas interculturel", "Atelier de cuisine",
                         "Accueil des nouveaux arrivants", "Théâtre participatif", "Jardin partagé", "Tournoi de football", "Soirée contes",
                         "Guide bilingue", "Journée portes ouvertes", "Parrainage citoyen", "Exposition photo", "Chorale du monde",
                         "Marche découverte", "Forum des associations", "Atelier numérique", "Ciné-débat", "Festival des cultures"]

    /// The applications of organisations nobody logs into, still drafts, are submitted and spread over the
    /// instruction's statuses (for the queue, ranking and export benchmarks): one in 20 is ranked (in evaluation,
    /// or evaluated with a score, or approved), the others submitted, incomplete, in review, rejected or withdrawn.
    /// Titles take a theme, and every one enters the search index. Returns how many were changed.
    func instruct(call: Call, except mine: [UUID], now: Date, on db: any Database) async throws -> Int {
        guard let sql = db as? any SQLDatabase else { return 0 }
        struct Row: Decodable { let id: UUID; let legal_name: String }
        struct Count: Decodable { let n: Int }
        var condition: SQLQueryString = "call_id = \(bind: try call.storedID) AND status = 'draft'"
        if !mine.isEmpty {
            condition = condition + " AND organisation_id NOT IN \(SQLGroupExpression(SQLList(mine.map { SQLBind($0) })))"
        }
        let rows = try await sql.raw("SELECT id, legal_name FROM applications WHERE " + condition + " ORDER BY created_at, id").all(decoding: Row.self)
        let offset = try await sql.raw("SELECT COUNT(*) AS n FROM applications WHERE call_id = \(bind: call.storedID) AND reference IS NOT NULL")
            .first(decoding: Count.self)?.n ?? 0
        for start in stride(from: 0, to: rows.count, by: 1_000) {
            try await db.transaction { db in
                guard let sql = db as? any SQLDatabase else { return }
                for (k, r) in rows[start..<min(start + 1_000, rows.count)].enumerated() {
                    let i = offset + start + k
                    let status: ApplicationStatus
                    var score: Int?
                    switch i % 20 {
                    case 0:
                        status = [.inEvaluation, .evaluated, .approved][(i / 20) % 3]
                        if status != .inEvaluation { score = 4_000 + (i * 7_919) % 8_501 }
                    case 1...12: status = .submitted
                    case 13...15: status = .incomplete
                    case 16, 17: status = .inReview
                    case 18: status = .rejected
                    default: status = .withdrawn
                    }
                    let title = Self.themes[(i / 3) % Self.themes.count] + " n° \(i + 1)"
                    let reference = call.reference + "-B" + String(format: "%06d", i + 1)
                    let submitted = now.addingTimeInterval(-Double(rows.count + offset - i) * 60)
                    try await sql.raw("""
                        UPDATE applications SET status = \(bind: status.rawValue), reference = \(bind: reference), title = \(bind: title), \
                        submitted_at = \(bind: submitted), submission_count = 1, score_hundredths = \(bind: score), \
                        granted_cents = \(bind: status == .approved ? Int64(150_000) : nil), \
                        decided_at = \(bind: status == .approved || status == .rejected ? submitted : nil) WHERE id = \(bind: r.id)
                        """).run()
                    try await sql.raw(SearchIndex.upsert(r.id, title: title, applicant: r.legal_name, reference: reference,
                                                 description: "Réponse à « description » pour le projet \(i + 1).", on: StoreEngine(db))).run()
                }
            }
        }
        return rows.count
    }

    /// Multi-row inserts, kept under SQLite's limit of bound parameters per statement.
    func rows(_ sql: any SQLDatabase, _ table: String, _ columns: [String], _ values: [[any Encodable & Sendable]]) async throws {
        let perStatement = max(1, 30_000 / columns.count)
        var i = 0
        while i < values.count {
            let chunk = values[i..<min(i + perStatement, values.count)]
            var insert = sql.insert(into: table).columns(columns)
            for row in chunk { insert = insert.values(row.map { SQLBind($0) }) }
            try await insert.run()
            i += perStatement
        }
    }

    /// The benchmark user's applications back to draft at version 1, without their benchmark-made lines and versions.
    func reset(mine: [UUID], user: User, on sql: any SQLDatabase) async throws {
        for chunk in stride(from: 0, to: mine.count, by: 200).map({ Array(mine[$0..<min($0 + 200, mine.count)]) }) {
            let apps = SQLGroupExpression(SQLList(chunk.map { SQLBind($0) }))
            let ofMine = SQLRaw("(SELECT id FROM applications WHERE organisation_id IN ")
            try await sql.raw("""
                UPDATE applications SET status = 'draft', reference = NULL, submitted_at = NULL, submission_count = 0, \
                declared_by = \(bind: user.storedID) WHERE organisation_id IN \(apps)
                """).run()
            // Drafts first: the content of a submitted application is refused by the database (M013).
            try await sql.raw("DELETE FROM application_submissions WHERE application_id IN \(ofMine)\(apps))").run()
            try await sql.raw("DELETE FROM expense_lines WHERE position > 2 AND application_id IN \(ofMine)\(apps))").run()
            try await sql.raw("UPDATE application_sections SET version = 1 WHERE application_id IN \(ofMine)\(apps))").run()
        }
        try await sql.raw("DELETE FROM outbox_messages WHERE to_email = \(bind: Self.email)").run()
    }
}
