import Fluent
import Foundation
import SQLKit
import SubsidiaCore
import Vapor

/// The staff page of one application and the officer's steps on it (seed 003 section 3b): completeness
/// (COM-14, COM-15), eligibility review (COM-01, COM-03, AMIF-04), evaluators and the consolidated
/// assessment (COM-09, COM-10), decision (COM-07, COM-08, COM-17, AMIF-02, AMIF-09), internal comments.
/// Officers and administrators only; each step checks the status it starts from (SubsidiaCore `Instruction`).
enum InstructionController {

    static func load(_ req: Request) async throws -> (User, ApplicationBundle) {
        let user = try req.requireOfficer()
        guard let id = req.parameters.get("appID", as: UUID.self), let app = try await req.store.find(GrantApplication.self, id),
              !ApplicationLifecycle.isEditable(app.applicationStatus) else { throw Abort(.notFound) }
        return (user, try await ApplicationBundle.load(app, on: req.store))
    }

    /// Which of the page's forms was sent with errors, to show them there.
    enum Sent {
        case none, items, eligibility, reject, assign, assessment, approve, cancel, comment
    }

    struct Page: Encodable, Sendable {
        struct Fact: Encodable, Sendable { let label: String; let value: String }
        struct Line: Encodable, Sendable {
            let text: String
            let detail: String?
            var href: String? = nil
            var note: String? = nil
        }
        struct Evaluator: Encodable, Sendable {
            let name: String
            let state: String
            let total: String?
            let comment: String?
        }

        let id: String
        let heading: String
        let caption: String
        let status: String
        let facts: [Fact]
        let links: [Fact]
        let missing: [String]
        let requests: [Line]
        let canMarkComplete: Bool
        let itemsForm: FormView?
        let results: [ApplicationPages.CheckPage.Result]
        let eligibilityForm: FormView?
        let checks: [Line]
        let evaluators: [Evaluator]
        let mean: String?
        let spread: String?
        let assignForm: FormView?
        let assessmentForm: FormView?
        let assessment: String?
        let proposal: String?
        let binding: String?
        let approveForm: FormView?
        let rejectForm: FormView?
        let cancelForm: FormView?
        let decisions: [Line]
        let comments: [Line]
        let commentForm: FormView
        let history: [Line]
        let summaries: [FormView]
    }

    // MARK: Page

    static func show(_ req: Request) async throws -> Response {
        let (_, bundle) = try await load(req)
        return try await render(req, bundle: bundle, values: FormValues(), errors: FormErrors(), sent: .none)
    }

    static func render(_ req: Request, bundle: ApplicationBundle, values: FormValues, errors: FormErrors, sent: Sent) async throws -> Response {
        let a = bundle.application
        let id = try a.requireID()
        let status = a.applicationStatus
        let base = "/staff/applications/\(id)"
        func form(_ which: Sent) -> (FormValues, FormErrors) { sent == which ? (values, errors) : (FormValues(), FormErrors()) }

        async let requestsQ = req.store.query(MissingItemRequest.self).filter(\.$application.$id == id).sort(\.$requestedAt, .descending).all()
        async let checksQ = req.store.query(EligibilityCheck.self).filter(\.$application.$id == id).all()
        async let assignmentsQ = req.store.query(EvaluationAssignment.self).filter(\.$application.$id == id).with(\.$evaluator).sort(\.$assignedAt).all()
        async let decisionsQ = DecisionLetters.list(of: id, on: req.store)
        async let commentsQ = req.store.query(ApplicationComment.self).filter(\.$application.$id == id).sort(\.$createdAt, .descending).all()
        async let historyQ = req.store.query(AuditEvent.self).filter(\.$entityID == id.uuidString).sort(\.$occurredAt, .descending).limit(50).all()
        async let evaluatorsQ = req.store.query(User.self).filter(\.$role == UserRole.evaluator.rawValue).filter(\.$isActive == true).sort(\.$name).all()
        let (requests, checks, assignments, decisions, comments, history, evaluatorUsers) =
            try await (requestsQ, checksQ, assignmentsQ, decisionsQ, commentsQ, historyQ, evaluatorsQ)

        // Facts
        var facts: [Page.Fact] = [
            .init(label: req.t("queue.applicant"), value: a.legalName + " (" + req.t("legal_form." + a.legalForm) + "), " + a.locality),
            .init(label: req.t("timetable.call"), value: bundle.call.call.reference + " – " + bundle.call.call.title.text(req.language)),
            .init(label: req.t("queue.requested"), value: a.requested.map(req.money) ?? req.t("app.not_provided")),
            .init(label: req.t("queue.submitted_at"), value: a.submittedAt.map(req.dateTime) ?? "–"),
        ]
        if let action = a.actionCode { facts.append(.init(label: req.t("queue.action"), value: action)) }
        if let granted = a.grantedCents { facts.append(.init(label: req.t("instruction.granted"), value: req.money(Money(cents: granted)))) }
        let appBase = "/applications/\(id)"
        let links: [Page.Fact] = [
            .init(label: req.t("instruction.answers"), value: appBase + "/review"),
            .init(label: req.t("instruction.documents"), value: appBase + "/documents"),
            .init(label: req.t("instruction.form_pdf"), value: appBase + "/form.pdf"),
        ]

        // Completeness (COM-14, COM-15)
        let completeness = completeness(bundle)
        let missing = completeness.missingDocuments + completeness.incompleteSections.map { req.t($0.labelKey) }
            + (completeness.declared ? [] : [req.t("section.declaration")])
        var itemsForm: FormView?
        if Instruction.canRequestItems.contains(status) {
            let (v0, e) = form(.items)
            var v = v0
            if v["items"].isEmpty && sent != .items { v["items"] = missing.map { "- " + $0 }.joined(separator: "\n") }
            var f = FormBuilder(req, values: v, errors: e)
            f.textarea("items", "instruction.items", hint: "instruction.items_hint", maxLength: 2000, rows: 4)
            f.text("due_date", "instruction.due_date", hint: "instruction.due_date_hint", type: "date", maxLength: 10, width: "10")
            itemsForm = f.build(action: base + "/request-items", submit: "instruction.request_items")
        }

        // Eligibility (COM-01, COM-03, AMIF-04): the automatic results as they stood at submission.
        let (_, results) = try await bundle.evaluate(on: req.store, now: a.submittedAt ?? req.now, language: req.language)
        let items = EligibilityReview.items(for: bundle.ruleSet)
        var eligibilityForm: FormView?
        if status == .inReview {
            let (v0, e) = form(.eligibility)
            var v = v0
            if sent != .eligibility {
                for c in checks {
                    v["check_" + c.itemCode] = c.passed ? "yes" : "no"
                    v["why_" + c.itemCode] = c.justification
                }
            }
            var f = FormBuilder(req, values: v, errors: e)
            for item in items {
                f.section(nil)
                f.choice("check_" + item.code, req.t(item.labelKey) + " (" + item.ruleID + ")", type: "radios",
                         options: [("yes", "instruction.check_passed"), ("no", "instruction.check_failed")])
                f.textarea("why_" + item.code, "instruction.justification", maxLength: 2000, rows: 3)
            }
            eligibilityForm = f.build(action: base + "/eligibility", submit: "instruction.record_eligibility")
        }
        let checkLines = items.compactMap { item -> Page.Line? in
            guard let c = checks.first(where: { $0.itemCode == item.code }) else { return nil }
            return .init(text: req.t(item.labelKey) + " – " + req.t(c.passed ? "instruction.check_passed" : "instruction.check_failed"),
                         detail: c.justification)
        }

        // Evaluation (COM-09, COM-10)
        let grid = bundle.call.call.scoringGrid
        let handedIn = assignments.filter { $0.handedInAt != nil }
        let summary = ScoreSummary(totals: handedIn.compactMap { $0.totalHundredths.map(Points.init(hundredths:)) })
        let evaluators = assignments.map { x in
            Page.Evaluator(name: x.evaluator.name, state: req.t("evaluation.state." + (x.handedInAt != nil ? "handed_in" : x.declaration)),
                           total: x.totalHundredths.map { InstructionOperations.points($0, req) + " / " + String(grid.maxTotal) }, comment: x.comment)
        }
        var assignForm: FormView?
        var assessmentForm: FormView?
        if status == .inEvaluation {
            let taken = Set(assignments.filter { $0.state != .conflict }.map { $0.$evaluator.id })
            let free = try evaluatorUsers.filter { !taken.contains(try $0.storedID) }
            if !free.isEmpty {
                let (v, e) = form(.assign)
                var f = FormBuilder(req, values: v, errors: e)
                f.choice("evaluator", "instruction.evaluator", type: "select", options: try free.map { (try $0.storedID.uuidString, $0.name) },
                         translateOptions: false)
                assignForm = f.build(action: base + "/assign", submit: "instruction.assign")
            }
            let (v0, e) = form(.assessment)
            var v = v0
            if sent != .assessment { v["assessment"] = a.assessment ?? "" }
            var f = FormBuilder(req, values: v, errors: e)
            f.textarea("assessment", "instruction.assessment", hint: "instruction.assessment_hint", maxLength: 8000, rows: 6)
            assessmentForm = f.build(action: base + "/assessment", submit: "instruction.close_evaluation")
        }

        // Decision (COM-07, COM-08, COM-17, AMIF-02, AMIF-09)
        var proposalText: String?
        var bindingText: String?
        var approveForm: FormView?
        if status == .evaluated {
            let proposal = try await InstructionOperations.proposal(bundle, on: req.store)
            proposalText = req.t("instruction.proposal", req.money(proposal.maximum))
            bindingText = proposal.binding.map { ApplicationTexts.capSentence($0, bundle: bundle, req: req) } ?? req.t("instruction.binding_requested")
            let (v0, e) = form(.approve)
            var v = v0
            if sent != .approve { v["amount"] = MoneyFormatter.plainDecimal(proposal.maximum) }
            var f = FormBuilder(req, values: v, errors: e)
            f.text("amount", "instruction.amount", hint: "instruction.amount_hint", maxLength: 20, inputmode: "decimal", width: "10")
            approveForm = f.build(action: base + "/approve", submit: "instruction.approve")
        }
        var rejectForm: FormView?
        if Instruction.canReject.contains(status) {
            let (v0, e) = form(.reject)
            var v = v0
            let failed = items.filter { i in checks.contains { $0.itemCode == i.code && !$0.passed } }
            if sent != .reject && !failed.isEmpty {
                v["reasons"] = failed.compactMap { i in checks.first { $0.itemCode == i.code }.map { req.t(i.labelKey) + " : " + $0.justification } }
                    .joined(separator: "\n")
            }
            var f = FormBuilder(req, values: v, errors: e)
            f.textarea("reasons", "instruction.reasons", hint: "instruction.reasons_hint", maxLength: 4000, rows: 4)
            rejectForm = f.build(action: base + "/reject", submit: "instruction.reject")
        }
        var cancelForm: FormView?
        if status == .approved {
            let (v, e) = form(.cancel)
            var f = FormBuilder(req, values: v, errors: e)
            f.textarea("reason", "instruction.cancel_reason", hint: "instruction.cancel_hint", maxLength: 4000, rows: 3)
            cancelForm = f.build(action: base + "/cancel", submit: "instruction.cancel")
        }

        let (cv, ce) = form(.comment)
        var cf = FormBuilder(req, values: cv, errors: ce)
        cf.textarea("comment", "instruction.comment", hint: "instruction.comment_hint", maxLength: 4000, rows: 3)
        let commentForm = cf.build(action: base + "/comments", submit: "instruction.add_comment")

        let forms = [itemsForm, eligibilityForm, assignForm, assessmentForm, approveForm, rejectForm, cancelForm, commentForm].compactMap { $0 }
        let page = Page(
            id: id.uuidString, heading: a.title.isEmpty ? req.t("app.untitled") : a.title, caption: a.reference ?? "",
            status: req.t(status.labelKey), facts: facts, links: links, missing: missing,
            requests: requests.map { .init(text: req.t("instruction.requested_on", req.dateTime($0.requestedAt),
                                                        CalendarDate(iso: $0.dueDate).map(req.date) ?? $0.dueDate)
                                                + ($0.answeredAt.map { " – " + req.t("instruction.answered_on", req.dateTime($0)) } ?? ""),
                                                detail: $0.items) },
            canMarkComplete: status == .submitted && completeness.isComplete, itemsForm: itemsForm,
            results: ApplicationTexts.checkResults(results, bundle: bundle, req: req), eligibilityForm: eligibilityForm, checks: checkLines,
            evaluators: evaluators, mean: summary.mean.map { InstructionOperations.points($0.hundredths, req) }, spread: summary.spread.map { InstructionOperations.points($0.hundredths, req) },
            assignForm: assignForm, assessmentForm: assessmentForm, assessment: status == .inEvaluation ? nil : a.assessment,
            proposal: proposalText, binding: bindingText, approveForm: approveForm, rejectForm: rejectForm, cancelForm: cancelForm,
            decisions: decisions.map { d in
                .init(text: req.t("decision.kind." + d.kind) + " – " + req.dateTime(d.decided_at)
                        + (d.amount_cents.map { " – " + req.money(Money(cents: $0)) } ?? ""),
                      detail: d.reasons.isEmpty ? nil : d.reasons, href: d.letter_language == nil ? nil : d.href,
                      note: d.letter_language.map { req.t("letter.staff_note", req.t("letter.language." + $0),
                                                          d.letter_opened_at.map(req.dateTime) ?? req.t("letter.not_opened")) })
            },
            comments: comments.map { .init(text: $0.authorName + " – " + req.dateTime($0.createdAt), detail: $0.body) },
            commentForm: commentForm,
            history: history.map { .init(text: req.dateTime($0.occurredAt) + " – " + ($0.actorEmail ?? "–") + " – " + $0.action, detail: $0.summary) },
            summaries: forms.filter(\.hasErrors))
        return try await req.render("staff/application", title: page.heading, page, errors: !errors.isEmpty,
                                    status: errors.isEmpty ? .ok : .unprocessableEntity)
    }

    static func completeness(_ bundle: ApplicationBundle) -> Completeness {
        Completeness(missingDocuments: bundle.missingDocuments.map { $0.label.text(.fr) }, incompleteSections: bundle.incompleteSections,
                     declared: bundle.application.declaredBy != nil)
    }

}
