import Fluent
import Foundation
import SQLKit
import SubsidiaCore
import Vapor

/// Applying online: start an application, the task list, the question sections with autosave and
/// optimistic locking, the check, the declaration, submission with its receipt, withdrawal and reopening.
enum ApplicationsController {
    typealias DashboardPage = ApplicationPages.DashboardPage
    typealias StartPage = ApplicationPages.StartPage
    typealias TasksPage = ApplicationPages.TasksPage
    typealias SectionPage = ApplicationPages.SectionPage
    typealias CheckPage = ApplicationPages.CheckPage
    typealias ReviewPage = ApplicationPages.ReviewPage
    typealias ReceiptPage = ApplicationPages.ReceiptPage

    // MARK: Dashboard

    static func dashboard(_ req: Request) async throws -> Response {
        let user = try req.requireUser()
        let orgIDs = try await req.store.query(Membership.self).filter(\.$user.$id == user.storedID).all().map { $0.$organisation.id }
        let paging = Paging(req)
        let status = (try? req.query.get(String.self, at: "status")).flatMap(ApplicationStatus.init(rawValue:))
        var query = req.store.query(GrantApplication.self).filter(\.$organisation.$id ~~ orgIDs)
        if let status { query = query.filter(\.$status == status.rawValue) }
        let total = try await query.count()
        let apps = try await query.with(\.$call).with(\.$organisation).sort(\.$updatedAt, .descending)
            .range(paging.offset..<(paging.offset + paging.size)).all()
        let now = req.now
        let rows = try apps.map { a -> DashboardPage.Row in
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
            return DashboardPage.Row(href: "/applications/\(try a.storedID)", title: a.title.isEmpty ? req.t("app.untitled") : a.title,
                                     call: a.call.title.text(req.language), organisation: a.organisation.legalName,
                                     status: req.t(a.applicationStatus.labelKey), reference: a.reference, next: next, deadline: deadline)
        }
        // COM-17: decision letters nobody of the organisation has opened yet.
        let notices = try await DecisionLetters.unopened(for: user.storedID, on: req.store).map {
            DashboardPage.Notice(href: $0.href, text: req.t("letter.notice." + $0.kind, $0.reference ?? "", $0.title ?? ""),
                                 date: req.dateTime($0.decided_at))
        }
        let statuses = [FormOption(value: "", label: req.t("app.filter.all"), selected: status == nil, id: "status-all")]
            + ApplicationStatus.allCases.map { FormOption(value: $0.rawValue, label: req.t($0.labelKey), selected: $0 == status, id: "status-" + $0.rawValue) }
        return try await req.render("applications/dashboard", title: "app.dashboard_title",
                                    DashboardPage(notices: notices, rows: rows, statuses: statuses, paging: paging.view(total: total, req: req), openCallsHref: "/"))
    }

    // MARK: Start

    static func startForm(_ req: Request) async throws -> Response {
        let user = try req.requireUser()
        let call = try await CallLookup.open(req)
        return try await renderStart(req, call: call, user: user, error: nil)
    }

    static func renderStart(_ req: Request, call: Call, user: User, error: String?) async throws -> Response {
        let memberships = try await req.store.query(Membership.self).filter(\.$user.$id == user.storedID).with(\.$organisation).all()
        let forms = Set(call.legalForms)
        let eligible = memberships.filter { forms.contains(LegalForm(rawValue: $0.organisation.legalForm) ?? .other) }
        let ineligible = memberships.filter { !forms.contains(LegalForm(rawValue: $0.organisation.legalForm) ?? .other) }
            .map { req.t("app.start.ineligible", $0.organisation.legalName, req.t("legal_form." + $0.organisation.legalForm)) }
        let choices = try eligible.enumerated().map { i, m in
            FormOption(value: try m.organisation.storedID.uuidString, label: m.organisation.legalName, selected: eligible.count == 1,
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
        let call = try await CallLookup.open(req)
        do {
            let app = try await ApplicationOperations.start(req, call: call, user: user, organisation: UUID(uuidString: req.formValues()["organisation"]))
            return try await req.redirect("/applications/\(app.storedID)", flash: "app.flash.started")
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

    static func tasks(_ req: Request) async throws -> Response {
        let access = try await ApplicationAccess.load(req)
        let bundle = try await ApplicationBundle.load(access.application, on: req.store)
        let a = bundle.application
        let base = "/applications/\(try a.storedID)"
        let tasks = bundle.formSections.map { s in
            let state = bundle.state(s)
            return TasksPage.Task(label: req.t(s.labelKey), href: base + "/" + path(of: s), state: state.rawValue,
                                  stateLabel: req.t(state.labelKey), id: "task-" + s.rawValue)
        }
        let (cap, _) = try await bundle.evaluate(on: req.store, now: req.now, language: req.language)
        let capText = cap.binding.map { ApplicationTexts.capSentence($0, bundle: bundle, req: req) }
        let call = bundle.call.call
        let reopen = canReopen(a, call: call, now: req.now)
        let letters = try await DecisionLetters.list(of: a.storedID, on: req.store).filter { $0.letter_language != nil }.map {
            TasksPage.Letter(href: $0.href, label: req.t("letter.link." + $0.kind, req.dateTime($0.decided_at)), isNew: $0.letter_opened_at == nil)
        }
        let request = a.applicationStatus == .incomplete
            ? try await req.store.query(MissingItemRequest.self).filter(\.$application.$id == a.storedID).filter(\.$answeredAt == nil)
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
}
