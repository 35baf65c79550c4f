import Fluent
import Foundation
import SQLKit
import SubsidiaCore
import Vapor

/// The caller's access to one application: a member of the applicant organisation (who may edit a draft),
/// or staff (who read). Anyone else gets 404, so guessing ids tells nothing.
struct ApplicationAccess: Sendable {
    let application: GrantApplication
    let user: User
    let membership: Membership?

    var isMember: Bool { membership != nil }
    var isSignatory: Bool { membership?.isSignatory ?? false }
    /// The member's role; an unknown role reads as viewer (the least right).
    var role: MembershipRole? { membership.map { MembershipRole(rawValue: $0.role) ?? .viewer } }
    /// Owners and editors change the application; viewers and staff only read it.
    var canEdit: Bool { role?.canEditApplications ?? false }
    /// Who fires the lifecycle's events (`ApplicationLifecycle`).
    var actor: LifecycleActor { role.map { .member($0, signatory: isSignatory) } ?? .staff(user.userRole) }

    /// What the request comes to do: read (members and staff), or change the application (owners and editors).
    enum Purpose { case read, edit }

    /// The application of the route's `appID`, if the user may `purpose` it: anyone who is neither a member nor
    /// (for reading) staff gets 404, so that ids cannot be probed; a viewer who tries to change it gets 403.
    static func load(_ req: Request, for purpose: Purpose = .read) async throws -> ApplicationAccess {
        let user = try req.requireUser()
        let store = req.store
        guard let id = req.parameters.get("appID", as: UUID.self),
              let app = try await store.models(GrantApplication.self, "SELECT * FROM \(ident: GrantApplication.schema) WHERE id = \(bind: id)").first
        else { throw Abort(.notFound) }
        let membership = try await store.models(Membership.self, """
            SELECT * FROM \(ident: Membership.schema) WHERE organisation_id = \(bind: app.$organisation.id) AND user_id = \(bind: try user.requireID()) \
            LIMIT 1
            """).first
        switch purpose {
        case .read: if membership == nil && !user.userRole.isStaff { throw Abort(.notFound) }
        case .edit: if membership == nil { throw Abort(.notFound) }
        }
        let access = ApplicationAccess(application: app, user: user, membership: membership)
        if purpose == .edit && !access.canEdit { throw Abort(.forbidden, reason: "membership.viewer_read_only") }
        return access
    }
}

/// What saving a question section needs, and no more. The autosave script posts every few seconds while
/// someone types, so its path reads this in one small query (the call comes from `CallCache`) instead of the
/// whole application.
struct SectionContext: Sendable {
    let applicationID: UUID
    let status: ApplicationStatus
    let call: CallBundle
    let questions: [Question]
    /// The answers the section's checks read: at least those of other sections that make one of its questions
    /// required ("required if yes"). Built from a whole application, all of them.
    let answers: [String: AnswerValue]

    var formSections: [ApplicationSection] { ApplicationSection.sections(for: call.call.rules) }
    func questions(in section: ApplicationSection) -> [Question] { questions.filter { $0.section == section } }

    /// For members of the applicant organisation (saving is theirs, staff only read): anyone else gets 404.
    /// Answers are read only when a question of `section` depends on one outside it (perf: reading and decoding
    /// every answer of the application was a tenth of the autosave's time, for answers it did not use).
    static func load(_ req: Request, section: ApplicationSection) async throws -> SectionContext {
        let user = try req.requireUser()
        guard let id = req.parameters.get("appID", as: UUID.self) else { throw Abort(.notFound) }
        let userID = try user.requireID()
        struct Row: Decodable { let status: String; let call_id: UUID; let stamp: Date?; let member: UUID?; let role: String? }
        let store = req.store
        let found = try await store.first(Row.self, """
            SELECT a.status, a.call_id, c.updated_at AS stamp, m.id AS member, m.role FROM applications a \
            JOIN calls c ON c.id = a.call_id \
            LEFT JOIN memberships m ON m.organisation_id = a.organisation_id AND m.user_id = \(bind: userID) WHERE a.id = \(bind: id)
            """)
        guard let row = found, row.member != nil else { throw Abort(.notFound) }
        // Saving is for owners and editors; a viewer reads.
        guard (MembershipRole(rawValue: row.role ?? "") ?? .viewer).canEditApplications else {
            throw Abort(.forbidden, reason: "membership.viewer_read_only")
        }
        guard let status = ApplicationStatus(rawValue: row.status) else { throw Abort(.internalServerError) }
        let (call, questions) = try await CallCache.shared.bundle(id: row.call_id, stamp: row.stamp, on: store)
        let inSection = questions.filter { $0.section == section }
        let codes = Set(inSection.map(\.code))
        let outside = Set(inSection.compactMap(\.requiredIfYes)).subtracting(codes).sorted()
        let rows = outside.isEmpty ? [] : try await ApplicationBundle.AnswerRow.all(of: id, codes: outside, on: store)
        return SectionContext(applicationID: id, status: status, call: call,
                              questions: questions, answers: ApplicationBundle.AnswerRow.answers(rows, questions: questions))
    }
}

/// Document metadata, read without the file's bytes.
struct DocumentRow: Decodable, Sendable {
    let id: UUID
    let item_code: String?
    let filename: String
    let content_type: String
    let size_bytes: Int64
    let sha256: String
    let uploaded_at: Date
}

/// An application with everything its pages and rules need, read in a fixed number of queries.
struct ApplicationBundle: Sendable {
    let application: GrantApplication
    let call: CallBundle
    let questions: [Question]
    let answers: [String: AnswerValue]
    let expenses: [ExpenseLineRecord]
    let revenues: [RevenueLineRecord]
    let previous: [PreviousSubsidy]
    let documents: [DocumentRow]
    let sections: [String: SectionRow]

    /// Read in sequence: on SQLite each read is a few microseconds on the calling thread (`Store`).
    static func load(_ app: GrantApplication, on reads: any StoreReading) async throws -> ApplicationBundle {
        let id = try app.requireID()
        let callID = app.$call.id
        struct Stamp: Decodable { let updated_at: Date? }
        guard let stamp = try await reads.rows(Stamp.self, "SELECT updated_at FROM \(ident: Call.schema) WHERE id = \(bind: callID)").first
        else { throw Abort(.notFound) }
        let (bundle, qs) = try await CallCache.shared.bundle(id: callID, stamp: stamp.updated_at, on: reads)
        let expenses = try await reads.models(ExpenseLineRecord.self, """
            SELECT * FROM \(ident: ExpenseLineRecord.schema) WHERE application_id = \(bind: id) ORDER BY position
            """)
        let revenues = try await reads.models(RevenueLineRecord.self, """
            SELECT * FROM \(ident: RevenueLineRecord.schema) WHERE application_id = \(bind: id) ORDER BY position
            """)
        let previous = try await reads.models(PreviousSubsidy.self, """
            SELECT * FROM \(ident: PreviousSubsidy.schema) WHERE application_id = \(bind: id) ORDER BY year
            """)
        let answerRows = try await reads.rows(AnswerRow.self, """
            SELECT question_code, text_value, int_value, date_value, bool_value FROM \(ident: ApplicationAnswer.schema) \
            WHERE application_id = \(bind: id)
            """)
        let sectionRows = try await reads.rows(SectionRow.self, """
            SELECT section, version, marked_complete FROM \(ident: ApplicationSectionRecord.schema) WHERE application_id = \(bind: id)
            """)
        let documents = try await documentRows(id, on: reads)
        return ApplicationBundle(
            application: app, call: bundle, questions: qs, answers: AnswerRow.answers(answerRows, questions: qs), expenses: expenses,
            revenues: revenues, previous: previous, documents: documents,
            sections: Dictionary(sectionRows.map { ($0.section, $0) }, uniquingKeysWith: { a, _ in a }))
    }

    struct AnswerRow: Decodable, Sendable {
        let question_code: String
        let text_value: String?
        let int_value: Int64?
        let date_value: String?
        let bool_value: Bool?

        func value(for type: QuestionType) -> AnswerValue? {
            switch type {
            case .text, .textarea: text_value.map(AnswerValue.text)
            case .integer: int_value.map { .integer(Int($0)) }
            case .date: date_value.flatMap(CalendarDate.init(iso:)).map(AnswerValue.date)
            case .yesNo: bool_value.map(AnswerValue.bool)
            case .themes, .capCategory, .action: text_value.map { .codes($0.split(separator: ",").map(String.init)) }
            }
        }

        /// The answers to the questions `codes` only.
        static func all(of id: UUID, codes: [String], on store: any StoreReading) async throws -> [AnswerRow] {
            try await store.rows(AnswerRow.self, """
                SELECT question_code, text_value, int_value, date_value, bool_value FROM \(ident: ApplicationAnswer.schema) \
                WHERE application_id = \(bind: id) AND question_code IN (\(binds: codes))
                """)
        }

        /// The typed answers, for the questions the call still asks.
        static func answers(_ rows: [AnswerRow], questions: [Question]) -> [String: AnswerValue] {
            // The autosave of a section whose questions depend on no other reads none (perf: the index of the
            // questions built for no rows was 1 % of its time).
            if rows.isEmpty { return [:] }
            let byCode = Dictionary(questions.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
            var answers: [String: AnswerValue] = [:]
            for a in rows {
                if let q = byCode[a.question_code], let v = a.value(for: q.type) { answers[a.question_code] = v }
            }
            return answers
        }
    }

    struct SectionRow: Decodable, Sendable {
        let section: String
        let version: Int
        let marked_complete: Bool
    }

    static func documentRows(_ id: UUID, on reads: any StoreReading) async throws -> [DocumentRow] {
        try await reads.rows(DocumentRow.self, """
            SELECT id, item_code, filename, content_type, size_bytes, sha256, uploaded_at FROM \(ident: ApplicationDocument.schema) \
            WHERE application_id = \(bind: id) ORDER BY uploaded_at
            """)
    }

    var ruleSet: RuleSet { call.call.rules }
    var formSections: [ApplicationSection] { ApplicationSection.sections(for: ruleSet) }
    var kilometreRate: Money { call.call.kmRateCents.map(Money.init(cents:)) ?? ExpenseLine.communesKilometreRate }
    var expenseLines: [ExpenseLine] { expenses.map(\.line) }
    var revenueLines: [RevenueLine] { revenues.map(\.line) }
    var summary: BudgetSummary { BudgetSummary(expenses: expenseLines, revenues: revenueLines, kilometreRate: kilometreRate) }

    func questions(in section: ApplicationSection) -> [Question] { questions.filter { $0.section == section } }
    func version(of section: ApplicationSection) -> Int { sections[section.rawValue]?.version ?? 1 }
    func marked(_ section: ApplicationSection) -> Bool { sections[section.rawValue]?.marked_complete ?? false }

    var sectionContext: SectionContext {
        get throws {
            try SectionContext(applicationID: application.storedID, status: application.applicationStatus, call: call, questions: questions, answers: answers)
        }
    }

    var requiredDocuments: [CallItem] { call.items(.document).filter(\.required) }
    var missingDocuments: [CallItem] {
        let present = Set(documents.compactMap(\.item_code))
        return requiredDocuments.filter { !present.contains($0.code) }
    }

    /// The task-list state of each section.
    func state(_ section: ApplicationSection) -> SectionState {
        let a = application
        switch section {
        case .applicant:
            return a.applicantConfirmed ? (ApplicantForm.problems(of: a, ruleSet: ruleSet).isEmpty ? .completed : .inProgress) : .notStarted
        case .project, .relevance, .feasibility, .evaluation, .otherFunding:
            return SectionProgress.state(of: questions(in: section), answers: answers)
        case .budget:
            if expenses.isEmpty && a.requestedCents == nil { return .notStarted }
            let ok = !expenses.isEmpty && (a.requestedCents ?? 0) > 0 && expenseLines.allSatisfy { $0.problems(kilometreRate: kilometreRate).isEmpty }
            return ok && marked(.budget) ? .completed : .inProgress
        case .financing:
            if revenues.isEmpty && !marked(.financing) { return .notStarted }
            return marked(.financing) && revenueLines.allSatisfy { $0.problems().isEmpty } ? .completed : .inProgress
        case .previousSubsidies:
            return marked(.previousSubsidies) ? .completed : (previous.isEmpty ? .notStarted : .inProgress)
        case .documents:
            if documents.isEmpty { return .notStarted }
            return missingDocuments.isEmpty ? .completed : .inProgress
        case .declaration:
            return a.declaredBy != nil ? .completed : .notStarted
        }
    }

    /// Sections that must be complete before submission. Documents may still be missing (COM-14: the
    /// receipt lists them), and the declaration is a rule of its own (COM-11).
    var incompleteSections: [ApplicationSection] {
        formSections.filter { $0 != .documents && $0 != .declaration && state($0) != .completed }
    }

    /// What is already granted in the application's action and in the whole call (AMIF-02), from decisions,
    /// summed by the database over the granted applications only (index idx_applications_granted), less the
    /// application's own grant when it has one. The sums are cast to BIGINT: PostgreSQL sums a bigint column as
    /// numeric. The application is subtracted afterwards rather than left out by `id <> ?`: ids are stored in
    /// columns of NUMERIC affinity on SQLite, which tried to read the bound id as a number at every row (perf: 2.7 ms
    /// for a call's 1,500 grants in the `sqlite3` shell on the benchmark file, 0.3 ms without it).
    static func committed(call id: UUID, action: String?, excluding app: UUID, on reads: any StoreReading) async throws -> (action: Money, call: Money) {
        struct Sums: Decodable { let total: Int64?; let in_action: Int64? }
        struct Own: Decodable { let call_id: UUID; let action_code: String?; let granted_cents: Int64? }
        // SQLite is told which index to use: the sum must never walk the call's every application.
        let index = reads.engine.indexHint("idx_applications_granted")
        let sums = try await reads.rows(Sums.self, """
            SELECT CAST(SUM(granted_cents) AS BIGINT) AS total, \
            CAST(SUM(CASE WHEN action_code = \(bind: action ?? "") THEN granted_cents ELSE 0 END) AS BIGINT) AS in_action \
            FROM applications\(index) WHERE call_id = \(bind: id) AND granted_cents IS NOT NULL
            """).first
        let own = try await reads.rows(Own.self, "SELECT call_id, action_code, granted_cents FROM applications WHERE id = \(bind: app)").first
        var total = sums?.total ?? 0
        var inAction = action == nil ? 0 : sums?.in_action ?? 0
        if let own, own.call_id == id, let granted = own.granted_cents {
            total -= granted
            if action != nil && (own.action_code ?? "") == action { inAction -= granted }
        }
        return (Money(cents: inAction), Money(cents: total))
    }

    func cap(committed: (action: Money, call: Money)) -> FundingCap {
        let c = call.call
        let festival = application.festivalCode.flatMap { code in
            call.items(.cap).first { $0.code == code }.flatMap { item in item.amountCents.map { (code: code, cap: Money(cents: $0)) } }
        }
        let action = application.actionCode.flatMap { code in call.actions.first { $0.code == code } }.map {
            (code: $0.code, rate: Rate(basisPoints: $0.maxRateBP), remaining: Money(cents: $0.envelopeCents) - committed.action)
        }
        return FundingCap.compute(
            ruleSet: ruleSet, eligibleTotal: summary.eligibleTotal, maxAmount: c.maxAmountCents.map(Money.init(cents:)),
            maxRate: c.maxRateBP.map(Rate.init(basisPoints:)), category: festival, action: action,
            globalRemaining: c.globalBudgetCents.map { Money(cents: $0) - committed.call })
    }

    func facts(now: Date, cap: FundingCap, language: Language) -> ApplicationFacts {
        let a = application
        let c = call.call
        return ApplicationFacts(
            call: call.facts, eligibleForms: Set(c.legalForms), seatCountry: c.seatCountry,
            applicantForm: LegalForm(rawValue: a.legalForm) ?? .other, applicantCountry: a.country, now: now,
            projectStart: a.projectPeriodStart, projectEnd: a.projectPeriodEnd, revenueArticleDeclared: ruleSet == .communes ? a.revenueArticle : nil,
            takesPlaceInLuxembourg: { if case .bool(let b)? = answers["in_luxembourg"] { return b } else { return nil } }(),
            actionCode: a.actionCode, expenses: expenseLines, revenues: revenueLines, summary: summary, requested: a.requested,
            cap: cap, incompleteSections: incompleteSections, missingDocuments: missingDocuments.map { $0.label.text(language) },
            declaredBySignatory: a.declaredBy != nil)
    }

    /// Whether the cap reads what the call has committed: only an action's envelope or a global budget does
    /// (the communes call has neither, and its submissions skip the sums).
    var capReadsCommitted: Bool {
        call.call.globalBudgetCents != nil || application.actionCode.map { code in call.actions.contains { $0.code == code } } == true
    }

    /// Loads the cap inputs and evaluates every rule now.
    func evaluate(on reads: any StoreReading, now: Date, language: Language) async throws -> (cap: FundingCap, results: [RuleResult]) {
        let committed = capReadsCommitted
            ? try await ApplicationBundle.committed(call: call.call.storedID, action: application.actionCode, excluding: application.storedID, on: reads)
            : (action: Money.zero, call: Money.zero)
        let cap = cap(committed: committed)
        return (cap, ApplicationRules.evaluate(facts(now: now, cap: cap, language: language)))
    }
}

extension ApplicationBundle {
    /// The application read again (after a write that changed it), with everything its pages need.
    static func reload(_ a: GrantApplication, on store: any StoreReading) async throws -> ApplicationBundle {
        guard let fresh = try await store.find(GrantApplication.self, a.id) else { throw Abort(.notFound) }
        return try await load(fresh, on: store)
    }
}
