import Fluent
import Foundation
import SubsidiaCore
import Vapor

/// Officers set up programmes and calls: create, edit, add objectives, actions, themes, caps, documents
/// and information sessions, publish and close; they see and export who registered for a session.
enum StaffCallsController {
    static func officer(_ req: Request) throws -> User { try req.requireRole(.officer, .admin) }

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
        _ = try officer(req)
        let paging = Paging(req)
        let status = (try? req.query.get(String.self, at: "status")).flatMap(CallStatus.init(rawValue:))
        let q = ((try? req.query.get(String.self, at: "q")) ?? "").trimmingCharacters(in: .whitespaces)
        let query = Call.query(on: req.db)
        if let status { query.filter(\.$status == status.rawValue) }
        if !q.isEmpty {
            query.group(.or) { $0.filter(\.$reference ~~ q).filter(\.$titleFr ~~ q).filter(\.$titleEn ~~ q).filter(\.$titleDe ~~ q) }
        }
        let total = try await query.count()
        let calls = try await query.sort(\.$opensAt, .descending).range(paging.offset..<(paging.offset + paging.size)).all()
        let rows = calls.map {
            ListPage.Row(href: "/staff/calls/\($0.id!)", reference: $0.reference, title: $0.title.text(req.language),
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
        _ = try officer(req)
        var v = FormValues()
        v["kind"] = CallKind.fixedDeadline.rawValue
        v["seat_country"] = "LU"
        v["lead_time_days"] = "0"
        return try await renderForm(req, values: v, errors: FormErrors(), action: "/staff/calls", title: "staff.call_new")
    }

    static func renderForm(_ req: Request, values: FormValues, errors: FormErrors, action: String, title: String, conflict: Bool = false) async throws -> Response {
        let programmes = try await Programme.query(on: req.db).sort(\.$code).all()
        let form = CallForm.build(req, values: values, errors: errors, programmes: programmes, action: action)
        return try await req.render("staff/call_form", title: title,
                                    OrganisationsController.EditPage(heading: req.t(title), form: form, version: values["version"], conflict: conflict),
                                    errors: !errors.isEmpty || conflict,
                                    status: conflict ? .conflict : (errors.isEmpty ? .ok : .unprocessableEntity))
    }

    static func create(_ req: Request) async throws -> Response {
        _ = try officer(req)
        let v = req.formValues()
        let programmes = try await Programme.query(on: req.db).all()
        var (parsed, errors) = CallForm.parse(v, programmes: programmes)
        if let p = parsed, try await Call.query(on: req.db).filter(\.$reference == p.definition.reference).count() > 0 {
            errors.add("reference", "callform.error.reference_taken")
            parsed = nil
        }
        guard let parsed else { return try await renderForm(req, values: v, errors: errors, action: "/staff/calls", title: "staff.call_new") }
        let call = Call()
        CallForm.apply(parsed, to: call)
        call.status = CallStatus.draft.rawValue
        call.isDemo = false
        call.version = 1
        try await req.transaction { db in
            try await call.create(on: db)
            try await CallQuestion.ensure(for: call, on: db)
            try await Audit.record("call.created", entity: "call", id: call.id, summary: call.reference, by: req, on: db)
        }
        return try await req.redirect("/staff/calls/\(call.id!)", flash: "staff.call_created")
    }

    static func loadCall(_ req: Request) async throws -> Call {
        guard let id = req.parameters.get("callID", as: UUID.self), let call = try await Call.find(id, on: req.db) else {
            throw Abort(.notFound)
        }
        return call
    }

    static func editForm(_ req: Request) async throws -> Response {
        _ = try officer(req)
        let call = try await loadCall(req)
        return try await renderForm(req, values: CallForm.values(of: call, language: req.language), errors: FormErrors(),
                                    action: "/staff/calls/\(call.id!)/edit", title: "staff.call_edit")
    }

    static func update(_ req: Request) async throws -> Response {
        _ = try officer(req)
        let call = try await loadCall(req)
        let v = req.formValues()
        let action = "/staff/calls/\(call.id!)/edit"
        let programmes = try await Programme.query(on: req.db).all()
        var (parsed, errors) = CallForm.parse(v, programmes: programmes)
        if let p = parsed, try await Call.query(on: req.db).filter(\.$reference == p.definition.reference)
            .filter(\.$id != call.id!).count() > 0 {
            errors.add("reference", "callform.error.reference_taken")
            parsed = nil
        }
        if let p = parsed, let g = p.definition.globalBudget {
            let envelopes = try await CallAction.query(on: req.db).filter(\.$call.$id == call.id!).all(\.$envelopeCents)
            if envelopes.reduce(0, +) > g.cents { errors.add("global_budget", "callform.error.budget_below_envelopes"); parsed = nil }
        }
        guard let parsed else { return try await renderForm(req, values: v, errors: errors, action: action, title: "staff.call_edit") }
        let sent = Int(v["version"]) ?? -1
        let ok = try await req.transaction { db -> Bool in
            guard let fresh = try await Call.query(on: db).filter(\.$id == call.id!).filter(\.$version == sent).first() else { return false }
            CallForm.apply(parsed, to: fresh)
            fresh.version = sent + 1
            try await fresh.update(on: db)
            try await Audit.record("call.updated", entity: "call", id: call.id, summary: fresh.reference, by: req, on: db)
            return true
        }
        guard ok else {
            let values = CallForm.values(of: try await loadCall(req), language: req.language).overlaid(with: v)
            return try await renderForm(req, values: values, errors: FormErrors(), action: action, title: "staff.call_edit", conflict: true)
        }
        return try await req.redirect("/staff/calls/\(call.id!)", flash: "staff.call_updated")
    }

    static func setStatus(_ req: Request, to status: CallStatus) async throws -> Response {
        _ = try officer(req)
        let call = try await loadCall(req)
        let allowed: Bool
        switch (call.callStatus, status) {
        case (.draft, .published), (.closed, .published), (.published, .closed): allowed = true
        default: allowed = false
        }
        guard allowed else { return try await req.redirect("/staff/calls/\(call.id!)", flash: "staff.status_not_allowed") }
        if status == .published {
            let b = try await CallBundle.load(call, on: req.db)
            if b.call.legalForms.isEmpty || (b.call.rules == .amif && b.actions.isEmpty) {
                return try await req.redirect("/staff/calls/\(call.id!)", flash: "staff.publish_incomplete")
            }
        }
        try await req.transaction { db in
            call.status = status.rawValue
            call.version += 1
            try await call.update(on: db)
            try await Audit.record("call." + status.rawValue, entity: "call", id: call.id, summary: call.reference, by: req, on: db)
        }
        return try await req.redirect("/staff/calls/\(call.id!)", flash: "staff.call_" + status.rawValue)
    }

    // MARK: Manage page with the parts of a call

    struct ManagePage: Encodable, Sendable {
        struct Part: Encodable, Sendable {
            let id: String
            let code: String
            let label: String
            let detail: String
            let deleteAction: String
        }

        struct Session: Encodable, Sendable {
            let id: String
            let when: String
            let place: String
            let taken: Int
            let capacity: Int
            let listHref: String
            let csvHref: String
            let deleteAction: String
        }

        let id: String
        let reference: String
        let title: String
        let status: String
        let canPublish: Bool
        let canClose: Bool
        let publicHref: String
        let objectives: [Part]
        let actions: [Part]
        let items: [Part]
        let sessions: [Session]
        let envelopeTotal: String
        let globalBudget: String?
        let objectiveForm: FormView
        let actionForm: FormView
        let itemForm: FormView
        let sessionForm: FormView
    }

    static func manage(_ req: Request) async throws -> Response {
        _ = try officer(req)
        return try await renderManage(req, call: try await loadCall(req), form: nil, values: FormValues(), errors: FormErrors())
    }

    static func renderManage(_ req: Request, call: Call, form: String?, values: FormValues, errors: FormErrors) async throws -> Response {
        let b = try await CallBundle.load(call, on: req.db)
        let lang = req.language
        let base = "/staff/calls/\(call.id!)"
        func vals(_ name: String) -> FormValues { form == name ? values : FormValues() }
        func errs(_ name: String) -> FormErrors { form == name ? errors : FormErrors() }

        var of = FormBuilder(req, values: vals("objective"), errors: errs("objective"))
        of.text("code", "staff.part_code", maxLength: 20, width: "10")
        for l in Language.allCases { of.text("title_\(l.rawValue)", "callform.title_\(l.rawValue)", maxLength: 300) }
        var af = FormBuilder(req, values: vals("action"), errors: errs("action"))
        af.choice("objective", "staff.action_objective", type: "select",
                  options: [("", req.t("staff.no_objective"))] + b.objectives.map { ($0.id!.uuidString, $0.code + " " + $0.title.text(lang)) },
                  optional: true, translateOptions: false)
        af.text("code", "staff.part_code", maxLength: 20, width: "10")
        for l in Language.allCases { af.text("title_\(l.rawValue)", "callform.title_\(l.rawValue)", maxLength: 300) }
        af.text("envelope", "staff.action_envelope", hint: "callform.money_hint", inputmode: "decimal", width: "10")
        af.text("rate", "staff.action_rate", hint: "staff.action_rate_hint", inputmode: "decimal", width: "5")
        var itf = FormBuilder(req, values: vals("item"), errors: errs("item"))
        itf.choice("kind", "staff.item_kind", type: "radios", options: CallItem.Kind.allCases.map { ($0.rawValue, "staff.item_kind." + $0.rawValue) })
        itf.text("code", "staff.part_code", maxLength: 40, width: "10")
        for l in Language.allCases { itf.text("label_\(l.rawValue)", "staff.item_label_\(l.rawValue)", maxLength: 300) }
        itf.text("amount", "staff.item_amount", hint: "staff.item_amount_hint", optional: true, inputmode: "decimal", width: "10")
        itf.checkbox("required", "staff.item_required")
        var sf = FormBuilder(req, values: vals("session"), errors: errs("session"))
        sf.text("starts_at", "staff.session_starts", hint: "callform.datetime_hint", type: "datetime-local", maxLength: 20)
        sf.text("duration", "staff.session_duration", maxLength: 4, inputmode: "numeric", width: "5")
        sf.text("place", "staff.session_place", maxLength: 200)
        sf.text("capacity", "staff.session_capacity", maxLength: 5, inputmode: "numeric", width: "5")

        let page = ManagePage(
            id: call.id!.uuidString, reference: call.reference, title: call.title.text(lang),
            status: req.t("call.status." + call.status), canPublish: call.callStatus != .published,
            canClose: call.callStatus == .published, publicHref: "/calls/" + call.reference,
            objectives: b.objectives.map { .init(id: $0.id!.uuidString, code: $0.code, label: $0.title.text(lang), detail: "",
                                                 deleteAction: base + "/objectives/\($0.id!)/delete") },
            actions: b.actions.map { .init(id: $0.id!.uuidString, code: $0.code, label: $0.title.text(lang),
                                           detail: req.money(Money(cents: $0.envelopeCents)) + " · " + MoneyFormatter.percent(Rate(basisPoints: $0.maxRateBP), language: lang),
                                           deleteAction: base + "/actions/\($0.id!)/delete") },
            items: b.items.map { i in .init(id: i.id!.uuidString, code: i.code, label: i.label.text(lang),
                                            detail: req.t("staff.item_kind." + i.kind) + (i.amountCents.map { " · " + req.money(Money(cents: $0)) } ?? "")
                                                + (i.kind == CallItem.Kind.document.rawValue ? " · " + req.t(i.required ? "call.document_required" : "call.document_optional") : ""),
                                            deleteAction: base + "/items/\(i.id!)/delete") },
            sessions: b.sessions.map { s in .init(id: s.id!.uuidString, when: req.dateTime(s.startsAt), place: s.place,
                                                  taken: b.registrations[s.id!] ?? 0, capacity: s.capacity,
                                                  listHref: base + "/sessions/\(s.id!)", csvHref: base + "/sessions/\(s.id!)/registrations.csv",
                                                  deleteAction: base + "/sessions/\(s.id!)/delete") },
            envelopeTotal: req.money(Money(cents: b.actions.map(\.envelopeCents).reduce(0, +))),
            globalBudget: call.globalBudgetCents.map { req.money(Money(cents: $0)) },
            objectiveForm: of.build(action: base + "/objectives", submit: "staff.add_objective"),
            actionForm: af.build(action: base + "/actions", submit: "staff.add_action"),
            itemForm: itf.build(action: base + "/items", submit: "staff.add_item"),
            sessionForm: sf.build(action: base + "/sessions", submit: "staff.add_session"))
        return try await req.render("staff/call_manage", title: call.reference, page, errors: !errors.isEmpty,
                                    status: errors.isEmpty ? .ok : .unprocessableEntity)
    }

    private static func localizedTitles(_ v: FormValues, _ prefix: String, _ e: inout FormErrors) {
        for l in Language.allCases { e.required(v, "\(prefix)_\(l.rawValue)", max: 300) }
    }

    private static func checkCode(_ v: FormValues, _ e: inout FormErrors, max: Int = 20) {
        let code = v["code"]
        if code.isEmpty { e.add("code", "error.required") }
        else if code.count > max || !code.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }) {
            e.add("code", "staff.error.code_format")
        }
    }

    static func addObjective(_ req: Request) async throws -> Response {
        _ = try officer(req)
        let call = try await loadCall(req)
        let v = req.formValues()
        var e = FormErrors()
        checkCode(v, &e)
        localizedTitles(v, "title", &e)
        if e.isEmpty, try await CallObjective.query(on: req.db).filter(\.$call.$id == call.id!).filter(\.$code == v["code"]).count() > 0 {
            e.add("code", "staff.error.code_taken")
        }
        guard e.isEmpty else { return try await renderManage(req, call: call, form: "objective", values: v, errors: e) }
        let count = try await CallObjective.query(on: req.db).filter(\.$call.$id == call.id!).count()
        try await req.transaction { db in
            let o = CallObjective()
            o.$call.id = call.id!
            o.code = v["code"]
            o.titleFr = v["title_fr"]; o.titleEn = v["title_en"]; o.titleDe = v["title_de"]
            o.position = count + 1
            try await o.create(on: db)
            try await CallCache.touch(call.id, on: db)
            try await Audit.record("call.objective_added", entity: "call", id: call.id, summary: o.code, by: req, on: db)
        }
        return try await req.redirect("/staff/calls/\(call.id!)", flash: "staff.part_added")
    }

    static func addAction(_ req: Request) async throws -> Response {
        _ = try officer(req)
        let call = try await loadCall(req)
        let v = req.formValues()
        var e = FormErrors()
        checkCode(v, &e)
        localizedTitles(v, "title", &e)
        let objectiveID = v.has("objective") ? UUID(uuidString: v["objective"]) : nil
        if v.has("objective") {
            var exists = false
            if let objectiveID {
                exists = try await CallObjective.query(on: req.db).filter(\.$id == objectiveID).filter(\.$call.$id == call.id!).count() > 0
            }
            if !exists { e.add("objective", "error.invalid_choice") }
        }
        let envelope = Money.parse(v["envelope"])
        if v["envelope"].isEmpty { e.add("envelope", "error.required") } else if envelope == nil { e.add("envelope", "error.amount") }
        let rate = Rate.parsePercent(v["rate"])
        if v["rate"].isEmpty { e.add("rate", "error.required") } else if rate == nil { e.add("rate", "error.rate_range") }
        if e.isEmpty, try await CallAction.query(on: req.db).filter(\.$call.$id == call.id!).filter(\.$code == v["code"]).count() > 0 {
            e.add("code", "staff.error.code_taken")
        }
        if e.isEmpty, let envelope, let rate {
            let others = try await CallAction.query(on: req.db).filter(\.$call.$id == call.id!).all(\.$envelopeCents)
            do {
                // AMIF-02: the envelopes of a call's actions never exceed its global budget.
                try EnvelopeRules.check(envelope: envelope, rate: rate, otherEnvelopes: others.map(Money.init(cents:)),
                                        globalBudget: call.globalBudgetCents.map(Money.init(cents:)))
            } catch {
                switch error {
                case .envelopeNotPositive: e.add("envelope", "error.amount_range")
                case .rateOutOfRange: e.add("rate", "error.rate_range")
                case .envelopesExceedGlobalBudget:
                    e.add("envelope", "staff.error.envelopes_exceed", req.money(Money(cents: call.globalBudgetCents ?? 0)))
                }
            }
        }
        guard e.isEmpty, let envelope, let rate else { return try await renderManage(req, call: call, form: "action", values: v, errors: e) }
        let count = try await CallAction.query(on: req.db).filter(\.$call.$id == call.id!).count()
        try await req.transaction { db in
            let a = CallAction()
            a.$call.id = call.id!
            a.$objective.id = objectiveID
            a.code = v["code"]
            a.titleFr = v["title_fr"]; a.titleEn = v["title_en"]; a.titleDe = v["title_de"]
            a.envelopeCents = envelope.cents
            a.maxRateBP = rate.basisPoints
            a.position = count + 1
            try await a.create(on: db)
            try await CallCache.touch(call.id, on: db)
            try await Audit.record("call.action_added", entity: "call", id: call.id, summary: "\(a.code) \(envelope.cents)", by: req, on: db)
        }
        return try await req.redirect("/staff/calls/\(call.id!)", flash: "staff.part_added")
    }

    static func addItem(_ req: Request) async throws -> Response {
        _ = try officer(req)
        let call = try await loadCall(req)
        let v = req.formValues()
        var e = FormErrors()
        let kind = CallItem.Kind(rawValue: v["kind"])
        if kind == nil { e.add("kind", "error.invalid_choice") }
        checkCode(v, &e, max: 40)
        localizedTitles(v, "label", &e)
        var amount: Money?
        if v.has("amount") {
            amount = Money.parse(v["amount"])
            if amount == nil || amount!.cents <= 0 || amount! > Money.inputMaximum { e.add("amount", "error.amount") }
        } else if kind == .cap {
            e.add("amount", "staff.error.cap_amount_required")
        }
        if e.isEmpty, try await CallItem.query(on: req.db).filter(\.$call.$id == call.id!).filter(\.$kind == v["kind"])
            .filter(\.$code == v["code"]).count() > 0 {
            e.add("code", "staff.error.code_taken")
        }
        guard e.isEmpty, let kind else { return try await renderManage(req, call: call, form: "item", values: v, errors: e) }
        let amountCents = kind == .cap ? amount?.cents : nil
        let count = try await CallItem.query(on: req.db).filter(\.$call.$id == call.id!).count()
        try await req.transaction { db in
            let i = CallItem()
            i.$call.id = call.id!
            i.kind = kind.rawValue
            i.code = v["code"]
            i.labelFr = v["label_fr"]; i.labelEn = v["label_en"]; i.labelDe = v["label_de"]
            i.amountCents = amountCents
            i.required = kind == .document && v.isChecked("required")
            i.position = count + 1
            try await i.create(on: db)
            try await CallCache.touch(call.id, on: db)
            try await Audit.record("call.item_added", entity: "call", id: call.id, summary: kind.rawValue + " " + i.code, by: req, on: db)
        }
        return try await req.redirect("/staff/calls/\(call.id!)", flash: "staff.part_added")
    }

    static func addSession(_ req: Request) async throws -> Response {
        _ = try officer(req)
        let call = try await loadCall(req)
        let v = req.formValues()
        var e = FormErrors()
        let starts = LuxembourgTime.parseLocal(v["starts_at"])
        if v["starts_at"].isEmpty { e.add("starts_at", "error.required") } else if starts == nil { e.add("starts_at", "error.datetime") }
        let duration = Int(v["duration"])
        if duration == nil || !(15...600).contains(duration!) { e.add("duration", "staff.error.duration") }
        e.required(v, "place")
        let capacity = Int(v["capacity"])
        if capacity == nil || !(1...10_000).contains(capacity!) { e.add("capacity", "staff.error.capacity") }
        guard e.isEmpty, let starts, let duration, let capacity else {
            return try await renderManage(req, call: call, form: "session", values: v, errors: e)
        }
        try await req.transaction { db in
            let s = InformationSession()
            s.$call.id = call.id!
            s.startsAt = starts
            s.durationMinutes = duration
            s.place = v["place"]
            s.capacity = capacity
            try await s.create(on: db)
            try await CallCache.touch(call.id, on: db)
            try await Audit.record("call.session_added", entity: "call", id: call.id, summary: DateText.iso8601(starts), by: req, on: db)
        }
        return try await req.redirect("/staff/calls/\(call.id!)", flash: "staff.part_added")
    }

    /// Removes one part of a call. Sessions with registrations are kept (people were told they have a seat).
    static func deletePart(_ req: Request) async throws -> Response {
        _ = try officer(req)
        let call = try await loadCall(req)
        guard let kind = req.parameters.get("part"), let id = req.parameters.get("partID", as: UUID.self) else { throw Abort(.notFound) }
        let callID = call.id!
        let flash = try await req.transaction { db -> String in
            let deleted: Int
            switch kind {
            case "objectives":
                deleted = try await CallObjective.query(on: db).filter(\.$id == id).filter(\.$call.$id == callID).count()
                try await CallObjective.query(on: db).filter(\.$id == id).filter(\.$call.$id == callID).delete()
            case "actions":
                deleted = try await CallAction.query(on: db).filter(\.$id == id).filter(\.$call.$id == callID).count()
                try await CallAction.query(on: db).filter(\.$id == id).filter(\.$call.$id == callID).delete()
            case "items":
                deleted = try await CallItem.query(on: db).filter(\.$id == id).filter(\.$call.$id == callID).count()
                try await CallItem.query(on: db).filter(\.$id == id).filter(\.$call.$id == callID).delete()
            case "sessions":
                if try await SessionRegistration.query(on: db).filter(\.$session.$id == id).count() > 0 {
                    return "staff.session_has_registrations"
                }
                deleted = try await InformationSession.query(on: db).filter(\.$id == id).filter(\.$call.$id == callID).count()
                try await InformationSession.query(on: db).filter(\.$id == id).filter(\.$call.$id == callID).delete()
            default:
                throw Abort(.notFound)
            }
            guard deleted > 0 else { throw Abort(.notFound) }
            try await CallCache.touch(callID, on: db)
            try await Audit.record("call.\(kind)_removed", entity: "call", id: callID, summary: id.uuidString, by: req, on: db)
            return "staff.part_removed"
        }
        return try await req.redirect("/staff/calls/\(callID)", flash: flash)
    }

    // MARK: Registrations

    struct RegistrationsPage: Encodable, Sendable {
        struct Row: Encodable, Sendable {
            let name: String
            let email: String
            let organisation: String
            let registered: String
        }

        let callReference: String
        let callHref: String
        let when: String
        let place: String
        let capacity: Int
        let rows: [Row]
        let csvHref: String
    }

    private static func sessionOf(_ req: Request, _ call: Call) async throws -> InformationSession {
        guard let sid = req.parameters.get("sessionID", as: UUID.self),
              let s = try await InformationSession.query(on: req.db).filter(\.$id == sid).filter(\.$call.$id == call.id!).first()
        else { throw Abort(.notFound) }
        return s
    }

    static func registrations(_ req: Request) async throws -> Response {
        _ = try officer(req)
        let call = try await loadCall(req)
        let s = try await sessionOf(req, call)
        let regs = try await SessionRegistration.query(on: req.db).filter(\.$session.$id == s.id!).sort(\.$createdAt).all()
        let page = RegistrationsPage(
            callReference: call.reference, callHref: "/staff/calls/\(call.id!)", when: req.dateTime(s.startsAt), place: s.place,
            capacity: s.capacity,
            rows: regs.map { .init(name: $0.name, email: $0.email, organisation: $0.organisationName,
                                   registered: $0.createdAt.map { req.dateTime($0) } ?? "") },
            csvHref: "/staff/calls/\(call.id!)/sessions/\(s.id!)/registrations.csv")
        return try await req.render("staff/registrations", title: "staff.registrations_title", page)
    }

    static func registrationsCSV(_ req: Request) async throws -> Response {
        _ = try officer(req)
        let call = try await loadCall(req)
        let s = try await sessionOf(req, call)
        let regs = try await SessionRegistration.query(on: req.db).filter(\.$session.$id == s.id!).sort(\.$createdAt).all()
        var csv = "call,session_start,place,name,email,organisation,registered_at\r\n"
        for r in regs {
            csv += [call.reference, DateText.iso8601(s.startsAt), s.place, r.name, r.email, r.organisationName,
                    r.createdAt.map(DateText.iso8601) ?? ""].map(CSV.field).joined(separator: ",") + "\r\n"
        }
        let response = Response(status: .ok, body: .init(string: csv))
        response.headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        response.headers.contentDisposition = .init(.attachment, filename: "registrations-\(call.reference).csv")
        return response
    }
}
