import Fluent
import Foundation
import SQLKit
import SubsidiaCore
import Vapor

/// The check, the declaration, the review, the submission and its receipt, and the changes of status an applicant makes.
extension ApplicationsController {
    // MARK: Check, declaration, review, submission

    static func check(_ req: Request) async throws -> Response {
        let access = try await ApplicationAccess.load(req)
        let bundle = try await ApplicationBundle.load(access.application, on: req.store)
        let (cap, results) = try await bundle.evaluate(on: req.store, now: req.now, language: req.language)
        return try await renderCheck(req, bundle: bundle, cap: cap, results: results, blocked: false)
    }

    static func renderCheck(_ req: Request, bundle: ApplicationBundle, cap: FundingCap, results: [RuleResult], blocked: Bool) async throws -> Response {
        let ordered = results.sorted { order($0.outcome) < order($1.outcome) }
        let failed = results.filter { $0.outcome == .failed }.count
        return try await req.render(
            "applications/check", title: blocked ? "check.blocked_title" : "check.title",
            CheckPage(heading: req.t(blocked ? "check.blocked_title" : "check.title"),
                      intro: req.t(blocked ? "check.blocked_intro" : (failed > 0 ? "check.intro_failed" : "check.intro_ok")),
                      back: "/applications/\(bundle.application.storedID)", results: ApplicationTexts.checkResults(ordered, bundle: bundle, req: req),
                      failed: failed, warnings: results.filter { $0.outcome == .warning }.count,
                      capText: cap.binding.map { ApplicationTexts.capSentence($0, bundle: bundle, req: req) }, blocked: blocked),
            errors: blocked, status: blocked ? .unprocessableEntity : .ok)
    }

    static func order(_ o: RuleResult.Outcome) -> Int { o == .failed ? 0 : (o == .warning ? 1 : 2) }

    static func declarationForm(_ req: Request) async throws -> Response {
        let access = try await ApplicationAccess.load(req)
        let bundle = try await ApplicationBundle.load(access.application, on: req.store)
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
        let base = "/applications/\(try bundle.application.storedID)"
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
        let bundle = try await ApplicationBundle.load(access.application, on: req.store)
        guard ApplicationLifecycle.isEditable(bundle.application.applicationStatus) else { return try await ApplicationTexts.notEditable(req, bundle) }
        guard access.isSignatory else { throw Abort(.forbidden) }
        let v = req.formValues()
        let e = ApplicationOperations.checkDeclaration(v)
        if !e.isEmpty { return try await renderDeclaration(req, bundle: bundle, access: access, values: v, errors: e) }
        try await ApplicationOperations.declare(req, bundle: bundle, values: v, by: access.user)
        let a = bundle.application
        return try await req.redirect("/applications/\(a.storedID)", flash: "app.flash.declared")
    }

    /// "Check your answers": every section with its Change link; skipped optional answers say "Not provided".
    static func review(_ req: Request) async throws -> Response {
        let access = try await ApplicationAccess.load(req)
        let bundle = try await ApplicationBundle.load(access.application, on: req.store)
        let (_, results) = try await bundle.evaluate(on: req.store, now: req.now, language: req.language)
        let base = "/applications/\(try bundle.application.storedID)"
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
        let bundle = try await ApplicationBundle.load(access.application, on: req.store)
        guard ApplicationLifecycle.isEditable(bundle.application.applicationStatus) else { return try await ApplicationTexts.notEditable(req, bundle) }
        // Only a signatory submits (COM-11); the rules say the same of the declaration.
        _ = try ApplicationLifecycle.check(.submit, from: bundle.application.applicationStatus, by: access.actor)
        let now = req.now
        let (cap, results) = try await bundle.evaluate(on: req.store, now: now, language: req.language)
        // Eligibility failures block submission with a page that says what to do.
        if ApplicationRules.blocksSubmission(results) {
            return try await renderCheck(req, bundle: bundle, cap: cap, results: results, blocked: true)
        }
        // The receipt page's flash ("submitted" or "submitted again") is written with the submission itself.
        _ = try await Submission.submit(req, bundle: bundle, results: results, now: now)
        return req.redirect(to: "/applications/\(try bundle.application.storedID)/receipt", redirectType: .normal)
    }

    static func receipt(_ req: Request) async throws -> Response {
        let access = try await ApplicationAccess.load(req)
        let a = access.application
        guard let last = try await req.store.query(ApplicationSubmission.self).filter(\.$application.$id == a.storedID)
            .sort(\.$number, .descending).field(\.$id).field(\.$number).field(\.$submittedAt).field(\.$contentSHA256).field(\.$snapshot).first(),
            let reference = a.reference else { throw Abort(.notFound) }
        let snapshot = try JSONDecoder().decode(Submission.Snapshot.self, from: Data(last.snapshot.utf8))
        let bundle = try await ApplicationBundle.load(a, on: req.store)
        let docs = snapshot.documents.map { ReceiptPage.Doc(label: $0.label.text(req.language), received: $0.received) }
        let call = bundle.call.call
        let reopen = canReopen(a, call: call, now: req.now)
        return try await req.render("applications/receipt", title: "receipt.title", ReceiptPage(
            reference: reference, submittedAt: req.dateTime(last.submittedAt), title: a.title, callTitle: call.title.text(req.language),
            contact: bundle.call.programme.contactEmail, documents: docs, sha256: last.contentSHA256,
            pdfHref: "/applications/\(a.storedID)/receipt/\(last.number).pdf", back: "/applications/\(a.storedID)", version: last.number,
            missingCount: docs.filter { !$0.received }.count, canReopen: reopen && access.canEdit,
            reopenHref: "/applications/\(a.storedID)/reopen"), hasForm: true)
    }

    static func receiptPDF(_ req: Request) async throws -> Response {
        let access = try await ApplicationAccess.load(req)
        guard let number = req.parameters.get("number").flatMap({ Int($0.replacingOccurrences(of: ".pdf", with: "")) }),
              let s = try await req.store.query(ApplicationSubmission.self).filter(\.$application.$id == access.application.storedID)
                .filter(\.$number == number).first() else { throw Abort(.notFound) }
        return Response.pdf(Array(s.receiptPDF), filename: "\(access.application.reference ?? "receipt")-\(number).pdf")
    }

    static func applicationPDF(_ req: Request) async throws -> Response {
        let access = try await ApplicationAccess.load(req)
        let bundle = try await ApplicationBundle.load(access.application, on: req.store)
        let bytes = ApplicationSummary.pdf(bundle, req: req)
        return Response.pdf(bytes, filename: "application-\(try bundle.application.reference ?? String(bundle.application.storedID.uuidString.prefix(8))).pdf")
    }

    static func withdraw(_ req: Request) async throws -> Response {
        let access = try await ApplicationAccess.load(req, for: .edit)
        let a = access.application
        let id = try a.requireID()
        do { try ApplicationTransitions.checkWithdraw(a.applicationStatus) } catch { return try await req.redirect("/applications/\(id)", flash: "app.flash.not_editable") }
        let now = req.now
        try await req.store.write { tx in
            // A compare-and-set on the status read: an approval that came first makes this change nothing (409).
            try await StatusChanges.fire(.withdraw, on: id, from: a.applicationStatus, by: access.actor, now: now, [("withdrawn_at", now)], on: tx)
            try await tx.audit("application.withdrawn", entity: "application", id: id, summary: a.reference ?? "", by: req)
        }
        return try await req.redirect("/applications", flash: "app.flash.withdrawn")
    }

    /// COM-15: the applicant has sent what the officer asked for (documents can be added while incomplete);
    /// the file goes back to the officer.
    static func itemsProvided(_ req: Request) async throws -> Response {
        let access = try await ApplicationAccess.load(req, for: .edit)
        let a = access.application
        do { try Instruction.checkItemsProvided(from: a.applicationStatus) } catch {
            return try await req.redirect("/applications/\(a.storedID)", flash: "app.flash.not_editable")
        }
        let now = req.now
        let id = try a.requireID()
        try await req.store.write { tx in
            try await StatusChanges.fire(.itemsProvided, on: id, from: a.applicationStatus, by: access.actor, now: now, on: tx)
            try await tx.query(MissingItemRequest.self).filter(\.$application.$id == id).filter(\.$answeredAt == nil)
                .set(\.$answeredAt, to: now).update()
            try await tx.audit("application.items_provided", entity: "application", id: id, by: req)
        }
        return try await req.redirect("/applications/\(id)", flash: "app.flash.items_provided")
    }

    /// Fixed-deadline calls: back to draft until the deadline; the submitted versions stay on record.
    static func reopen(_ req: Request) async throws -> Response {
        let access = try await ApplicationAccess.load(req, for: .edit)
        let a = access.application
        guard let call = try await req.store.find(Call.self, a.$call.id) else { throw Abort(.notFound) }
        do {
            try ApplicationTransitions.checkReopen(a.applicationStatus, kind: call.callKind, closesAt: call.closesAt, now: req.now)
        } catch {
            return try await req.redirect("/applications/\(a.storedID)", flash: "app.flash.cannot_reopen")
        }
        let id = try a.requireID()
        let now = req.now
        try await req.store.write { tx in
            // Back to draft with the declaration cleared, in the same compare-and-set: a decision or a withdrawal
            // that came first makes this change nothing (409).
            try await StatusChanges.fire(.reopen, on: id, from: a.applicationStatus, by: access.actor, now: now,
                                         [("declared_by", UUID?.none), ("declared_at", Date?.none)], on: tx)
            try await tx.audit("application.reopened", entity: "application", id: id, summary: a.reference ?? "", by: req)
        }
        return try await req.redirect("/applications/\(a.storedID)", flash: "app.flash.reopened")
    }
}
