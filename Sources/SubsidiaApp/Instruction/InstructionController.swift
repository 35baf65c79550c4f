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
    static func officer(_ req: Request) throws -> User { try req.requireRole(.officer, .admin) }

    static func load(_ req: Request) async throws -> (User, ApplicationBundle) {
        let user = try officer(req)
        guard let id = req.parameters.get("appID", as: UUID.self), let app = try await GrantApplication.find(id, on: req.db),
              !ApplicationLifecycle.isEditable(app.applicationStatus) else { throw Abort(.notFound) }
        return (user, try await ApplicationBundle.load(app, on: req.reads))
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
        let results: [ApplicationsController.CheckPage.Result]
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

        async let requestsQ = MissingItemRequest.query(on: req.db).filter(\.$application.$id == id).sort(\.$requestedAt, .descending).all()
        async let checksQ = EligibilityCheck.query(on: req.db).filter(\.$application.$id == id).all()
        async let assignmentsQ = EvaluationAssignment.query(on: req.db).filter(\.$application.$id == id).with(\.$evaluator).sort(\.$assignedAt).all()
        async let decisionsQ = DecisionLetters.list(of: id, on: req.db)
        async let commentsQ = ApplicationComment.query(on: req.db).filter(\.$application.$id == id).sort(\.$createdAt, .descending).all()
        async let historyQ = AuditEvent.query(on: req.db).filter(\.$entityID == id.uuidString).sort(\.$occurredAt, .descending).limit(50).all()
        async let evaluatorsQ = User.query(on: req.db).filter(\.$role == UserRole.evaluator.rawValue).filter(\.$isActive == true).sort(\.$name).all()
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
        let (_, results) = try await bundle.evaluate(on: req.reads, now: a.submittedAt ?? req.now, language: req.language)
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
                           total: x.totalHundredths.map { points($0, req) + " / " + String(grid.maxTotal) }, comment: x.comment)
        }
        var assignForm: FormView?
        var assessmentForm: FormView?
        if status == .inEvaluation {
            let taken = Set(assignments.filter { $0.state != .conflict }.map { $0.$evaluator.id })
            let free = evaluatorUsers.filter { !taken.contains($0.id!) }
            if !free.isEmpty {
                let (v, e) = form(.assign)
                var f = FormBuilder(req, values: v, errors: e)
                f.choice("evaluator", "instruction.evaluator", type: "select", options: free.map { ($0.id!.uuidString, $0.name) },
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
            let proposal = try await proposal(bundle, on: req.db)
            proposalText = req.t("instruction.proposal", req.money(proposal.maximum))
            bindingText = proposal.binding.map { ApplicationsController.capSentence($0, bundle: bundle, req: req) } ?? req.t("instruction.binding_requested")
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
            results: ApplicationsController.checkResults(results, bundle: bundle, req: req), eligibilityForm: eligibilityForm, checks: checkLines,
            evaluators: evaluators, mean: summary.mean.map { points($0.hundredths, req) }, spread: summary.spread.map { points($0.hundredths, req) },
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

    static func points(_ hundredths: Int, _ req: Request) -> String {
        let p = Points(hundredths: hundredths).description
        return req.language == .en ? p : p.replacingOccurrences(of: ".", with: ",")
    }

    static func completeness(_ bundle: ApplicationBundle) -> Completeness {
        Completeness(missingDocuments: bundle.missingDocuments.map { $0.label.text(.fr) }, incompleteSections: bundle.incompleteSections,
                     declared: bundle.application.declaredBy != nil)
    }

    /// The maximum that can be granted now, with what the call's decisions have already committed.
    static func proposal(_ bundle: ApplicationBundle, on db: any Database) async throws -> GrantProposal {
        let committed = try await ApplicationBundle.committed(call: bundle.call.call.id!, action: bundle.application.actionCode,
                                                             excluding: bundle.application.id!, on: Reads(db, store: nil))
        return GrantProposal(cap: bundle.cap(committed: committed), requested: bundle.application.requested ?? .zero)
    }

    // MARK: Steps

    /// Runs one step: the refusal of a SubsidiaCore check becomes the form's message, nothing written.
    static func step(
        _ req: Request, loaded: (User, ApplicationBundle)? = nil, sent: Sent, field: String, flash: String,
        _ body: @Sendable @escaping (User, ApplicationBundle, FormValues, any Database) async throws -> Void
    ) async throws -> Response {
        let (user, bundle) = if let loaded { loaded } else { try await load(req) }
        let values = req.formValues()
        do {
            try await req.transaction { db in try await body(user, bundle, values, db) }
        } catch let refusal as Instruction.Refusal {
            var errors = FormErrors()
            errors.add(field, refusal.messageKey)
            return try await render(req, bundle: bundle, values: values, errors: errors, sent: sent)
        } catch let invalid as InvalidForm {
            return try await render(req, bundle: bundle, values: values, errors: invalid.errors, sent: sent)
        }
        return try await req.redirect("/staff/applications/\(bundle.application.id!)", flash: flash)
    }

    struct InvalidForm: Error { let errors: FormErrors }

    /// A text field without its surrounding blanks, refused with the field's message when longer than `max`.
    static func bounded(_ v: FormValues, _ name: String, max: Int) throws -> String {
        let text = v[name].trimmingCharacters(in: .whitespacesAndNewlines)
        if text.count > max {
            var e = FormErrors()
            e.add(name, "error.too_long", String(max))
            throw InvalidForm(errors: e)
        }
        return text
    }

    /// Re-reads the status inside the step's transaction, so two officers cannot both move the same file.
    static func status(_ id: UUID, on db: any Database) async throws -> ApplicationStatus {
        guard let status = try await StatusChanges.current(id, on: db) else { throw Abort(.notFound) }
        return status
    }

    /// COM-15: asks the applicant for the missing items, by mail and on their dashboard.
    static func requestItems(_ req: Request) async throws -> Response {
        let now = req.now
        return try await step(req, sent: .items, field: "items", flash: "instruction.flash.items_requested") { user, bundle, v, db in
            let id = bundle.application.id!
            var errors = FormErrors()
            errors.required(v, "items", max: 2000)
            guard let due = CalendarDate(iso: v["due_date"]) else {
                errors.add("due_date", "error.date")
                throw InvalidForm(errors: errors)
            }
            if !errors.isEmpty { throw InvalidForm(errors: errors) }
            let current = try await status(id, on: db)
            do {
                try Instruction.checkRequestItems(from: current, items: [v["items"]], due: due, today: LuxembourgTime.calendarDate(of: now))
            } catch let refusal as Instruction.Refusal {
                errors.add(refusal == .dueDateNotLater ? "due_date" : "items", refusal.messageKey)
                throw InvalidForm(errors: errors)
            }
            let r = MissingItemRequest()
            r.$application.id = id
            r.requestedBy = user.id!
            r.requestedAt = now
            r.items = v["items"]
            r.dueDate = due.iso
            try await r.create(on: db)
            try await StatusChanges.fire(.requestItems, on: id, from: current, by: .staff(user.userRole), now: now, on: db)
            try await notifyApplicant(req, bundle: bundle, subject: "instruction.mail.items_subject", body: "instruction.mail.items_body",
                                      args: { [v["items"], DateText.date(due, $0)] }, on: db)
            try await Audit.record("application.items_requested", entity: "application", id: id, summary: v["items"], by: req, on: db)
        }
    }

    /// COM-14, COM-15: the officer declares the file complete; eligibility review starts.
    static func markComplete(_ req: Request) async throws -> Response {
        let now = req.now
        return try await step(req, sent: .items, field: "items", flash: "instruction.flash.complete") { user, bundle, _, db in
            let id = bundle.application.id!
            let current = try await status(id, on: db)
            try Instruction.checkComplete(from: current, completeness: completeness(bundle))
            try await StatusChanges.fire(.declareComplete, on: id, from: current, by: .staff(user.userRole), now: now, on: db)
            try await Audit.record("application.complete", entity: "application", id: id, by: req, on: db)
        }
    }

    /// COM-01, COM-03, AMIF-04: records the checklist; all passed sends the file to evaluation.
    static func recordEligibility(_ req: Request) async throws -> Response {
        let now = req.now
        let loaded = try await load(req)
        let (_, results) = try await loaded.1.evaluate(on: req.reads, now: loaded.1.application.submittedAt ?? now, language: req.language)
        let automaticFailures = results.filter { $0.outcome == .failed }.count
        return try await step(req, loaded: loaded, sent: .eligibility, field: "check_", flash: "instruction.flash.eligibility") { user, bundle, v, db in
            let id = bundle.application.id!
            let items = EligibilityReview.items(for: bundle.ruleSet)
            var review = EligibilityReview(items: items, answers: [:])
            var errors = FormErrors()
            for item in items {
                let choice = v["check_" + item.code]
                let why = v["why_" + item.code].trimmingCharacters(in: .whitespacesAndNewlines)
                if choice != "yes" && choice != "no" { errors.add("check_" + item.code, "instruction.refusal.checklist_unanswered") }
                if why.isEmpty { errors.add("why_" + item.code, "instruction.refusal.justification_missing") }
                if why.count > 2000 { errors.add("why_" + item.code, "error.too_long", "2000") }
                if choice == "yes" || choice == "no" { review.answers[item.code] = .init(passed: choice == "yes", justification: why) }
            }
            if !errors.isEmpty { throw InvalidForm(errors: errors) }
            let current = try await status(id, on: db)
            guard ApplicationLifecycle.allows(.declareEligible, from: current) else { throw Instruction.Refusal.wrongStatus }
            for item in items {
                guard let answer = review.answers[item.code] else { continue }
                let c = try await EligibilityCheck.query(on: db).filter(\.$application.$id == id).filter(\.$itemCode == item.code).first()
                    ?? EligibilityCheck()
                c.$application.id = id
                c.itemCode = item.code
                c.passed = answer.passed
                c.justification = answer.justification
                c.checkedBy = user.id!
                c.checkedAt = now
                try await c.save(on: db)
            }
            // A failed item or rule keeps the file here, for a rejection with reasons.
            if (try? Instruction.checkEligible(from: current, review: review, automaticFailures: automaticFailures)) != nil {
                try await StatusChanges.fire(.declareEligible, on: id, from: current, by: .staff(user.userRole), now: now, on: db)
                try await Audit.record("application.eligible", entity: "application", id: id, by: req, on: db)
            } else {
                try await Audit.record("application.eligibility_failed", entity: "application", id: id,
                                       summary: review.failed.map(\.code).joined(separator: ", "), by: req, on: db)
            }
        }
    }

    /// COM-09: assigns an evaluator, who must declare the absence of a conflict of interest first.
    static func assign(_ req: Request) async throws -> Response {
        let now = req.now
        return try await step(req, sent: .assign, field: "evaluator", flash: "instruction.flash.assigned") { user, bundle, v, db in
            let id = bundle.application.id!
            // Evaluators are assigned while the file is in evaluation (the status stays).
            guard try await status(id, on: db) == .inEvaluation else { throw Instruction.Refusal.wrongStatus }
            guard let evaluatorID = UUID(uuidString: v["evaluator"]), let evaluator = try await User.find(evaluatorID, on: db),
                  evaluator.userRole == .evaluator, evaluator.isActive else {
                var e = FormErrors()
                e.add("evaluator", "instruction.choose_evaluator")
                throw InvalidForm(errors: e)
            }
            let existing = try await EvaluationAssignment.query(on: db).filter(\.$application.$id == id)
                .filter(\.$evaluator.$id == evaluatorID).first()
            guard existing == nil else {
                var e = FormErrors()
                e.add("evaluator", "instruction.already_assigned")
                throw InvalidForm(errors: e)
            }
            let x = EvaluationAssignment()
            x.$application.id = id
            x.$evaluator.id = evaluatorID
            x.assignedBy = user.id!
            x.assignedAt = now
            x.declaration = EvaluationAssignment.Declaration.pending.rawValue
            try await x.create(on: db)
            try await Mailer.enqueue(to: evaluator.email, userID: evaluator.id, subject: req.t("evaluation.mail.subject"),
                                     body: req.t("evaluation.mail.body", req.application.subsidiaConfig.baseURL + "/evaluations"),
                                     kind: "evaluation", now: now, on: db)
            try await Audit.record("evaluation.assigned", entity: "application", id: id, summary: evaluator.email, by: req, on: db)
        }
    }

    /// COM-10: the consolidated assessment closes the evaluation, with the mean of the totals handed in.
    static func closeEvaluation(_ req: Request) async throws -> Response {
        let now = req.now
        return try await step(req, sent: .assessment, field: "assessment", flash: "instruction.flash.evaluated") { user, bundle, v, db in
            let id = bundle.application.id!
            let text = try bounded(v, "assessment", max: 8000)
            let handed = try await EvaluationAssignment.query(on: db).filter(\.$application.$id == id).filter(\.$handedInAt != nil).all()
            let current = try await status(id, on: db)
            try Instruction.checkConsolidate(from: current, handedIn: handed.count, assessment: text)
            let mean = ScoreSummary(totals: handed.compactMap { $0.totalHundredths.map(Points.init(hundredths:)) }).mean
            try await StatusChanges.fire(.closeEvaluation, on: id, from: current, by: .staff(user.userRole), now: now,
                                         [("assessment", text), ("score_hundredths", mean?.hundredths)], on: db)
            try await Audit.record("application.evaluated", entity: "application", id: id, summary: mean?.description ?? "", by: req, on: db)
        }
    }

    /// COM-17 with AMIF-02: the approval is checked against the envelopes inside the transaction that holds
    /// the call's approval lock (see `Decisions.approve`).
    static func approve(_ req: Request) async throws -> Response {
        let (_, bundle) = try await load(req)
        let values = req.formValues()
        guard let amount = Money.parse(values["amount"]), amount <= Money.inputMaximum else {
            var e = FormErrors()
            e.add("amount", "error.amount")
            return try await render(req, bundle: bundle, values: values, errors: e, sent: .approve)
        }
        do {
            try await Decisions.approve(req, application: bundle.application.id!, amount: amount)
        } catch let refusal as Instruction.Refusal {
            var e = FormErrors()
            e.add("amount", refusal.messageKey)
            let fresh = try await ApplicationBundle.load(try await ApplicationsController.reload(req, bundle.application), on: req.reads)
            return try await render(req, bundle: fresh, values: values, errors: e, sent: .approve)
        }
        return try await req.redirect("/staff/applications/\(bundle.application.id!)", flash: "instruction.flash.approved")
    }

    /// COM-17: a rejection with reasons the applicant reads. Nothing was committed, so nothing is freed.
    static func reject(_ req: Request) async throws -> Response {
        let now = req.now
        return try await step(req, sent: .reject, field: "reasons", flash: "instruction.flash.rejected") { user, bundle, v, db in
            let id = bundle.application.id!
            let reasons = try bounded(v, "reasons", max: 4000)
            let current = try await status(id, on: db)
            try Instruction.checkReject(from: current, reasons: reasons)
            // The status first: a withdrawal that came first leaves no rejection letter behind.
            try await StatusChanges.fire(.reject, on: id, from: current, by: .staff(user.userRole), now: now,
                                         [("decision_reasons", reasons), ("decided_at", now)], on: db)
            try await Decisions.record(.rejected, bundle: bundle, amount: nil, reasons: reasons, binding: nil, by: user, req: req, on: db)
            try await Audit.record("application.rejected", entity: "application", id: id, summary: reasons, by: req, on: db)
        }
    }

    /// An approval is cancelled only with a reason; its amount is freed (the file goes back to `evaluated`).
    static func cancel(_ req: Request) async throws -> Response {
        let now = req.now
        return try await step(req, sent: .cancel, field: "reason", flash: "instruction.flash.cancelled") { user, bundle, v, db in
            let id = bundle.application.id!
            let reason = try bounded(v, "reason", max: 4000)
            let current = try await status(id, on: db)
            try Instruction.checkCancelApproval(from: current, reason: reason)
            let freed = try await GrantApplication.find(id, on: db)?.grantedCents
            try await StatusChanges.fire(.cancelApproval, on: id, from: current, by: .staff(user.userRole), now: now,
                                         [("granted_cents", Int64?.none), ("decided_at", Date?.none)], on: db)
            try await Decisions.record(.cancelled, bundle: bundle, amount: freed, reasons: reason, binding: nil, by: user, req: req, on: db)
            try await Audit.record("application.approval_cancelled", entity: "application", id: id,
                                   summary: (freed.map { Money(cents: $0).description } ?? "") + " – " + reason, by: req, on: db)
        }
    }

    /// An internal note: staff only, never shown to the applicant.
    static func comment(_ req: Request) async throws -> Response {
        let now = req.now
        return try await step(req, sent: .comment, field: "comment", flash: "instruction.flash.comment") { user, bundle, v, db in
            var errors = FormErrors()
            errors.required(v, "comment", max: 4000)
            if !errors.isEmpty { throw InvalidForm(errors: errors) }
            let c = ApplicationComment()
            c.$application.id = bundle.application.id!
            c.authorID = user.id!
            c.authorName = user.name
            c.createdAt = now
            c.body = v["comment"].trimmingCharacters(in: .whitespacesAndNewlines)
            try await c.create(on: db)
            try await Audit.record("application.comment", entity: "application", id: bundle.application.id, by: req, on: db)
        }
    }

    /// A message to the applicant organisation's first contact and its members, by mail (outbox).
    /// `args` gives the body's values in each recipient's language (dates and amounts are written per language).
    static func notifyApplicant(
        _ req: Request, bundle: ApplicationBundle, subject: String, body: String, args: (Language) -> [String], on db: any Database
    ) async throws {
        let a = bundle.application
        let members = try await Membership.query(on: db).filter(\.$organisation.$id == a.$organisation.id).with(\.$user).all().map(\.user)
        var sent = Set<String>()
        let link = req.application.subsidiaConfig.baseURL + "/applications/\(a.id!)"
        for (email, userID, language) in [(a.contact1Email, nil, nil)] + members.map({ ($0.email, $0.id, $0.language) }) {
            guard sent.insert(email.lowercased()).inserted else { continue }
            let lang = language.flatMap(Language.init(rawValue:)) ?? req.language
            let catalogue = req.application.catalogue
            try await Mailer.enqueue(to: email, userID: userID, subject: catalogue.text(subject, lang, [a.reference ?? ""]),
                                     body: catalogue.text(body, lang, [a.reference ?? "", a.title] + args(lang)) + "\n\n" + link,
                                     kind: "instruction", now: req.now, on: db)
        }
    }
}
