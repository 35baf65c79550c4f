import Fluent
import Foundation
import SubsidiaCore
import Vapor

/// Officers set up programmes and calls: create, edit, add objectives, actions, themes, caps, documents
/// and information sessions, publish and close; they see and export who registered for a session.
enum StaffCallsController {

    // MARK: Calls list

    struct ListPage: Encodable, Sendable {
        struct Row: Encodable, Sendable {
            let href: String
            let reference: String
            let title: String
            let status: String
            let opens: String
            let closes: String
            let isDemo: Bool
        }

        let rows: [Row]
        let paging: Paging.View
        let statuses: [FormOption]
        let q: String
    }

    static func list(_ req: Request) async throws -> Response {
        _ = try req.requireOfficer()
        let paging = Paging(req)
        let status = (try? req.query.get(String.self, at: "status")).flatMap(CallStatus.init(rawValue:))
        let q = ((try? req.query.get(String.self, at: "q")) ?? "").trimmingCharacters(in: .whitespaces)
        let query = req.store.query(Call.self)
        if let status { query.filter(\.$status == status.rawValue) }
        if !q.isEmpty {
            query.group(.or) { $0.filter(\.$reference ~~ q).filter(\.$titleFr ~~ q).filter(\.$titleEn ~~ q).filter(\.$titleDe ~~ q) }
        }
        let total = try await query.count()
        let calls = try await query.sort(\.$opensAt, .descending).range(paging.offset..<(paging.offset + paging.size)).all()
        let rows = try calls.map {
            ListPage.Row(href: "/staff/calls/\(try $0.storedID)", reference: $0.reference, title: $0.title.text(req.language),
                         status: req.t("call.status." + $0.status), opens: req.dateTime($0.opensAt),
                         closes: $0.closesAt.map { req.dateTime($0) } ?? req.t("call.rolling"), isDemo: $0.isDemo)
        }
        let statuses = [FormOption(value: "", label: req.t("filter.all"), selected: status == nil, id: "status-all")]
            + CallStatus.allCases.map { FormOption(value: $0.rawValue, label: req.t("call.status." + $0.rawValue), selected: $0 == status, id: "status-" + $0.rawValue) }
        return try await req.render("staff/calls", title: "staff.calls_title",
                                    ListPage(rows: rows, paging: paging.view(total: total, req: req), statuses: statuses, q: q))
    }

    // MARK: Create and edit

    static func newForm(_ req: Request) async throws -> Response {
        _ = try req.requireOfficer()
        var v = FormValues()
        v["kind"] = CallKind.fixedDeadline.rawValue
        v["seat_country"] = "LU"
        v["lead_time_days"] = "0"
        return try await renderForm(req, values: v, errors: FormErrors(), action: "/staff/calls", title: "staff.call_new")
    }

    static func renderForm(_ req: Request, values: FormValues, errors: FormErrors, action: String, title: String, conflict: Bool = false) async throws -> Response {
        let programmes = try await req.store.query(Programme.self).sort(\.$code).all()
        let form = try CallForm.build(req, values: values, errors: errors, programmes: programmes, action: action)
        return try await req.render("staff/call_form", title: title,
                                    EditPage(heading: req.t(title), form: form, version: values["version"], conflict: conflict),
                                    errors: !errors.isEmpty || conflict,
                                    status: conflict ? .conflict : (errors.isEmpty ? .ok : .unprocessableEntity))
    }

    static func create(_ req: Request) async throws -> Response {
        _ = try req.requireOfficer()
        let v = req.formValues()
        let programmes = try await req.store.query(Programme.self).all()
        var (parsed, errors) = CallForm.parse(v, programmes: programmes)
        if let p = parsed, try await req.store.query(Call.self).filter(\.$reference == p.definition.reference).count() > 0 {
            errors.add("reference", "callform.error.reference_taken")
            parsed = nil
        }
        guard let parsed else { return try await renderForm(req, values: v, errors: errors, action: "/staff/calls", title: "staff.call_new") }
        let call = Call()
        CallForm.apply(parsed, to: call)
        call.status = CallStatus.draft.rawValue
        call.isDemo = false
        call.version = 1
        try await req.store.write { tx in
            try await tx.create(call)
            try await CallQuestion.ensure(for: call, on: tx)
            try await tx.audit("call.created", entity: "call", id: call.id, summary: call.reference, by: req)
        }
        return try await req.redirect("/staff/calls/\(call.storedID)", flash: "staff.call_created")
    }

    static func editForm(_ req: Request) async throws -> Response {
        _ = try req.requireOfficer()
        let call = try await CallLookup.staff(req)
        return try await renderForm(req, values: CallForm.values(of: call, language: req.language), errors: FormErrors(),
                                    action: "/staff/calls/\(call.storedID)/edit", title: "staff.call_edit")
    }

    static func update(_ req: Request) async throws -> Response {
        _ = try req.requireOfficer()
        let call = try await CallLookup.staff(req)
        let v = req.formValues()
        let action = "/staff/calls/\(try call.storedID)/edit"
        let programmes = try await req.store.query(Programme.self).all()
        var (parsed, errors) = CallForm.parse(v, programmes: programmes)
        if let p = parsed, try await req.store.query(Call.self).filter(\.$reference == p.definition.reference)
            .filter(\.$id != call.storedID).count() > 0 {
            errors.add("reference", "callform.error.reference_taken")
            parsed = nil
        }
        if let p = parsed, let g = p.definition.globalBudget {
            let envelopes = try await req.store.query(CallAction.self).filter(\.$call.$id == call.storedID).all(\.$envelopeCents)
            if envelopes.reduce(0, +) > g.cents { errors.add("global_budget", "callform.error.budget_below_envelopes"); parsed = nil }
        }
        guard let parsed else { return try await renderForm(req, values: v, errors: errors, action: action, title: "staff.call_edit") }
        let sent = Int(v["version"]) ?? -1
        let ok = try await req.store.write { tx -> Bool in
            guard let fresh = try await tx.query(Call.self).filter(\.$id == call.storedID).filter(\.$version == sent).first() else { return false }
            CallForm.apply(parsed, to: fresh)
            fresh.version = sent + 1
            try await tx.update(fresh)
            try await tx.audit("call.updated", entity: "call", id: call.id, summary: fresh.reference, by: req)
            return true
        }
        guard ok else {
            let values = CallForm.values(of: try await CallLookup.staff(req), language: req.language).overlaid(with: v)
            return try await renderForm(req, values: values, errors: FormErrors(), action: action, title: "staff.call_edit", conflict: true)
        }
        return try await req.redirect("/staff/calls/\(call.storedID)", flash: "staff.call_updated")
    }

    static func setStatus(_ req: Request, to status: CallStatus) async throws -> Response {
        _ = try req.requireOfficer()
        let call = try await CallLookup.staff(req)
        let allowed: Bool
        switch (call.callStatus, status) {
        case (.draft, .published), (.closed, .published), (.published, .closed): allowed = true
        default: allowed = false
        }
        guard allowed else { return try await req.redirect("/staff/calls/\(call.storedID)", flash: "staff.status_not_allowed") }
        if status == .published {
            let b = try await CallBundle.load(call, on: req.store)
            if b.call.legalForms.isEmpty || (b.call.rules == .amif && b.actions.isEmpty) {
                return try await req.redirect("/staff/calls/\(call.storedID)", flash: "staff.publish_incomplete")
            }
        }
        try await req.store.write { tx in
            call.status = status.rawValue
            call.version += 1
            try await tx.update(call)
            try await tx.audit("call." + status.rawValue, entity: "call", id: call.id, summary: call.reference, by: req)
        }
        return try await req.redirect("/staff/calls/\(call.storedID)", flash: "staff.call_" + status.rawValue)
    }
}
