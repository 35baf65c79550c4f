import Crypto
import Fluent
import Foundation
import SQLKit
import SubsidiaCore
import Vapor

/// The changes an applicant makes to an application, shared by the pages and the JSON API: the same checks,
/// the same optimistic locking, the same audit entry, one transaction each. A refused change writes nothing.
enum ApplicationOperations {
    // MARK: Start

    enum StartRefusal: Error {
        case closed
        case chooseOrganisation
        case notEligible
    }

    /// Starts a draft for one of the user's organisations (COM-01, AMIF-04: only an eligible legal form).
    static func start(_ req: Request, call: Call, user: User, organisation orgID: UUID?) async throws -> GrantApplication {
        guard CallWindow.isOpen(opensAt: call.opensAt, closesAt: call.closesAt, at: req.now), call.callStatus == .published else {
            throw StartRefusal.closed
        }
        guard let orgID,
              let m = try await req.store.query(Membership.self).filter(\.$user.$id == user.storedID).filter(\.$organisation.$id == orgID)
                .with(\.$organisation).first()
        else { throw StartRefusal.chooseOrganisation }
        // Owners and editors start applications; a viewer reads them.
        guard (MembershipRole(rawValue: m.role) ?? .viewer).canStartApplications else {
            throw Abort(.forbidden, reason: "membership.viewer_read_only")
        }
        guard call.legalForms.contains(LegalForm(rawValue: m.organisation.legalForm) ?? .other) else { throw StartRefusal.notEligible }
        let app = GrantApplication()
        try await req.store.write { tx in
            try await CallQuestion.ensure(for: call, on: tx)
            app.$call.id = try call.storedID
            app.$organisation.id = orgID
            app.createdBy = try user.storedID
            app.status = ApplicationStatus.draft.rawValue
            app.title = ""
            app.submissionCount = 0
            app.applicantConfirmed = false
            app.contentVersion = 0
            ApplicantForm.prefill(app, from: m.organisation)
            try await tx.create(app)
            for s in ApplicationSection.allCases { try await tx.create(ApplicationSectionRecord(applicationID: app.storedID, section: s)) }
            try await tx.audit("application.started", entity: "application", id: app.id, summary: call.reference, by: req)
        }
        return app
    }

    // MARK: Question sections

    enum SaveOutcome {
        case saved(version: Int)
        case invalid(FormErrors)
        case conflict
    }

    /// Saves a section's answers if the version sent is still the current one (optimistic locking), with an audit
    /// entry when `audit` names one (a save button or the API; not each autosave). The save is one statement,
    /// defined once per database (M008's trigger on SQLite, M012's function on PostgreSQL; `SectionSaveTests` holds
    /// them to the same result over random answers): the answers upserted, the emptied ones deleted, the row's
    /// columns that lists and rules read directly updated, all refused once the application is no longer a draft.
    static func saveAnswers(
        _ req: Request, context c: SectionContext, section s: ApplicationSection, values: FormValues, audit: String?
    ) async throws -> SaveOutcome {
        let (answers, errors) = QuestionForm.parse(c, section: s, values: values)
        if !errors.isEmpty { return .invalid(errors) }
        guard let sent = Int(values["version"]) else { return .conflict }
        let appID = c.applicationID
        let kept = answers.compactMap { code, value in value.map { (code, AnswerColumns($0)) } }.sorted { $0.0 < $1.0 }
        let emptied = answers.filter { $0.value == nil }.map(\.key).sorted()
        let project = s == .project ? ProjectColumns(answers) : nil
        let save = sectionSave(application: appID, section: s, version: sent, kept: kept, emptied: emptied, project: project, now: req.now)
        guard let audit else {
            return try await req.store.saveSection(save).map { .saved(version: $0) } ?? .conflict
        }
        do {
            return try await req.store.write { tx -> SaveOutcome in
                guard let version = try await tx.saveSection(save) else { throw StoreConflict() }
                try await tx.audit("application.section_saved", entity: "application", id: appID, summary: audit, by: req)
                return .saved(version: version)
            }
        } catch is StoreConflict {
            return .conflict
        }
    }

    /// The project section's answers that the application row repeats, for the lists and rules that read them directly.
    struct ProjectColumns {
        let title: String
        let start: String?
        let end: String?
        let action: String?
        let festival: String?

        init(_ answers: [String: AnswerValue?]) {
            func text(_ c: String) -> String? { if case .text(let t)?? = answers[c] { return t } else { return nil } }
            func date(_ c: String) -> String? { if case .date(let d)?? = answers[c] { return d.iso } else { return nil } }
            func code(_ c: String) -> String? { if case .codes(let x)?? = answers[c] { return x.first } else { return nil } }
            title = text("title") ?? ""
            start = date("start_date")
            end = date("end_date")
            action = code("action")
            festival = code("festival")
        }
    }

    /// A section's save as the database takes it (`Store.saveSection`). The answers cross into the database as
    /// JSON (written by `JSONText`) and are stored in their typed columns; ids and the time stamp are bound as every
    /// other write binds them.
    static func sectionSave(
        application id: UUID, section s: ApplicationSection, version sent: Int, kept: [(String, AnswerColumns)], emptied: [String],
        project: ProjectColumns?, now: Date
    ) -> SectionSave {
        let answers = JSONText.array(kept.map { code, v in
            JSONText.object(["id": .string(UUID().uuidString), "code": .string(code), "text": .string(v.text), "integer": .integer(v.integer),
                             "date": .string(v.date), "bool": .bool(v.bool)])
        })
        let projectJSON = project.map { p in
            JSONText.object(["title": .string(p.title), "start": .string(p.start), "end": .string(p.end), "action": .string(p.action),
                             "festival": .string(p.festival)])
        }
        return SectionSave(application: id, section: s.rawValue, expectedVersion: sent, answers: answers, emptied: JSONText.strings(emptied),
                           project: projectJSON, savedAt: now)
    }

    /// An answer spread over the typed columns of `application_answers` (exports read them as they are).
    struct AnswerColumns {
        var text: String?
        var integer: Int64?
        var date: String?
        var bool: Bool?

        init(_ value: AnswerValue) {
            switch value {
            case .text(let t): text = t
            case .integer(let n): integer = Int64(n)
            case .date(let d): date = d.iso
            case .bool(let b): bool = b
            case .codes(let c): text = c.joined(separator: ",")
            }
        }
    }

    // MARK: Applicant

    /// Saves the applicant section if `version` is current; false on a conflict.
    static func saveApplicant(_ req: Request, bundle: ApplicationBundle, values v: FormValues) async throws -> Bool {
        let app = bundle.application
        return try await req.store.write { tx -> Bool in
            guard let sent = Int(v["version"]), try await bumpVersion(app.storedID, section: .applicant, from: sent, on: tx) != nil
            else { return false }
            ApplicantForm.apply(v, to: app)
            app.applicantConfirmed = true
            app.updatedAt = req.now
            try await tx.save(app)
            try await tx.audit("application.section_saved", entity: "application", id: app.id, summary: "applicant", by: req)
            return true
        }
    }

    // MARK: Budget

    /// Saves a new or changed expense line if the budget's `version` is current; nil on a conflict.
    static func saveExpense(
        _ req: Request, bundle: ApplicationBundle, record: ExpenseLineRecord?, line: ExpenseLine, version: Int?
    ) async throws -> ExpenseLineRecord? {
        let appID = try bundle.application.storedID
        return try await req.store.write { tx -> ExpenseLineRecord? in
            guard let version, try await bumpVersion(appID, section: .budget, from: version, on: tx) != nil
            else { return nil }
            let r = record ?? ExpenseLineRecord()
            r.$application.id = appID
            if record == nil { r.position = (bundle.expenses.map(\.position).max() ?? 0) + 1 }
            r.set(line, kilometreRate: bundle.kilometreRate)
            try await tx.save(r)
            try await touch(bundle.application, req: req, on: tx)
            try await tx.audit(record == nil ? "budget.line_added" : "budget.line_changed", entity: "application", id: appID,
                                   summary: "\(line.category.rawValue) \(r.amountCents)", by: req)
            return r
        }
    }

    static func deleteExpense(_ req: Request, bundle: ApplicationBundle, record r: ExpenseLineRecord) async throws {
        try await req.store.write { tx in
            try await tx.delete(r)
            try await touch(bundle.application, req: req, on: tx)
            try await tx.audit("budget.line_removed", entity: "application", id: bundle.application.id, summary: r.detail, by: req)
        }
    }

    /// The requested amount and "I have completed this section": the amount must be a bounded amount, and
    /// the section can only be complete with a requested amount and at least one line.
    static func checkBudget(requested raw: String, complete: Bool, hasLines: Bool) -> (Money?, FormErrors) {
        var e = FormErrors()
        var requested: Money?
        if !raw.isEmpty {
            if let m = Money.parse(raw), m <= Money.inputMaximum { requested = m } else { e.add("requested", "error.amount") }
        } else if complete {
            e.add("requested", "budget.error.requested")
        }
        if complete && !hasLines { e.add("complete", "budget.error.no_lines") }
        return (requested, e)
    }

    /// A request above the cap is kept (nothing typed is lost); submission refuses it. False on a conflict.
    static func saveBudget(_ req: Request, bundle: ApplicationBundle, requested: Money?, complete: Bool, version: Int?) async throws -> Bool {
        let a = bundle.application
        return try await req.store.write { tx -> Bool in
            guard let version, try await bumpVersion(a.storedID, section: .budget, from: version, on: tx) != nil
            else { return false }
            a.requestedCents = requested?.cents
            try await touch(a, req: req, on: tx)
            try await mark(.budget, of: a, complete: complete, on: tx)
            try await tx.audit("budget.requested", entity: "application", id: a.id, summary: String(requested?.cents ?? 0), by: req)
            return true
        }
    }

    // MARK: Financing plan and earlier subsidies

    static func saveRevenue(
        _ req: Request, bundle: ApplicationBundle, record: RevenueLineRecord?, line: RevenueLine, version: Int?
    ) async throws -> RevenueLineRecord? {
        let appID = try bundle.application.storedID
        return try await req.store.write { tx -> RevenueLineRecord? in
            guard let version, try await bumpVersion(appID, section: .financing, from: version, on: tx) != nil
            else { return nil }
            let r = record ?? RevenueLineRecord()
            r.$application.id = appID
            if record == nil { r.position = (bundle.revenues.map(\.position).max() ?? 0) + 1 }
            r.set(line)
            try await tx.save(r)
            try await touch(bundle.application, req: req, on: tx)
            try await tx.audit("financing.line_saved", entity: "application", id: appID, summary: "\(line.kind.rawValue) \(line.amount.cents)", by: req)
            return r
        }
    }

    static func deleteRevenue(_ req: Request, bundle: ApplicationBundle, record r: RevenueLineRecord) async throws {
        try await req.store.write { tx in
            try await tx.delete(r)
            try await touch(bundle.application, req: req, on: tx)
            try await tx.audit("financing.line_removed", entity: "application", id: bundle.application.id, summary: r.kind, by: req)
        }
    }

    /// Marks the financing plan or the earlier subsidies complete (or not).
    static func markComplete(_ req: Request, bundle: ApplicationBundle, section: ApplicationSection, complete: Bool) async throws {
        let a = bundle.application
        try await req.store.write { tx in
            try await mark(section, of: a, complete: complete, on: tx)
            try await touch(a, req: req, on: tx)
            try await tx.audit("application.section_marked", entity: "application", id: a.id, summary: "\(section.rawValue) \(complete)", by: req)
        }
    }

    /// An earlier subsidy (Annex 1): the project's name, a year since 1990, granted or not.
    static func checkPrevious(_ v: FormValues, now: Date) -> (PreviousSubsidy?, FormErrors) {
        var e = FormErrors()
        e.required(v, "project_name")
        let year = Int(v["year"])
        let thisYear = LuxembourgTime.calendarDate(of: now).year
        if year == nil || !(1990...thisYear).contains(year!) { e.add("year", "previous.error.year", String(thisYear)) }
        if !["yes", "no"].contains(v["granted"]) { e.add("granted", "error.choose") }
        guard e.isEmpty, let year else { return (nil, e) }
        let p = PreviousSubsidy()
        p.projectName = v["project_name"]
        p.year = year
        p.granted = v["granted"] == "yes"
        return (p, e)
    }

    static func addPrevious(_ req: Request, bundle: ApplicationBundle, _ p: PreviousSubsidy) async throws {
        p.$application.id = try bundle.application.storedID
        try await req.store.write { tx in
            try await tx.create(p)
            try await touch(bundle.application, req: req, on: tx)
            try await tx.audit("previous.added", entity: "application", id: bundle.application.id, summary: "\(p.projectName) \(p.year)", by: req)
        }
    }

    static func removePrevious(_ req: Request, bundle: ApplicationBundle, record p: PreviousSubsidy) async throws {
        try await req.store.write { tx in
            try await tx.delete(p)
            try await touch(bundle.application, req: req, on: tx)
            try await tx.audit("previous.removed", entity: "application", id: bundle.application.id, summary: "\(p.projectName) \(p.year)", by: req)
        }
    }

    // MARK: Documents

    /// Checks an upload against the checklist, the size limit, its content and the names already there (COM-15, AMIF-07).
    static func checkUpload(
        _ req: Request, bundle: ApplicationBundle, item: String, filename: String, bytes: [UInt8]
    ) -> ((name: String, type: DocumentType)?, FormErrors) {
        var e = FormErrors()
        if !bundle.call.items(.document).map(\.code).contains(item) { e.add("item", "doc.error.item") }
        let limit = req.application.subsidiaConfig.maxUploadBytes
        let shown = UploadRules.cleanName(filename)
        do {
            let checked = try UploadRules.check(filename: filename, bytes: bytes, limitBytes: limit, existingNames: bundle.documents.map(\.filename))
            return (e.isEmpty ? checked : nil, e)
        } catch {
            switch error {
            case .noFile: e.add("file", "doc.error.no_file")
            case .empty: e.add("file", "doc.error.empty", shown)
            case .tooLarge(let l): e.add("file", "doc.error.too_large", shown, DocumentFiles.sizeText(Int64(l), req))
            case .wrongType: e.add("file", "doc.error.type", shown, DocumentType.names)
            case .duplicateName: e.add("file", "doc.error.duplicate", shown)
            case .badName: e.add("file", "doc.error.name")
            case .extensionMismatch(let t): e.add("file", "doc.error.extension", shown, t.rawValue.uppercased(),
                                                  t.extensions.map { "." + $0 }.joined(separator: ", "))
            }
            return (nil, e)
        }
    }

    static func storeDocument(
        _ req: Request, bundle: ApplicationBundle, item: String, checked: (name: String, type: DocumentType), bytes: [UInt8], by user: User
    ) async throws -> ApplicationDocument {
        let doc = ApplicationDocument()
        doc.$application.id = try bundle.application.storedID
        doc.itemCode = item
        doc.filename = checked.name
        doc.contentType = checked.type.mediaType
        doc.sizeBytes = Int64(bytes.count)
        doc.sha256 = SHA256.hash(data: bytes).hex
        doc.content = Data(bytes)
        doc.uploadedBy = try user.storedID
        doc.uploadedAt = req.now
        try await req.store.write { tx in
            try await tx.create(doc)
            try await touch(bundle.application, req: req, on: tx)
            try await tx.audit("document.uploaded", entity: "application", id: bundle.application.id,
                                   summary: "\(checked.name) \(doc.sha256)", by: req)
        }
        return doc
    }

    static func removeDocument(_ req: Request, application a: GrantApplication, id: UUID, filename: String) async throws {
        try await req.store.write { tx in
            try await tx.query(ApplicationDocument.self).filter(\.$id == id).filter(\.$application.$id == a.storedID).delete()
            try await touch(a, req: req, on: tx)
            try await tx.audit("document.removed", entity: "application", id: a.id, summary: filename, by: req)
        }
    }

    // MARK: Declaration

    /// COM-11: the declaration's fields; the caller checks that the user is a signatory.
    static func checkDeclaration(_ v: FormValues) -> FormErrors {
        var e = FormErrors()
        e.required(v, "name", max: 120)
        e.required(v, "function", max: 120)
        e.required(v, "place", max: 100)
        if !v.isChecked("confirm") { e.add("confirm", "app.declaration.error_confirm") }
        return e
    }

    static func declare(_ req: Request, bundle: ApplicationBundle, values v: FormValues, by user: User) async throws {
        let a = bundle.application
        a.declarationName = v["name"]
        a.declarationFunction = v["function"]
        a.declarationPlace = v["place"]
        a.declarationDate = LuxembourgTime.calendarDate(of: req.now).iso
        a.declaredBy = user.id
        a.declaredAt = req.now
        a.updatedAt = req.now
        try await req.store.write { tx in
            try await tx.save(a)
            try await tx.audit("application.declared", entity: "application", id: a.id, summary: v["name"], by: req)
        }
    }

    // MARK: Helpers

    static func touch(_ a: GrantApplication, req: Request, on tx: StoreTransaction) async throws {
        a.updatedAt = req.now
        try await tx.save(a)
    }

    static func mark(_ section: ApplicationSection, of a: GrantApplication, complete: Bool, on tx: StoreTransaction) async throws {
        try await tx.query(ApplicationSectionRecord.self).filter(\.$application.$id == a.storedID).filter(\.$section == section.rawValue)
            .set(\.$markedComplete, to: complete).update()
    }

    /// Optimistic locking: moves a section to the next version only if it is still at `from`.
    static func bumpVersion(_ appID: UUID, section: ApplicationSection, from: Int, on tx: StoreTransaction) async throws -> Int? {
        struct Row: Decodable { let version: Int }
        let row = try await tx.first(Row.self, """
            UPDATE application_sections SET version = version + 1 \
            WHERE application_id = \(bind: appID) AND section = \(bind: section.rawValue) AND version = \(bind: from) \
            RETURNING version
            """)
        return row?.version
    }
}
