import Fluent
import Foundation
import SQLKit
import SubsidiaCore
import Vapor

/// The officer's steps on one application (COM-15 to COM-17): each a compare-and-set on its status through the lifecycle.
extension InstructionController {
    // MARK: Steps

    /// Runs one step: the refusal of a SubsidiaCore check becomes the form's message, nothing written.
    static func step(
        _ req: Request, loaded: (User, ApplicationBundle)? = nil, sent: Sent, field: String, flash: String,
        _ body: @Sendable @escaping (User, ApplicationBundle, FormValues, StoreTransaction) async throws -> Void
    ) async throws -> Response {
        let (user, bundle) = if let loaded { loaded } else { try await load(req) }
        let values = req.formValues()
        do {
            try await req.store.write { tx in try await body(user, bundle, values, tx) }
        } catch let refusal as Instruction.Refusal {
            var errors = FormErrors()
            errors.add(field, refusal.messageKey)
            return try await render(req, bundle: bundle, values: values, errors: errors, sent: sent)
        } catch let invalid as InvalidForm {
            return try await render(req, bundle: bundle, values: values, errors: invalid.errors, sent: sent)
        }
        return try await req.redirect("/staff/applications/\(bundle.application.storedID)", flash: flash)
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
    static func status(_ id: UUID, on store: any StoreReading) async throws -> ApplicationStatus {
        guard let status = try await StatusChanges.current(id, on: store) else { throw Abort(.notFound) }
        return status
    }

    /// COM-15: asks the applicant for the missing items, by mail and on their dashboard.
    static func requestItems(_ req: Request) async throws -> Response {
        let now = req.now
        return try await step(req, sent: .items, field: "items", flash: "instruction.flash.items_requested") { user, bundle, v, tx in
            let id = try bundle.application.storedID
            var errors = FormErrors()
            errors.required(v, "items", max: 2000)
            guard let due = CalendarDate(iso: v["due_date"]) else {
                errors.add("due_date", "error.date")
                throw InvalidForm(errors: errors)
            }
            if !errors.isEmpty { throw InvalidForm(errors: errors) }
            let current = try await status(id, on: tx)
            do {
                try Instruction.checkRequestItems(from: current, items: [v["items"]], due: due, today: LuxembourgTime.calendarDate(of: now))
            } catch let refusal as Instruction.Refusal {
                errors.add(refusal == .dueDateNotLater ? "due_date" : "items", refusal.messageKey)
                throw InvalidForm(errors: errors)
            }
            let r = MissingItemRequest()
            r.$application.id = id
            r.requestedBy = try user.storedID
            r.requestedAt = now
            r.items = v["items"]
            r.dueDate = due.iso
            try await tx.create(r)
            try await StatusChanges.fire(.requestItems, on: id, from: current, by: .staff(user.userRole), now: now, on: tx)
            try await InstructionOperations.notifyApplicant(req, bundle: bundle, subject: "instruction.mail.items_subject", body: "instruction.mail.items_body",
                                      args: { [v["items"], DateText.date(due, $0)] }, on: tx)
            try await tx.audit("application.items_requested", entity: "application", id: id, summary: v["items"], by: req)
        }
    }

    /// COM-14, COM-15: the officer declares the file complete; eligibility review starts.
    static func markComplete(_ req: Request) async throws -> Response {
        let now = req.now
        return try await step(req, sent: .items, field: "items", flash: "instruction.flash.complete") { user, bundle, _, tx in
            let id = try bundle.application.storedID
            let current = try await status(id, on: tx)
            try Instruction.checkComplete(from: current, completeness: completeness(bundle))
            try await StatusChanges.fire(.declareComplete, on: id, from: current, by: .staff(user.userRole), now: now, on: tx)
            try await tx.audit("application.complete", entity: "application", id: id, by: req)
        }
    }

    /// COM-01, COM-03, AMIF-04: records the checklist; all passed sends the file to evaluation.
    static func recordEligibility(_ req: Request) async throws -> Response {
        let now = req.now
        let loaded = try await load(req)
        let (_, results) = try await loaded.1.evaluate(on: req.store, now: loaded.1.application.submittedAt ?? now, language: req.language)
        let automaticFailures = results.filter { $0.outcome == .failed }.count
        return try await step(req, loaded: loaded, sent: .eligibility, field: "check_", flash: "instruction.flash.eligibility") { user, bundle, v, tx in
            let id = try bundle.application.storedID
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
            let current = try await status(id, on: tx)
            guard ApplicationLifecycle.allows(.declareEligible, from: current) else { throw Instruction.Refusal.wrongStatus }
            for item in items {
                guard let answer = review.answers[item.code] else { continue }
                let c = try await tx.query(EligibilityCheck.self).filter(\.$application.$id == id).filter(\.$itemCode == item.code).first()
                    ?? EligibilityCheck()
                c.$application.id = id
                c.itemCode = item.code
                c.passed = answer.passed
                c.justification = answer.justification
                c.checkedBy = try user.storedID
                c.checkedAt = now
                try await tx.save(c)
            }
            // A failed item or rule keeps the file here, for a rejection with reasons.
            if (try? Instruction.checkEligible(from: current, review: review, automaticFailures: automaticFailures)) != nil {
                try await StatusChanges.fire(.declareEligible, on: id, from: current, by: .staff(user.userRole), now: now, on: tx)
                try await tx.audit("application.eligible", entity: "application", id: id, by: req)
            } else {
                try await tx.audit("application.eligibility_failed", entity: "application", id: id,
                                       summary: review.failed.map(\.code).joined(separator: ", "), by: req)
            }
        }
    }

    /// COM-09: assigns an evaluator, who must declare the absence of a conflict of interest first.
    static func assign(_ req: Request) async throws -> Response {
        let now = req.now
        return try await step(req, sent: .assign, field: "evaluator", flash: "instruction.flash.assigned") { user, bundle, v, tx in
            let id = try bundle.application.storedID
            // Evaluators are assigned while the file is in evaluation (the status stays).
            guard try await status(id, on: tx) == .inEvaluation else { throw Instruction.Refusal.wrongStatus }
            guard let evaluatorID = UUID(uuidString: v["evaluator"]), let evaluator = try await tx.find(User.self, evaluatorID),
                  evaluator.userRole == .evaluator, evaluator.isActive else {
                var e = FormErrors()
                e.add("evaluator", "instruction.choose_evaluator")
                throw InvalidForm(errors: e)
            }
            let existing = try await tx.query(EvaluationAssignment.self).filter(\.$application.$id == id)
                .filter(\.$evaluator.$id == evaluatorID).first()
            guard existing == nil else {
                var e = FormErrors()
                e.add("evaluator", "instruction.already_assigned")
                throw InvalidForm(errors: e)
            }
            let x = EvaluationAssignment()
            x.$application.id = id
            x.$evaluator.id = evaluatorID
            x.assignedBy = try user.storedID
            x.assignedAt = now
            x.declaration = EvaluationAssignment.Declaration.pending.rawValue
            try await tx.create(x)
            try await tx.enqueueMail(to: evaluator.email, userID: evaluator.id, subject: req.t("evaluation.mail.subject"),
                                     body: req.t("evaluation.mail.body", req.application.subsidiaConfig.baseURL + "/evaluations"),
                                     kind: "evaluation", now: now)
            try await tx.audit("evaluation.assigned", entity: "application", id: id, summary: evaluator.email, by: req)
        }
    }

    /// COM-10: the consolidated assessment closes the evaluation, with the mean of the totals handed in.
    static func closeEvaluation(_ req: Request) async throws -> Response {
        let now = req.now
        return try await step(req, sent: .assessment, field: "assessment", flash: "instruction.flash.evaluated") { user, bundle, v, tx in
            let id = try bundle.application.storedID
            let text = try bounded(v, "assessment", max: 8000)
            let handed = try await tx.query(EvaluationAssignment.self).filter(\.$application.$id == id).filter(\.$handedInAt != nil).all()
            let current = try await status(id, on: tx)
            try Instruction.checkConsolidate(from: current, handedIn: handed.count, assessment: text)
            let mean = ScoreSummary(totals: handed.compactMap { $0.totalHundredths.map(Points.init(hundredths:)) }).mean
            try await StatusChanges.fire(.closeEvaluation, on: id, from: current, by: .staff(user.userRole), now: now,
                                         [("assessment", text), ("score_hundredths", mean?.hundredths)], on: tx)
            try await tx.audit("application.evaluated", entity: "application", id: id, summary: mean?.description ?? "", by: req)
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
            try await Decisions.approve(req, application: bundle.application.storedID, amount: amount)
        } catch let refusal as Instruction.Refusal {
            var e = FormErrors()
            e.add("amount", refusal.messageKey)
            let fresh = try await ApplicationBundle.reload(bundle.application, on: req.store)
            return try await render(req, bundle: fresh, values: values, errors: e, sent: .approve)
        }
        return try await req.redirect("/staff/applications/\(bundle.application.storedID)", flash: "instruction.flash.approved")
    }

    /// COM-17: a rejection with reasons the applicant reads. Nothing was committed, so nothing is freed.
    static func reject(_ req: Request) async throws -> Response {
        let now = req.now
        return try await step(req, sent: .reject, field: "reasons", flash: "instruction.flash.rejected") { user, bundle, v, tx in
            let id = try bundle.application.storedID
            let reasons = try bounded(v, "reasons", max: 4000)
            let current = try await status(id, on: tx)
            try Instruction.checkReject(from: current, reasons: reasons)
            // The status first: a withdrawal that came first leaves no rejection letter behind.
            try await StatusChanges.fire(.reject, on: id, from: current, by: .staff(user.userRole), now: now,
                                         [("decision_reasons", reasons), ("decided_at", now)], on: tx)
            try await Decisions.record(.rejected, bundle: bundle, amount: nil, reasons: reasons, binding: nil, by: user, req: req, on: tx)
            try await tx.audit("application.rejected", entity: "application", id: id, summary: reasons, by: req)
        }
    }

    /// An approval is cancelled only with a reason; its amount is freed (the file goes back to `evaluated`).
    static func cancel(_ req: Request) async throws -> Response {
        let now = req.now
        return try await step(req, sent: .cancel, field: "reason", flash: "instruction.flash.cancelled") { user, bundle, v, tx in
            let id = try bundle.application.storedID
            let reason = try bounded(v, "reason", max: 4000)
            let current = try await status(id, on: tx)
            try Instruction.checkCancelApproval(from: current, reason: reason)
            let freed = try await tx.find(GrantApplication.self, id)?.grantedCents
            try await StatusChanges.fire(.cancelApproval, on: id, from: current, by: .staff(user.userRole), now: now,
                                         [("granted_cents", Int64?.none), ("decided_at", Date?.none)], on: tx)
            try await Decisions.record(.cancelled, bundle: bundle, amount: freed, reasons: reason, binding: nil, by: user, req: req, on: tx)
            try await tx.audit("application.approval_cancelled", entity: "application", id: id,
                                   summary: (freed.map { Money(cents: $0).description } ?? "") + " – " + reason, by: req)
        }
    }

    /// An internal note: staff only, never shown to the applicant.
    static func comment(_ req: Request) async throws -> Response {
        let now = req.now
        return try await step(req, sent: .comment, field: "comment", flash: "instruction.flash.comment") { user, bundle, v, tx in
            var errors = FormErrors()
            errors.required(v, "comment", max: 4000)
            if !errors.isEmpty { throw InvalidForm(errors: errors) }
            let c = ApplicationComment()
            c.$application.id = try bundle.application.storedID
            c.authorID = try user.storedID
            c.authorName = user.name
            c.createdAt = now
            c.body = v["comment"].trimmingCharacters(in: .whitespacesAndNewlines)
            try await tx.create(c)
            try await tx.audit("application.comment", entity: "application", id: bundle.application.id, by: req)
        }
    }

}
