import Fluent
import Foundation
import SubsidiaCore
import Vapor

/// The financing plan and the earlier subsidies (Annex 1 of the communes' form).
extension BudgetController {
    // MARK: Financing plan

    static func financing(_ req: Request) async throws -> Response {
        let access = try await ApplicationAccess.load(req)
        let bundle = try await ApplicationBundle.load(access.application, on: req.store)
        var c = FormValues()
        c["complete"] = bundle.marked(.financing) ? "yes" : ""
        return try await renderFinancing(req, bundle: bundle, access: access, add: FormValues(), errors: FormErrors(), complete: c)
    }

    static func renderFinancing(
        _ req: Request, bundle: ApplicationBundle, access: ApplicationAccess, add: FormValues, errors: FormErrors, complete: FormValues,
        conflict: Bool = false, editing: RevenueLineRecord? = nil
    ) async throws -> Response {
        let base = "/applications/\(try bundle.application.storedID)"
        let editable = ApplicationLifecycle.isEditable(bundle.application.applicationStatus) && access.canEdit
        let sum = bundle.summary
        let rows = try bundle.revenues.map { r in
            let kind = RevenueKind(rawValue: r.kind) ?? .ownResources
            return LinesPage.Row(
                category: "\(kind.line). " + req.t(kind.labelKey), detail: [r.source, r.detail].filter { !$0.isEmpty }.joined(separator: " – "),
                note: kind.isLoan ? req.t(r.loanLinked ? "revenue.loan_linked" : "revenue.loan_not_linked") : nil,
                amount: req.money(Money(cents: r.amountCents)), edit: editable ? base + "/financing/lines/\(try r.storedID)" : nil,
                delete: editable ? base + "/financing/lines/\(try r.storedID)/delete" : nil)
        }
        // PAFMI-02: loans are shown apart from grants and own funds.
        let totals = [
            LinesPage.Total(label: "10. " + req.t("revenue.own"), amount: req.money(sum.ownResources), strong: false),
            LinesPage.Total(label: "11. " + req.t("budget.other_revenues"), amount: req.money(sum.otherRevenues), strong: false),
            LinesPage.Total(label: "11. " + req.t("budget.of_which_loans"), amount: req.money(sum.loans), strong: false),
            LinesPage.Total(label: req.t("budget.total_b"), amount: req.money(sum.totalRevenues), strong: true),
            LinesPage.Total(label: req.t("budget.total_a"), amount: req.money(sum.totalExpenses), strong: false),
            LinesPage.Total(label: req.t("budget.balance"), amount: req.money(sum.balance), strong: true),
        ]
        var lineForm: FormView?
        var completeForm: FormView?
        if editable {
            var f = FormBuilder(req, values: add, errors: errors)
            f.section(editing == nil ? "revenue.add_line" : "revenue.edit_line")
            f.choice("kind", "revenue.kind", type: "select", options: [("", "form.choose")] + RevenueKind.allCases.map { ($0.rawValue, "\($0.line). " + req.t($0.labelKey)) })
            f.text("source", "revenue.source", hint: "revenue.source_hint", optional: true, maxLength: 200)
            f.text("detail", "revenue.detail", hint: "revenue.detail_hint", optional: true, maxLength: 300)
            f.text("amount", "budget.amount", maxLength: 20, inputmode: "decimal", width: "10")
            f.checkbox("loan_linked", "revenue.loan_linked_label", hint: "revenue.loan_linked_hint")
            lineForm = f.build(action: try editing.map { base + "/financing/lines/\(try $0.storedID)" } ?? base + "/financing/lines",
                               submit: editing == nil ? "budget.add" : "form.save")
            var c = FormBuilder(req, values: complete, errors: FormErrors())
            c.section(nil)
            c.checkbox("complete", "revenue.mark_complete", hint: "revenue.mark_complete_hint")
            completeForm = c.build(action: base + "/financing", submit: "app.save_and_return")
        }
        return try await req.render("applications/lines", title: "section.financing", LinesPage(
            heading: req.t(editing == nil ? "section.financing" : "revenue.edit_line"), intro: req.t("revenue.intro"), back: base, rows: rows,
            totals: totals, capText: nil, capExceeded: false, addForm: lineForm, completeForm: editing == nil ? completeForm : nil,
            version: String(bundle.version(of: .financing)), conflict: conflict, readOnly: !editable,
            guidance: [req.t("revenue.guidance10"), req.t("revenue.guidance11")]),
            errors: !errors.isEmpty || conflict, status: conflict ? .conflict : (errors.isEmpty ? .ok : .unprocessableEntity))
    }

    static func saveRevenue(_ req: Request) async throws -> Response {
        let (access, bundle) = try await editableBundle(req)
        let v = req.formValues()
        let lineID = req.parameters.get("lineID", as: UUID.self)
        let record: RevenueLineRecord? = lineID.flatMap { id in bundle.revenues.first { $0.id == id } }
        if lineID != nil && record == nil { throw Abort(.notFound) }
        let (line, errors) = BudgetForms.parseRevenue(v)
        guard let line else {
            return try await renderFinancing(req, bundle: bundle, access: access, add: v, errors: errors, complete: FormValues(), editing: record)
        }
        let appID = try bundle.application.storedID
        let ok = try await ApplicationOperations.saveRevenue(req, bundle: bundle, record: record, line: line, version: Int(v["version"])) != nil
        if !ok {
            let fresh = try await ApplicationBundle.reload(bundle.application, on: req.store)
            return try await renderFinancing(req, bundle: fresh, access: access, add: v, errors: FormErrors(), complete: FormValues(), conflict: true, editing: record)
        }
        return try await req.redirect("/applications/\(appID)/financing", flash: "budget.flash.saved")
    }

    static func editRevenue(_ req: Request) async throws -> Response {
        let (access, bundle) = try await editableBundle(req)
        guard let id = req.parameters.get("lineID", as: UUID.self), let r = bundle.revenues.first(where: { $0.id == id }) else { throw Abort(.notFound) }
        var v = FormValues()
        v["kind"] = r.kind
        v["source"] = r.source
        v["detail"] = r.detail
        v["amount"] = MoneyFormatter.inputValue(Money(cents: r.amountCents), language: req.language)
        v["loan_linked"] = r.loanLinked ? "yes" : ""
        v["version"] = String(bundle.version(of: .financing))
        return try await renderFinancing(req, bundle: bundle, access: access, add: v, errors: FormErrors(), complete: FormValues(), editing: r)
    }

    static func deleteRevenue(_ req: Request) async throws -> Response {
        let (_, bundle) = try await editableBundle(req)
        guard let id = req.parameters.get("lineID", as: UUID.self), let r = bundle.revenues.first(where: { $0.id == id }) else { throw Abort(.notFound) }
        try await ApplicationOperations.deleteRevenue(req, bundle: bundle, record: r)
        return try await req.redirect("/applications/\(bundle.application.storedID)/financing", flash: "budget.flash.removed")
    }

    static func saveFinancing(_ req: Request) async throws -> Response {
        let (_, bundle) = try await editableBundle(req)
        let v = req.formValues()
        let a = bundle.application
        try await ApplicationOperations.markComplete(req, bundle: bundle, section: .financing, complete: v.isChecked("complete"))
        return try await req.redirect("/applications/\(a.storedID)", flash: "app.flash.saved")
    }

    // MARK: Earlier subsidies (Annex 1, communes)

    struct PreviousPage: Encodable, Sendable {
        struct Row: Encodable, Sendable {
            let name: String
            let year: Int
            let granted: String
            let delete: String?
        }

        let back: String
        let rows: [Row]
        let addForm: FormView?
        let completeForm: FormView?
    }

    static func previous(_ req: Request) async throws -> Response {
        let access = try await ApplicationAccess.load(req)
        let bundle = try await ApplicationBundle.load(access.application, on: req.store)
        guard bundle.formSections.contains(.previousSubsidies) else { throw Abort(.notFound) }
        return try await renderPrevious(req, bundle: bundle, access: access, values: FormValues(), errors: FormErrors())
    }

    static func renderPrevious(_ req: Request, bundle: ApplicationBundle, access: ApplicationAccess, values: FormValues, errors: FormErrors) async throws -> Response {
        let base = "/applications/\(try bundle.application.storedID)"
        let editable = ApplicationLifecycle.isEditable(bundle.application.applicationStatus) && access.canEdit
        var add: FormView?
        var complete: FormView?
        if editable {
            var f = FormBuilder(req, values: values, errors: errors)
            f.section("previous.add")
            f.text("project_name", "previous.project_name", maxLength: 200)
            f.text("year", "previous.year", maxLength: 4, inputmode: "numeric", width: "5")
            f.choice("granted", "previous.granted", type: "radios", options: [("yes", "form.yes"), ("no", "form.no")])
            add = f.build(action: base + "/previous", submit: "budget.add")
            var c = FormBuilder(req, values: FormValues(["complete": bundle.marked(.previousSubsidies) ? ["yes"] : []]), errors: FormErrors())
            c.section(nil)
            c.checkbox("complete", "previous.mark_complete")
            complete = c.build(action: base + "/previous/complete", submit: "app.save_and_return")
        }
        return try await req.render("applications/previous", title: "section.previous_subsidies", PreviousPage(
            back: base, rows: bundle.previous.map { p in
                PreviousPage.Row(name: p.projectName, year: p.year, granted: req.t(p.granted ? "form.yes" : "form.no"),
                                 delete: editable ? base + "/previous/\(try p.storedID)/delete" : nil)
            }, addForm: add, completeForm: complete), errors: !errors.isEmpty, status: errors.isEmpty ? .ok : .unprocessableEntity)
    }

    static func addPrevious(_ req: Request) async throws -> Response {
        let (access, bundle) = try await editableBundle(req)
        let v = req.formValues()
        let (row, e) = ApplicationOperations.checkPrevious(v, now: req.now)
        guard let row else { return try await renderPrevious(req, bundle: bundle, access: access, values: v, errors: e) }
        try await ApplicationOperations.addPrevious(req, bundle: bundle, row)
        return try await req.redirect("/applications/\(bundle.application.storedID)/previous", flash: "budget.flash.saved")
    }

    static func deletePrevious(_ req: Request) async throws -> Response {
        let (_, bundle) = try await editableBundle(req)
        guard let id = req.parameters.get("rowID", as: UUID.self), let p = bundle.previous.first(where: { $0.id == id }) else { throw Abort(.notFound) }
        try await ApplicationOperations.removePrevious(req, bundle: bundle, record: p)
        return try await req.redirect("/applications/\(bundle.application.storedID)/previous", flash: "budget.flash.removed")
    }

    static func completePrevious(_ req: Request) async throws -> Response {
        let (_, bundle) = try await editableBundle(req)
        let v = req.formValues()
        try await ApplicationOperations.markComplete(req, bundle: bundle, section: .previousSubsidies, complete: v.isChecked("complete"))
        return try await req.redirect("/applications/\(bundle.application.storedID)", flash: "app.flash.saved")
    }
}
