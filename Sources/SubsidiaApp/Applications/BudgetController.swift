import Fluent
import Foundation
import SubsidiaCore
import Vapor

/// The provisional budget (expenses 1–8), the financing plan (revenues 10–11, loans apart) and earlier
/// subsidies. Every change carries the section's version, so two tabs never overwrite each other.
enum BudgetController {
    struct LinesPage: Encodable, Sendable {
        struct Row: Encodable, Sendable {
            let category: String
            let detail: String
            let note: String?
            let amount: String
            let edit: String?
            let delete: String?
        }

        struct Total: Encodable, Sendable {
            let label: String
            let amount: String
            let strong: Bool
        }

        let heading: String
        let intro: String
        let back: String
        let rows: [Row]
        let totals: [Total]
        let capText: String?
        let capExceeded: Bool
        let addForm: FormView?
        let completeForm: FormView?
        let version: String
        let conflict: Bool
        let readOnly: Bool
        let guidance: [String]
    }

    // MARK: Budget

    static func budget(_ req: Request) async throws -> Response {
        let access = try await ApplicationAccess.load(req)
        let bundle = try await ApplicationBundle.load(access.application, on: req.store)
        var add = FormValues()
        add["quantity"] = "1"
        add["share"] = "100"
        var complete = FormValues()
        complete["requested"] = bundle.application.requested.map { MoneyFormatter.inputValue($0, language: req.language) } ?? ""
        complete["complete"] = bundle.marked(.budget) ? "yes" : ""
        return try await renderBudget(req, bundle: bundle, access: access, add: add, addErrors: FormErrors(), complete: complete, completeErrors: FormErrors())
    }

    static func renderBudget(
        _ req: Request, bundle: ApplicationBundle, access: ApplicationAccess, add: FormValues, addErrors: FormErrors,
        complete: FormValues, completeErrors: FormErrors, conflict: Bool = false, editing: ExpenseLineRecord? = nil
    ) async throws -> Response {
        let base = "/applications/\(try bundle.application.storedID)"
        let editable = ApplicationLifecycle.isEditable(bundle.application.applicationStatus) && access.canEdit
        let sum = bundle.summary
        let rows = try bundle.expenses.map { e in
            LinesPage.Row(
                category: "\(e.category). " + req.t(ExpenseCategory(rawValue: e.category)?.labelKey ?? "budget.cat8"),
                detail: e.detail, note: lineNote(e, req: req),
                // Computed again rather than read: a row stored out of range before the checks shows as such.
                amount: e.line.amount(kilometreRate: bundle.kilometreRate).map(req.money) ?? req.t("budget.line_out_of_range"),
                edit: editable ? base + "/budget/lines/\(try e.storedID)" : nil, delete: editable ? base + "/budget/lines/\(try e.storedID)/delete" : nil)
        }
        var totals = ExpenseCategory.allCases.compactMap { c in
            sum.byCategory[c].map { LinesPage.Total(label: "\(c.rawValue). " + req.t(c.labelKey), amount: req.money($0), strong: false) }
        }
        totals.append(.init(label: req.t("budget.total_a"), amount: req.money(sum.totalExpenses), strong: true))
        if sum.notEligible > .zero { totals.append(.init(label: req.t("budget.not_eligible_total"), amount: req.money(sum.notEligible), strong: false)) }
        totals.append(.init(label: req.t("budget.eligible_total"), amount: req.money(sum.eligibleTotal), strong: true))
        totals.append(.init(label: req.t("budget.total_b"), amount: req.money(sum.totalRevenues), strong: false))
        totals.append(.init(label: req.t("budget.balance"), amount: req.money(sum.balance), strong: true))
        if sum.outOfRange { totals.append(.init(label: req.t("check.budget.out_of_range"), amount: "", strong: true)) }
        let (cap, _) = try await bundle.evaluate(on: req.store, now: req.now, language: req.language)
        let exceeded = bundle.application.requested.map { !cap.allows($0) } ?? false

        var lineForm: FormView?
        var completeForm: FormView?
        if editable {
            let action = try editing.map { base + "/budget/lines/\(try $0.storedID)" } ?? base + "/budget/lines"
            lineForm = expenseForm(req, values: add, errors: addErrors, action: action, editing: editing != nil)
            var f = FormBuilder(req, values: complete, errors: completeErrors)
            f.section(nil)
            f.text("requested", bundle.ruleSet == .amif ? "budget.requested_amif" : "budget.requested", hint: "budget.requested_hint",
                   maxLength: 20, inputmode: "decimal", width: "10")
            f.checkbox("complete", "budget.mark_complete")
            completeForm = f.build(action: base + "/budget", submit: "app.save_and_return")
        }
        let status: HTTPStatus = conflict ? .conflict : (addErrors.isEmpty && completeErrors.isEmpty ? .ok : .unprocessableEntity)
        return try await req.render("applications/lines", title: editing == nil ? "section.budget" : "budget.edit_line", LinesPage(
            heading: req.t(editing == nil ? "section.budget" : "budget.edit_line"), intro: req.t("budget.intro"), back: base, rows: rows,
            totals: totals, capText: cap.binding.map { ApplicationTexts.capSentence($0, bundle: bundle, req: req) },
            capExceeded: exceeded, addForm: lineForm, completeForm: editing == nil ? completeForm : nil,
            version: String(bundle.version(of: .budget)), conflict: conflict, readOnly: !editable,
            guidance: ExpenseCategory.allCases.map { "\($0.rawValue). " + req.t($0.labelKey) + " – " + req.t($0.guidanceKey) }),
            errors: !addErrors.isEmpty || !completeErrors.isEmpty || conflict, status: status)
    }

    static func lineNote(_ e: ExpenseLineRecord, req: Request) -> String? {
        var parts: [String] = []
        let l = e.line
        switch l.category {
        case .personnel:
            parts.append(req.t("budget.note.personnel", l.function, String(l.headcount), String(l.quantity),
                               req.money(l.unitCost), MoneyFormatter.percent(l.share, language: req.language)))
            if l.runningCost { parts.append(req.t("budget.not_eligible")) }
        case .travel where l.privateCar:
            parts.append(req.t("budget.note.km", String(l.quantity)))
        case .propertyRental:
            parts.append(req.t("budget.note.quantity", String(l.quantity), req.money(l.unitCost)) + ", "
                         + req.t("budget.note.share", MoneyFormatter.percent(l.share, language: req.language)))
        default:
            parts.append(req.t("budget.note.quantity", String(l.quantity), req.money(l.unitCost)))
        }
        if !l.justification.isEmpty { parts.append(l.justification) }
        return parts.joined(separator: " · ")
    }

    static func expenseForm(_ req: Request, values: FormValues, errors: FormErrors, action: String, editing: Bool) -> FormView {
        var f = FormBuilder(req, values: values, errors: errors)
        f.section(editing ? "budget.edit_line" : "budget.add_line")
        f.choice("category", "budget.category", type: "select",
                 options: [("", "form.choose")] + ExpenseCategory.allCases.map { (String($0.rawValue), "\($0.rawValue). " + req.t($0.labelKey)) })
        f.text("detail", "budget.detail", hint: "budget.detail_hint", maxLength: 300)
        f.textarea("justification", "budget.justification", hint: "budget.justification_hint", optional: true, maxLength: 1_000, rows: 3)
        f.text("quantity", "budget.quantity", hint: "budget.quantity_hint", maxLength: 9, inputmode: "numeric", width: "5")
        f.text("unit_cost", "budget.unit_cost", hint: "budget.unit_cost_hint", optional: true, maxLength: 20, inputmode: "decimal", width: "10")
        f.section("budget.personnel_section")
        f.text("function", "budget.function", optional: true, maxLength: 120)
        f.text("headcount", "budget.headcount", optional: true, maxLength: 6, inputmode: "numeric", width: "5")
        f.text("share", "budget.share", hint: "budget.share_hint", optional: true, maxLength: 6, inputmode: "decimal", width: "5")
        f.checkbox("running_cost", "budget.running_cost", hint: "budget.running_cost_hint")
        f.section("budget.travel_section")
        f.checkbox("private_car", "budget.private_car", hint: "budget.private_car_hint")
        return f.build(action: action, submit: editing ? "form.save" : "budget.add")
    }

    static func expenseValues(_ l: ExpenseLine, req: Request) -> FormValues {
        var v = FormValues()
        v["category"] = String(l.category.rawValue)
        v["detail"] = l.detail
        v["justification"] = l.justification
        v["quantity"] = String(l.quantity)
        v["unit_cost"] = l.privateCar ? "" : MoneyFormatter.inputValue(l.unitCost, language: req.language)
        v["function"] = l.function
        v["headcount"] = String(l.headcount)
        v["share"] = MoneyFormatter.percent(l.share, language: req.language).replacingOccurrences(of: "%", with: "")
            .replacingOccurrences(of: "\u{00A0}", with: "").replacingOccurrences(of: "\u{202F}", with: "").trimmingCharacters(in: .whitespaces)
        v["running_cost"] = l.runningCost ? "yes" : ""
        v["private_car"] = l.privateCar ? "yes" : ""
        return v
    }

    static func editableBundle(_ req: Request) async throws -> (ApplicationAccess, ApplicationBundle) {
        let access = try await ApplicationAccess.load(req, for: .edit)
        let bundle = try await ApplicationBundle.load(access.application, on: req.store)
        guard ApplicationLifecycle.isEditable(bundle.application.applicationStatus) else { throw Abort.redirect(to: "/applications/\(try bundle.application.storedID)") }
        return (access, bundle)
    }

    static func saveExpense(_ req: Request) async throws -> Response {
        let (access, bundle) = try await editableBundle(req)
        let v = req.formValues()
        let lineID = req.parameters.get("lineID", as: UUID.self)
        let record: ExpenseLineRecord? = lineID.flatMap { id in bundle.expenses.first { $0.id == id } }
        if lineID != nil && record == nil { throw Abort(.notFound) }
        let (line, errors) = BudgetForms.parseExpense(v, kilometreRate: bundle.kilometreRate)
        func again(_ errors: FormErrors, conflict: Bool, bundle: ApplicationBundle) async throws -> Response {
            var complete = FormValues()
            complete["requested"] = bundle.application.requested.map { MoneyFormatter.inputValue($0, language: req.language) } ?? ""
            return try await renderBudget(req, bundle: bundle, access: access, add: v, addErrors: errors, complete: complete,
                                          completeErrors: FormErrors(), conflict: conflict, editing: record)
        }
        guard let line else { return try await again(errors, conflict: false, bundle: bundle) }
        let appID = try bundle.application.storedID
        let ok = try await ApplicationOperations.saveExpense(req, bundle: bundle, record: record, line: line, version: Int(v["version"])) != nil
        if !ok {
            let fresh = try await ApplicationBundle.reload(bundle.application, on: req.store)
            return try await again(FormErrors(), conflict: true, bundle: fresh)
        }
        return try await req.redirect("/applications/\(appID)/budget", flash: "budget.flash.saved")
    }

    static func editExpense(_ req: Request) async throws -> Response {
        let (access, bundle) = try await editableBundle(req)
        guard let id = req.parameters.get("lineID", as: UUID.self), let r = bundle.expenses.first(where: { $0.id == id }) else {
            throw Abort(.notFound)
        }
        var v = expenseValues(r.line, req: req)
        v["version"] = String(bundle.version(of: .budget))
        return try await renderBudget(req, bundle: bundle, access: access, add: v, addErrors: FormErrors(), complete: FormValues(),
                                      completeErrors: FormErrors(), editing: r)
    }

    static func deleteExpense(_ req: Request) async throws -> Response {
        let (_, bundle) = try await editableBundle(req)
        guard let id = req.parameters.get("lineID", as: UUID.self), let r = bundle.expenses.first(where: { $0.id == id }) else {
            throw Abort(.notFound)
        }
        try await ApplicationOperations.deleteExpense(req, bundle: bundle, record: r)
        return try await req.redirect("/applications/\(bundle.application.storedID)/budget", flash: "budget.flash.removed")
    }

    /// The requested amount and "I have completed this section". A request above the cap is kept (nothing
    /// typed is lost) and shown with the rule that binds; submission refuses it.
    static func saveBudget(_ req: Request) async throws -> Response {
        let (access, bundle) = try await editableBundle(req)
        let v = req.formValues()
        let (requested, e) = ApplicationOperations.checkBudget(requested: v["requested"], complete: v.isChecked("complete"), hasLines: !bundle.expenses.isEmpty)
        if !e.isEmpty {
            var add = FormValues()
            add["quantity"] = "1"
            return try await renderBudget(req, bundle: bundle, access: access, add: add, addErrors: FormErrors(), complete: v, completeErrors: e)
        }
        let a = bundle.application
        let ok = try await ApplicationOperations.saveBudget(req, bundle: bundle, requested: requested, complete: v.isChecked("complete"), version: Int(v["version"]))
        if !ok {
            let fresh = try await ApplicationBundle.reload(a, on: req.store)
            return try await renderBudget(req, bundle: fresh, access: access, add: FormValues(), addErrors: FormErrors(), complete: v,
                                          completeErrors: FormErrors(), conflict: true)
        }
        return try await req.redirect("/applications/\(a.storedID)", flash: "app.flash.saved")
    }
}
