import Fluent
import Foundation
import SQLKit
import SubsidiaCore
import Vapor

/// Applying online: start an application, the task list, the question sections with autosave and
/// optimistic locking, the check, the declaration, submission with its receipt, withdrawal and reopening.
enum ApplicationsController {
    // MARK: Dashboard

    struct DashboardPage: Encodable, Sendable {
        struct Row: Encodable, Sendable {
            let href: String
            let title: String
            let call: String
            let organisation: String
            let status: String
            let reference: String?
            let next: String
            let deadline: String
        }

        struct Notice: Encodable, Sendable {
            let href: String
            let text: String
            let date: String
        }

        let notices: [Notice]
        let rows: [Row]
        let statuses: [FormOption]
        let paging: Paging.View
        let openCallsHref: String
    }

    static func dashboard(_ req: Request) async throws -> Response {
        let user = try req.requireUser()
        let orgIDs = try await Membership.query(on: req.db).filter(\.$user.$id == user.id!).all().map { $0.$organisation.id }
        let paging = Paging(req)
        let status = (try? req.query.get(String.self, at: "status")).flatMap(ApplicationStatus.init(rawValue:))
        var query = GrantApplication.query(on: req.db).filter(\.$organisation.$id ~~ orgIDs)
        if let status { query = query.filter(\.$status == status.rawValue) }
        let total = try await query.count()
        let apps = try await query.with(\.$call).with(\.$organisation).sort(\.$updatedAt, .descending)
            .range(paging.offset..<(paging.offset + paging.size)).all()
        let now = req.now
        let rows = apps.map { a -> DashboardPage.Row in
            let next: String
            switch a.applicationStatus {
            case .draft: next = req.t("app.next.complete")
            case .submitted, .inReview, .inEvaluation, .evaluated: next = req.t("app.next.wait")
            case .incomplete: next = req.t("app.next.provide_items")
            case .approved, .agreementSigned, .running, .reportDue, .reportSubmitted, .verified, .closed, .recovery:
                next = req.t("app.next.read_decision")
            case .rejected: next = req.t("app.next.read_reasons")
            case .withdrawn: next = req.t("app.next.none")
            }
            let deadline = a.call.closesAt.map { req.dateTime($0) + (a.call.closesAt! < now ? " – " + req.t("call.closed") : "") }
                ?? req.t("app.deadline_rolling", String(a.call.leadTimeDays))
            return DashboardPage.Row(href: "/applications/\(a.id!)", title: a.title.isEmpty ? req.t("app.untitled") : a.title,
                                     call: a.call.title.text(req.language), organisation: a.organisation.legalName,
                                     status: req.t(a.applicationStatus.labelKey), reference: a.reference, next: next, deadline: deadline)
        }
        // COM-17: decision letters nobody of the organisation has opened yet.
        let notices = try await DecisionLetters.unopened(for: user.id!, on: req.db).map {
            DashboardPage.Notice(href: $0.href, text: req.t("letter.notice." + $0.kind, $0.reference ?? "", $0.title ?? ""),
                                 date: req.dateTime($0.decided_at))
        }
        let statuses = [FormOption(value: "", label: req.t("app.filter.all"), selected: status == nil, id: "status-all")]
            + ApplicationStatus.allCases.map { FormOption(value: $0.rawValue, label: req.t($0.labelKey), selected: $0 == status, id: "status-" + $0.rawValue) }
        return try await req.render("applications/dashboard", title: "app.dashboard_title",
                                    DashboardPage(notices: notices, rows: rows, statuses: statuses, paging: paging.view(total: total, req: req), openCallsHref: "/"))
    }

    // MARK: Start

    struct StartPage: Encodable, Sendable {
        let callTitle: String
        let callHref: String
        let choices: [FormOption]
        let ineligible: [String]
        let error: String?
        let hasChoices: Bool
    }

    static func openCall(_ req: Request) async throws -> Call {
        guard let reference = req.parameters.get("reference"),
              let call = try await Call.query(on: req.db).filter(\.$reference == reference).first(),
              call.callStatus != .draft else { throw Abort(.notFound) }
        return call
    }

    static func startForm(_ req: Request) async throws -> Response {
        let user = try req.requireUser()
        let call = try await openCall(req)
        return try await renderStart(req, call: call, user: user, error: nil)
    }

    static func renderStart(_ req: Request, call: Call, user: User, error: String?) async throws -> Response {
        let memberships = try await Membership.query(on: req.db).filter(\.$user.$id == user.id!).with(\.$organisation).all()
        let forms = Set(call.legalForms)
        let eligible = memberships.filter { forms.contains(LegalForm(rawValue: $0.organisation.legalForm) ?? .other) }
        let ineligible = memberships.filter { !forms.contains(LegalForm(rawValue: $0.organisation.legalForm) ?? .other) }
            .map { req.t("app.start.ineligible", $0.organisation.legalName, req.t("legal_form." + $0.organisation.legalForm)) }
        let choices = eligible.enumerated().map { i, m in
            FormOption(value: m.organisation.id!.uuidString, label: m.organisation.legalName, selected: eligible.count == 1,
                       id: i == 0 ? "f-organisation" : "f-organisation-\(i)")
        }
        let open = CallWindow.isOpen(opensAt: call.opensAt, closesAt: call.closesAt, at: req.now) && call.callStatus == .published
        return try await req.render(
            "applications/start", title: "app.start_title",
            StartPage(callTitle: call.title.text(req.language), callHref: "/calls/" + call.reference, choices: open ? choices : [],
                      ineligible: ineligible, error: open ? error.map { req.t($0) } : req.t("app.start.closed"),
                      hasChoices: open && !choices.isEmpty),
            errors: error != nil, status: error == nil ? .ok : .unprocessableEntity)
    }

    static func start(_ req: Request) async throws -> Response {
        let user = try req.requireUser()
        let call = try await openCall(req)
        do {
            let app = try await ApplicationOperations.start(req, call: call, user: user, organisation: UUID(uuidString: req.formValues()["organisation"]))
            return try await req.redirect("/applications/\(app.id!)", flash: "app.flash.started")
        } catch let refusal as ApplicationOperations.StartRefusal {
            let key = switch refusal {
            case .closed: "app.start.closed"
            case .chooseOrganisation: "app.start.choose"
            case .notEligible: "app.start.not_eligible"
            }
            return try await renderStart(req, call: call, user: user, error: key)
        }
    }

    // MARK: Task list

    struct TasksPage: Encodable, Sendable {
        struct Task: Encodable, Sendable {
            let label: String
            let href: String
            let state: String
            let stateLabel: String
            let id: String
        }

        let title: String
        let callTitle: String
        let callHref: String
        let organisation: String
        let status: String
        let reference: String?
        let deadline: String
        let editable: Bool
        let tasks: [Task]
        let done: Int
        let total: Int
        let capText: String?
        let base: String
        let submitted: String?
        let canReopen: Bool
        let canWithdraw: Bool
        let hasReceipt: Bool
        /// COM-15: what the officer asked for, while the file is incomplete.
        let request: String?
        let requestDue: String?
        /// COM-17: the decision the applicant reads.
        let granted: String?
        let reasons: String?
        let letters: [Letter]

        struct Letter: Encodable, Sendable {
            let href: String
            let label: String
            let isNew: Bool
        }
    }

    static func tasks(_ req: Request) async throws -> Response {
        let access = try await ApplicationAccess.load(req)
        let bundle = try await ApplicationBundle.load(access.application, on: req.reads)
        let a = bundle.application
        let base = "/applications/\(a.id!)"
        let tasks = bundle.formSections.map { s in
            let state = bundle.state(s)
            return TasksPage.Task(label: req.t(s.labelKey), href: base + "/" + path(of: s), state: state.rawValue,
                                  stateLabel: req.t(state.labelKey), id: "task-" + s.rawValue)
        }
        let (cap, _) = try await bundle.evaluate(on: req.reads, now: req.now, language: req.language)
        let capText = cap.binding.map { capSentence($0, bundle: bundle, req: req) }
        let call = bundle.call.call
        let reopen = canReopen(a, call: call, now: req.now)
        let letters = try await DecisionLetters.list(of: a.id!, on: req.db).filter { $0.letter_language != nil }.map {
            TasksPage.Letter(href: $0.href, label: req.t("letter.link." + $0.kind, req.dateTime($0.decided_at)), isNew: $0.letter_opened_at == nil)
        }
        let request = a.applicationStatus == .incomplete
            ? try await MissingItemRequest.query(on: req.db).filter(\.$application.$id == a.id!).filter(\.$answeredAt == nil)
                .sort(\.$requestedAt, .descending).first()
            : nil
        return try await req.render("applications/tasks", title: a.title.isEmpty ? "app.untitled" : a.title, TasksPage(
            title: a.title.isEmpty ? req.t("app.untitled") : a.title, callTitle: call.title.text(req.language),
            callHref: "/calls/" + call.reference, organisation: a.legalName, status: req.t(a.applicationStatus.labelKey),
            reference: a.reference, deadline: CallText.remaining(call, req), editable: ApplicationLifecycle.isEditable(a.applicationStatus) && access.canEdit,
            tasks: tasks, done: tasks.filter { $0.state == SectionState.completed.rawValue }.count, total: tasks.count,
            capText: capText, base: base, submitted: a.submittedAt.map { req.dateTime($0) },
            canReopen: reopen && access.canEdit,
            canWithdraw: (try? ApplicationTransitions.checkWithdraw(a.applicationStatus)) != nil && access.canEdit,
            hasReceipt: a.submissionCount > 0, request: request?.items, requestDue: request.flatMap { CalendarDate(iso: $0.dueDate) }.map(req.date),
            granted: a.applicationStatus == .approved ? a.grantedCents.map { req.money(Money(cents: $0)) } : nil,
            reasons: a.applicationStatus == .rejected ? a.decisionReasons : nil, letters: letters))
    }

    static func canReopen(_ a: GrantApplication, call: Call, now: Date) -> Bool {
        (try? ApplicationTransitions.checkReopen(a.applicationStatus, kind: call.callKind, closesAt: call.closesAt, now: now)) != nil
    }

    static func path(of s: ApplicationSection) -> String {
        switch s {
        case .applicant: "applicant"
        case .budget: "budget"
        case .financing: "financing"
        case .previousSubsidies: "previous"
        case .documents: "documents"
        case .declaration: "declaration"
        default: "sections/" + s.rawValue
        }
    }

    /// "You can ask at most X €", naming the rule that binds.
    static func capSentence(_ l: CapLimit, bundle: ApplicationBundle, req: Request) -> String {
        let amount = req.money(l.amount)
        switch l.kind {
        case .maximumAmount: return req.t("cap.maximum", amount, l.ruleID)
        case .rateOfEligibleCost(let r):
            return req.t("cap.rate", amount, MoneyFormatter.percent(r, language: req.language), req.money(bundle.summary.eligibleTotal), l.ruleID)
        case .category(let code):
            let label = bundle.call.items(.cap).first { $0.code == code }?.label.text(req.language) ?? code
            return req.t("cap.category", amount, label, l.ruleID)
        case .envelopeRemaining(let code): return req.t("cap.envelope", amount, code, l.ruleID)
        case .globalRemaining: return req.t("cap.global", amount, l.ruleID)
        }
    }

    // MARK: Question sections

    struct SectionPage: Encodable, Sendable {
        struct Answer: Encodable, Sendable {
            let label: String
            let value: String
        }

        let heading: String
        let caption: String
        let back: String
        let form: FormView
        let version: String
        let conflict: Bool
        /// The version someone else saved, shown beside what this person typed.
        let theirs: [Answer]
        let autosave: String?
        let readOnly: Bool
        let intro: String?
    }

    static func section(from req: Request) throws -> ApplicationSection {
        guard let raw = req.parameters.get("section"), let s = ApplicationSection(rawValue: raw), s.isQuestionSection else {
            throw Abort(.notFound)
        }
        return s
    }

    static func sectionForm(_ req: Request) async throws -> Response {
        let access = try await ApplicationAccess.load(req)
        let s = try section(from: req)
        let bundle = try await ApplicationBundle.load(access.application, on: req.reads)
        guard bundle.formSections.contains(s) else { throw Abort(.notFound) }
        var values = QuestionForm.values(bundle, section: s)
        values["version"] = String(bundle.version(of: s))
        return try await renderSection(req, bundle: bundle, access: access, section: s, values: values, errors: FormErrors())
    }

    static func renderSection(
        _ req: Request, bundle: ApplicationBundle, access: ApplicationAccess, section s: ApplicationSection, values: FormValues,
        errors: FormErrors, conflict: Bool = false
    ) async throws -> Response {
        let base = "/applications/\(bundle.application.id!)"
        let action = base + "/sections/" + s.rawValue
        let form = QuestionForm.build(req, bundle: bundle, section: s, values: values, errors: errors, action: action)
        let editable = ApplicationLifecycle.isEditable(bundle.application.applicationStatus) && access.canEdit
        let theirs = conflict ? answersList(bundle, section: s, req: req) : []
        return try await req.render(
            "applications/section", title: s.labelKey,
            SectionPage(heading: req.t(s.labelKey), caption: bundle.application.title, back: base, form: form,
                        version: values["version"], conflict: conflict, theirs: theirs, autosave: editable ? action + "/autosave" : nil,
                        readOnly: !editable, intro: nil),
            errors: !errors.isEmpty || conflict, status: conflict ? .conflict : (errors.isEmpty ? .ok : .unprocessableEntity))
    }

    /// A section's saved answers as label–value pairs in the reader's language ("Not provided" when empty).
    static func answersList(_ bundle: ApplicationBundle, section: ApplicationSection, req: Request) -> [SectionPage.Answer] {
        bundle.questions(in: section).map { q in
            SectionPage.Answer(label: q.label.text(req.language), value: display(bundle.answers[q.code], q, bundle: bundle, req: req))
        }
    }

    static func display(_ a: AnswerValue?, _ q: Question, bundle: ApplicationBundle, req: Request) -> String {
        guard let a else { return req.t("app.not_provided") }
        switch a {
        case .text(let t): return t
        case .integer(let n): return String(n)
        case .date(let d): return req.date(d)
        case .bool(let b): return req.t(b ? "form.yes" : "form.no")
        case .codes(let codes):
            if codes.isEmpty { return q.type == .capCategory ? req.t("app.festival_none") : req.t("app.not_provided") }
            return codes.map { code in
                switch q.type {
                case .action: return bundle.call.actions.first { $0.code == code }.map { $0.code + " – " + $0.title.text(req.language) } ?? code
                default: return bundle.call.items.first { $0.code == code }?.label.text(req.language) ?? code
                }
            }.joined(separator: "; ")
        }
    }

    /// Optimistic locking: moves a section to the next version only if it is still at `from`.
    static func bumpVersion(_ appID: UUID, section: ApplicationSection, from: Int, on db: any Database) async throws -> Int? {
        guard let sql = db as? any SQLDatabase else { return nil }
        struct Row: Decodable { let version: Int }
        let row = try await sql.raw("""
            UPDATE application_sections SET version = version + 1 \
            WHERE application_id = \(bind: appID) AND section = \(bind: section.rawValue) AND version = \(bind: from) \
            RETURNING version
            """).first(decoding: Row.self)
        return row?.version
    }

    static func saveSectionForm(_ req: Request) async throws -> Response {
        let access = try await ApplicationAccess.load(req, for: .edit)
        let s = try section(from: req)
        let bundle = try await ApplicationBundle.load(access.application, on: req.reads)
        guard bundle.formSections.contains(s) else { throw Abort(.notFound) }
        guard ApplicationLifecycle.isEditable(bundle.application.applicationStatus) else { return try await notEditable(req, bundle) }
        let values = req.formValues()
        switch try await ApplicationOperations.saveAnswers(req, context: bundle.sectionContext, section: s, values: values, audit: s.rawValue) {
        case .saved:
            return try await req.redirect("/applications/\(bundle.application.id!)", flash: "app.flash.saved")
        case .invalid(let errors):
            return try await renderSection(req, bundle: bundle, access: access, section: s, values: values, errors: errors)
        case .conflict:
            let fresh = try await ApplicationBundle.load(try await reload(req, bundle.application), on: req.reads)
            var mine = QuestionForm.values(fresh, section: s).overlaid(with: values)
            mine["version"] = String(fresh.version(of: s))
            return try await renderSection(req, bundle: fresh, access: access, section: s, values: mine, errors: FormErrors(), conflict: true)
        }
    }

    static func reload(_ req: Request, _ a: GrantApplication) async throws -> GrantApplication {
        guard let fresh = try await GrantApplication.find(a.id, on: req.db) else { throw Abort(.notFound) }
        return fresh
    }

    /// The autosave endpoint for the page script: the same checks and locking as the Save button, JSON back
    /// (`saved`, `conflict`, `version`, `message`, `errors` of `field` and `message`).
    /// The autosave script's post: the lightest path of the form (no page, no whole application read), as it
    /// runs every few seconds while someone types.
    static func autosave(_ req: Request) async throws -> Response {
        let s = try section(from: req)
        let context = try await SectionContext.load(req, section: s)
        guard context.formSections.contains(s), ApplicationLifecycle.isEditable(context.status) else { throw Abort(.conflict) }
        let outcome = try await ApplicationOperations.saveAnswers(req, context: context, section: s, values: req.formValues(), audit: nil)
        let status: HTTPStatus
        var version: Int?
        var errors: [String] = []
        let message: String
        switch outcome {
        case .saved(let saved):
            (status, version, message) = (.ok, saved, req.t("app.autosave.saved", DateText.time(req.now)))
        case .invalid(let invalid):
            (status, message) = (.unprocessableEntity, req.t("app.autosave.invalid"))
            errors = invalid.items.map {
                JSONText.object(["field": .string($0.field), "message": .string(req.application.catalogue.text($0.key, req.language, $0.args))])
            }
        case .conflict:
            (status, message) = (.conflict, req.t("app.autosave.conflict"))
        }
        let body = JSONText.object([
            "saved": .bool(status == .ok), "conflict": .bool(status == .conflict), "version": .int(version), "message": .string(message),
            "errors": .json(JSONText.array(errors)),
        ])
        var headers = HTTPHeaders()
        headers.contentType = .json
        return Response(status: status, headers: headers, body: .init(string: body))
    }

    static func notEditable(_ req: Request, _ bundle: ApplicationBundle) async throws -> Response {
        try await req.redirect("/applications/\(bundle.application.id!)", flash: "app.flash.not_editable")
    }

    // MARK: Applicant section

    static func applicantForm(_ req: Request) async throws -> Response {
        let access = try await ApplicationAccess.load(req)
        let bundle = try await ApplicationBundle.load(access.application, on: req.reads)
        var v = ApplicantForm.values(of: bundle.application)
        v["version"] = String(bundle.version(of: .applicant))
        return try await renderApplicant(req, bundle: bundle, access: access, values: v, errors: FormErrors())
    }

    static func renderApplicant(
        _ req: Request, bundle: ApplicationBundle, access: ApplicationAccess, values: FormValues, errors: FormErrors, conflict: Bool = false
    ) async throws -> Response {
        let base = "/applications/\(bundle.application.id!)"
        let form = ApplicantForm.build(req, values: values, errors: errors, action: base + "/applicant", ruleSet: bundle.ruleSet)
        let editable = ApplicationLifecycle.isEditable(bundle.application.applicationStatus) && access.canEdit
        return try await req.render(
            "applications/section", title: ApplicationSection.applicant.labelKey,
            SectionPage(heading: req.t(ApplicationSection.applicant.labelKey), caption: bundle.application.title, back: base, form: form,
                        version: values["version"], conflict: conflict, theirs: [], autosave: nil, readOnly: !editable,
                        intro: req.t("app.applicant.intro")),
            errors: !errors.isEmpty || conflict, status: conflict ? .conflict : (errors.isEmpty ? .ok : .unprocessableEntity))
    }

    static func saveApplicant(_ req: Request) async throws -> Response {
        let access = try await ApplicationAccess.load(req, for: .edit)
        let bundle = try await ApplicationBundle.load(access.application, on: req.reads)
        guard ApplicationLifecycle.isEditable(bundle.application.applicationStatus) else { return try await notEditable(req, bundle) }
        let v = req.formValues()
        let errors = ApplicantForm.validate(v, legalForm: bundle.application.legalForm, ruleSet: bundle.ruleSet)
        if !errors.isEmpty { return try await renderApplicant(req, bundle: bundle, access: access, values: v, errors: errors) }
        let app = bundle.application
        let saved = try await ApplicationOperations.saveApplicant(req, bundle: bundle, values: v)
        guard saved else {
            let fresh = try await ApplicationBundle.load(try await reload(req, app), on: req.reads)
            var mine = ApplicantForm.values(of: fresh.application).overlaid(with: v)
            mine["version"] = String(fresh.version(of: .applicant))
            return try await renderApplicant(req, bundle: fresh, access: access, values: mine, errors: FormErrors(), conflict: true)
        }
        return try await req.redirect("/applications/\(app.id!)", flash: "app.flash.saved")
    }

    // MARK: Check, declaration, review, submission

    struct CheckPage: Encodable, Sendable {
        struct Result: Encodable, Sendable {
            let ruleID: String
            let outcome: String
            let outcomeLabel: String
            let message: String
            let source: String
        }

        let heading: String
        let intro: String
        let back: String
        let results: [Result]
        let failed: Int
        let warnings: Int
        let capText: String?
        let blocked: Bool
    }

    static func checkResults(_ results: [RuleResult], bundle: ApplicationBundle, req: Request) -> [CheckPage.Result] {
        results.map { r in
            var statement = r.message
            // Legal forms travel as catalogue keys; show their names.
            let values = statement.values.map { v -> RuleStatement.Value in
                if case .text(let t) = v, t.hasPrefix("legal_form.") { return .text(req.t(t)) }
                return v
            }
            statement = RuleStatement(statement.ruleID, statement.key, values)
            return CheckPage.Result(ruleID: r.ruleID, outcome: r.outcome.rawValue, outcomeLabel: req.t("check.outcome." + r.outcome.rawValue),
                                    message: CallText.statement(statement, req, caps: bundle.call.items(.cap)), source: req.t("check.source", r.source))
        }
    }

    static func check(_ req: Request) async throws -> Response {
        let access = try await ApplicationAccess.load(req)
        let bundle = try await ApplicationBundle.load(access.application, on: req.reads)
        let (cap, results) = try await bundle.evaluate(on: req.reads, now: req.now, language: req.language)
        return try await renderCheck(req, bundle: bundle, cap: cap, results: results, blocked: false)
    }

    static func renderCheck(_ req: Request, bundle: ApplicationBundle, cap: FundingCap, results: [RuleResult], blocked: Bool) async throws -> Response {
        let ordered = results.sorted { order($0.outcome) < order($1.outcome) }
        let failed = results.filter { $0.outcome == .failed }.count
        return try await req.render(
            "applications/check", title: blocked ? "check.blocked_title" : "check.title",
            CheckPage(heading: req.t(blocked ? "check.blocked_title" : "check.title"),
                      intro: req.t(blocked ? "check.blocked_intro" : (failed > 0 ? "check.intro_failed" : "check.intro_ok")),
                      back: "/applications/\(bundle.application.id!)", results: checkResults(ordered, bundle: bundle, req: req),
                      failed: failed, warnings: results.filter { $0.outcome == .warning }.count,
                      capText: cap.binding.map { capSentence($0, bundle: bundle, req: req) }, blocked: blocked),
            errors: blocked, status: blocked ? .unprocessableEntity : .ok)
    }

    static func order(_ o: RuleResult.Outcome) -> Int { o == .failed ? 0 : (o == .warning ? 1 : 2) }

    static func declarationForm(_ req: Request) async throws -> Response {
        let access = try await ApplicationAccess.load(req)
        let bundle = try await ApplicationBundle.load(access.application, on: req.reads)
        let a = bundle.application
        var v = FormValues()
        v["name"] = a.declarationName ?? access.user.name
        v["function"] = a.declarationFunction ?? ""
        v["place"] = a.declarationPlace ?? a.locality
        v["confirm"] = a.declaredBy != nil ? "yes" : ""
        v["version"] = String(bundle.version(of: .declaration))
        return try await renderDeclaration(req, bundle: bundle, access: access, values: v, errors: FormErrors())
    }

    static func renderDeclaration(
        _ req: Request, bundle: ApplicationBundle, access: ApplicationAccess, values: FormValues, errors: FormErrors
    ) async throws -> Response {
        let base = "/applications/\(bundle.application.id!)"
        var f = FormBuilder(req, values: values, errors: errors)
        f.section(nil)
        f.text("name", "app.declaration.name", autocomplete: "name", maxLength: 120)
        f.text("function", "app.declaration.function", hint: "app.declaration.function_hint", maxLength: 120)
        f.text("place", "app.declaration.place", maxLength: 100)
        f.checkbox("confirm", "app.declaration.confirm")
        let form = f.build(action: base + "/declaration", submit: "app.declaration.submit")
        let intro = access.isSignatory ? req.t("app.declaration.intro", req.date(LuxembourgTime.calendarDate(of: req.now)))
            : req.t("app.declaration.not_signatory")
        let editable = ApplicationLifecycle.isEditable(bundle.application.applicationStatus) && access.isSignatory
        return try await req.render(
            "applications/section", title: ApplicationSection.declaration.labelKey,
            SectionPage(heading: req.t(ApplicationSection.declaration.labelKey), caption: bundle.application.title, back: base, form: form,
                        version: values["version"], conflict: false, theirs: [], autosave: nil, readOnly: !editable, intro: intro),
            errors: !errors.isEmpty, status: errors.isEmpty ? .ok : .unprocessableEntity)
    }

    /// COM-11: only a member with the signatory flag can confirm the declaration.
    static func declare(_ req: Request) async throws -> Response {
        let access = try await ApplicationAccess.load(req, for: .edit)
        let bundle = try await ApplicationBundle.load(access.application, on: req.reads)
        guard ApplicationLifecycle.isEditable(bundle.application.applicationStatus) else { return try await notEditable(req, bundle) }
        guard access.isSignatory else { throw Abort(.forbidden) }
        let v = req.formValues()
        let e = ApplicationOperations.checkDeclaration(v)
        if !e.isEmpty { return try await renderDeclaration(req, bundle: bundle, access: access, values: v, errors: e) }
        try await ApplicationOperations.declare(req, bundle: bundle, values: v, by: access.user)
        let a = bundle.application
        return try await req.redirect("/applications/\(a.id!)", flash: "app.flash.declared")
    }

    struct ReviewPage: Encodable, Sendable {
        struct Group: Encodable, Sendable {
            let heading: String
            let change: String?
            let answers: [SectionPage.Answer]
        }

        let heading: String
        let back: String
        let groups: [Group]
        let canSubmit: Bool
        let action: String
        let blockedCount: Int
        let checkHref: String
        let pdfHref: String
    }

    /// "Check your answers": every section with its Change link; skipped optional answers say "Not provided".
    static func review(_ req: Request) async throws -> Response {
        let access = try await ApplicationAccess.load(req)
        let bundle = try await ApplicationBundle.load(access.application, on: req.reads)
        let (_, results) = try await bundle.evaluate(on: req.reads, now: req.now, language: req.language)
        let base = "/applications/\(bundle.application.id!)"
        let editable = ApplicationLifecycle.isEditable(bundle.application.applicationStatus) && access.canEdit
        let groups = ApplicationSummary.groups(bundle, req: req).map { g in
            ReviewPage.Group(heading: g.heading, change: editable ? base + "/" + path(of: g.section) : nil, answers: g.answers)
        }
        return try await req.render("applications/review", title: "app.review_title", ReviewPage(
            heading: req.t("app.review_title"), back: base, groups: groups,
            canSubmit: editable && !ApplicationRules.blocksSubmission(results), action: base + "/submit",
            blockedCount: results.filter { $0.outcome == .failed }.count, checkHref: base + "/check", pdfHref: base + "/form.pdf"),
            hasForm: true)
    }

    static func submit(_ req: Request) async throws -> Response {
        let access = try await ApplicationAccess.load(req, for: .edit)
        let bundle = try await ApplicationBundle.load(access.application, on: req.reads)
        guard ApplicationLifecycle.isEditable(bundle.application.applicationStatus) else { return try await notEditable(req, bundle) }
        // Only a signatory submits (COM-11); the rules say the same of the declaration.
        _ = try ApplicationLifecycle.check(.submit, from: bundle.application.applicationStatus, by: access.actor)
        let now = req.now
        let (cap, results) = try await bundle.evaluate(on: req.reads, now: now, language: req.language)
        // Eligibility failures block submission with a page that says what to do.
        if ApplicationRules.blocksSubmission(results) {
            return try await renderCheck(req, bundle: bundle, cap: cap, results: results, blocked: true)
        }
        // The receipt page's flash ("submitted" or "submitted again") is written with the submission itself.
        _ = try await Submission.submit(req, bundle: bundle, results: results, now: now)
        return req.redirect(to: "/applications/\(bundle.application.id!)/receipt", redirectType: .normal)
    }

    struct ReceiptPage: Encodable, Sendable {
        struct Doc: Encodable, Sendable {
            let label: String
            let received: Bool
        }

        let reference: String
        let submittedAt: String
        let title: String
        let callTitle: String
        let contact: String
        let documents: [Doc]
        let sha256: String
        let pdfHref: String
        let back: String
        let version: Int
        let missingCount: Int
        let canReopen: Bool
        let reopenHref: String
    }

    static func receipt(_ req: Request) async throws -> Response {
        let access = try await ApplicationAccess.load(req)
        let a = access.application
        guard let last = try await ApplicationSubmission.query(on: req.db).filter(\.$application.$id == a.id!)
            .sort(\.$number, .descending).field(\.$id).field(\.$number).field(\.$submittedAt).field(\.$contentSHA256).field(\.$snapshot).first(),
            let reference = a.reference else { throw Abort(.notFound) }
        let snapshot = try JSONDecoder().decode(Submission.Snapshot.self, from: Data(last.snapshot.utf8))
        let bundle = try await ApplicationBundle.load(a, on: req.reads)
        let docs = snapshot.documents.map { ReceiptPage.Doc(label: $0.label.text(req.language), received: $0.received) }
        let call = bundle.call.call
        let reopen = canReopen(a, call: call, now: req.now)
        return try await req.render("applications/receipt", title: "receipt.title", ReceiptPage(
            reference: reference, submittedAt: req.dateTime(last.submittedAt), title: a.title, callTitle: call.title.text(req.language),
            contact: bundle.call.programme.contactEmail, documents: docs, sha256: last.contentSHA256,
            pdfHref: "/applications/\(a.id!)/receipt/\(last.number).pdf", back: "/applications/\(a.id!)", version: last.number,
            missingCount: docs.filter { !$0.received }.count, canReopen: reopen && access.canEdit,
            reopenHref: "/applications/\(a.id!)/reopen"), hasForm: true)
    }

    static func receiptPDF(_ req: Request) async throws -> Response {
        let access = try await ApplicationAccess.load(req)
        guard let number = req.parameters.get("number").flatMap({ Int($0.replacingOccurrences(of: ".pdf", with: "")) }),
              let s = try await ApplicationSubmission.query(on: req.db).filter(\.$application.$id == access.application.id!)
                .filter(\.$number == number).first() else { throw Abort(.notFound) }
        return pdfResponse(Array(s.receiptPDF), filename: "\(access.application.reference ?? "receipt")-\(number).pdf")
    }

    static func pdfResponse(_ bytes: [UInt8], filename: String) -> Response {
        let r = Response(status: .ok, body: .init(data: Data(bytes)))
        r.headers.contentType = HTTPMediaType(type: "application", subType: "pdf")
        r.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(filename.filter { $0.isASCII && $0 != "\"" })\"")
        r.headers.replaceOrAdd(name: .cacheControl, value: "private, no-store")
        return r
    }

    static func applicationPDF(_ req: Request) async throws -> Response {
        let access = try await ApplicationAccess.load(req)
        let bundle = try await ApplicationBundle.load(access.application, on: req.reads)
        let bytes = ApplicationSummary.pdf(bundle, req: req)
        return pdfResponse(bytes, filename: "application-\(bundle.application.reference ?? String(bundle.application.id!.uuidString.prefix(8))).pdf")
    }

    static func withdraw(_ req: Request) async throws -> Response {
        let access = try await ApplicationAccess.load(req, for: .edit)
        let a = access.application
        let id = try a.requireID()
        do { try ApplicationTransitions.checkWithdraw(a.applicationStatus) } catch { return try await req.redirect("/applications/\(id)", flash: "app.flash.not_editable") }
        let now = req.now
        try await req.transaction { db in
            // A compare-and-set on the status read: an approval that came first makes this change nothing (409).
            try await StatusChanges.fire(.withdraw, on: id, from: a.applicationStatus, by: access.actor, now: now, [("withdrawn_at", now)], on: db)
            try await Audit.record("application.withdrawn", entity: "application", id: id, summary: a.reference ?? "", by: req, on: db)
        }
        return try await req.redirect("/applications", flash: "app.flash.withdrawn")
    }

    /// COM-15: the applicant has sent what the officer asked for (documents can be added while incomplete);
    /// the file goes back to the officer.
    static func itemsProvided(_ req: Request) async throws -> Response {
        let access = try await ApplicationAccess.load(req, for: .edit)
        let a = access.application
        do { try Instruction.checkItemsProvided(from: a.applicationStatus) } catch {
            return try await req.redirect("/applications/\(a.id!)", flash: "app.flash.not_editable")
        }
        let now = req.now
        let id = try a.requireID()
        try await req.transaction { db in
            try await StatusChanges.fire(.itemsProvided, on: id, from: a.applicationStatus, by: access.actor, now: now, on: db)
            try await MissingItemRequest.query(on: db).filter(\.$application.$id == id).filter(\.$answeredAt == nil)
                .set(\.$answeredAt, to: now).update()
            try await Audit.record("application.items_provided", entity: "application", id: id, by: req, on: db)
        }
        return try await req.redirect("/applications/\(id)", flash: "app.flash.items_provided")
    }

    /// Fixed-deadline calls: back to draft until the deadline; the submitted versions stay on record.
    static func reopen(_ req: Request) async throws -> Response {
        let access = try await ApplicationAccess.load(req, for: .edit)
        let a = access.application
        guard let call = try await Call.find(a.$call.id, on: req.db) else { throw Abort(.notFound) }
        do {
            try ApplicationTransitions.checkReopen(a.applicationStatus, kind: call.callKind, closesAt: call.closesAt, now: req.now)
        } catch {
            return try await req.redirect("/applications/\(a.id!)", flash: "app.flash.cannot_reopen")
        }
        let id = try a.requireID()
        let now = req.now
        try await req.transaction { db in
            // Back to draft with the declaration cleared, in the same compare-and-set: a decision or a withdrawal
            // that came first makes this change nothing (409).
            try await StatusChanges.fire(.reopen, on: id, from: a.applicationStatus, by: access.actor, now: now,
                                         [("declared_by", UUID?.none), ("declared_at", Date?.none)], on: db)
            try await Audit.record("application.reopened", entity: "application", id: id, summary: a.reference ?? "", by: req, on: db)
        }
        return try await req.redirect("/applications/\(a.id!)", flash: "app.flash.reopened")
    }
}
