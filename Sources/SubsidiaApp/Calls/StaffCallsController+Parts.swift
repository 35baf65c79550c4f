import Fluent
import Foundation
import SubsidiaCore
import Vapor

/// A call's management page and its parts: objectives, actions with their envelopes, documents, themes, caps, sessions.
extension StaffCallsController {
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
        _ = try req.requireOfficer()
        return try await renderManage(req, call: try await CallLookup.staff(req), form: nil, values: FormValues(), errors: FormErrors())
    }

    static func renderManage(_ req: Request, call: Call, form: String?, values: FormValues, errors: FormErrors) async throws -> Response {
        let b = try await CallBundle.load(call, on: req.store)
        let lang = req.language
        let base = "/staff/calls/\(try call.storedID)"
        func vals(_ name: String) -> FormValues { form == name ? values : FormValues() }
        func errs(_ name: String) -> FormErrors { form == name ? errors : FormErrors() }

        var of = FormBuilder(req, values: vals("objective"), errors: errs("objective"))
        of.text("code", "staff.part_code", maxLength: 20, width: "10")
        for l in Language.allCases { of.text("title_\(l.rawValue)", "callform.title_\(l.rawValue)", maxLength: 300) }
        var af = FormBuilder(req, values: vals("action"), errors: errs("action"))
        af.choice("objective", "staff.action_objective", type: "select",
                  options: try [("", req.t("staff.no_objective"))] + b.objectives.map { (try $0.storedID.uuidString, $0.code + " " + $0.title.text(lang)) },
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
            id: try call.storedID.uuidString, reference: call.reference, title: call.title.text(lang),
            status: req.t("call.status." + call.status), canPublish: call.callStatus != .published,
            canClose: call.callStatus == .published, publicHref: "/calls/" + call.reference,
            objectives: try b.objectives.map { .init(id: try $0.storedID.uuidString, code: $0.code, label: $0.title.text(lang), detail: "",
                                                 deleteAction: base + "/objectives/\(try $0.storedID)/delete") },
            actions: try b.actions.map { .init(id: try $0.storedID.uuidString, code: $0.code, label: $0.title.text(lang),
                                           detail: req.money(Money(cents: $0.envelopeCents)) + " · " + MoneyFormatter.percent(Rate(basisPoints: $0.maxRateBP), language: lang),
                                           deleteAction: base + "/actions/\(try $0.storedID)/delete") },
            items: try b.items.map { i in .init(id: try i.storedID.uuidString, code: i.code, label: i.label.text(lang),
                                            detail: req.t("staff.item_kind." + i.kind) + (i.amountCents.map { " · " + req.money(Money(cents: $0)) } ?? "")
                                                + (i.kind == CallItem.Kind.document.rawValue ? " · " + req.t(i.required ? "call.document_required" : "call.document_optional") : ""),
                                            deleteAction: base + "/items/\(try i.storedID)/delete") },
            sessions: try b.sessions.map { s in .init(id: try s.storedID.uuidString, when: req.dateTime(s.startsAt), place: s.place,
                                                  taken: b.registrations[try s.storedID] ?? 0, capacity: s.capacity,
                                                  listHref: base + "/sessions/\(try s.storedID)", csvHref: base + "/sessions/\(try s.storedID)/registrations.csv",
                                                  deleteAction: base + "/sessions/\(try s.storedID)/delete") },
            envelopeTotal: req.money(Money(cents: b.actions.map(\.envelopeCents).reduce(0, +))),
            globalBudget: call.globalBudgetCents.map { req.money(Money(cents: $0)) },
            objectiveForm: of.build(action: base + "/objectives", submit: "staff.add_objective"),
            actionForm: af.build(action: base + "/actions", submit: "staff.add_action"),
            itemForm: itf.build(action: base + "/items", submit: "staff.add_item"),
            sessionForm: sf.build(action: base + "/sessions", submit: "staff.add_session"))
        return try await req.render("staff/call_manage", title: call.reference, page, errors: !errors.isEmpty,
                                    status: errors.isEmpty ? .ok : .unprocessableEntity)
    }

    static func localizedTitles(_ v: FormValues, _ prefix: String, _ e: inout FormErrors) {
        for l in Language.allCases { e.required(v, "\(prefix)_\(l.rawValue)", max: 300) }
    }

    static func checkCode(_ v: FormValues, _ e: inout FormErrors, max: Int = 20) {
        let code = v["code"]
        if code.isEmpty { e.add("code", "error.required") }
        else if code.count > max || !code.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }) {
            e.add("code", "staff.error.code_format")
        }
    }

    static func addObjective(_ req: Request) async throws -> Response {
        _ = try req.requireOfficer()
        let call = try await CallLookup.staff(req)
        let v = req.formValues()
        var e = FormErrors()
        checkCode(v, &e)
        localizedTitles(v, "title", &e)
        if e.isEmpty, try await req.store.query(CallObjective.self).filter(\.$call.$id == call.storedID).filter(\.$code == v["code"]).count() > 0 {
            e.add("code", "staff.error.code_taken")
        }
        guard e.isEmpty else { return try await renderManage(req, call: call, form: "objective", values: v, errors: e) }
        let count = try await req.store.query(CallObjective.self).filter(\.$call.$id == call.storedID).count()
        try await req.store.write { tx in
            let o = CallObjective()
            o.$call.id = try call.storedID
            o.code = v["code"]
            o.titleFr = v["title_fr"]; o.titleEn = v["title_en"]; o.titleDe = v["title_de"]
            o.position = count + 1
            try await tx.create(o)
            try await CallCache.touch(call.id, on: tx)
            try await tx.audit("call.objective_added", entity: "call", id: call.id, summary: o.code, by: req)
        }
        return try await req.redirect("/staff/calls/\(call.storedID)", flash: "staff.part_added")
    }

    static func addAction(_ req: Request) async throws -> Response {
        _ = try req.requireOfficer()
        let call = try await CallLookup.staff(req)
        let v = req.formValues()
        var e = FormErrors()
        checkCode(v, &e)
        localizedTitles(v, "title", &e)
        let objectiveID = v.has("objective") ? UUID(uuidString: v["objective"]) : nil
        if v.has("objective") {
            var exists = false
            if let objectiveID {
                exists = try await req.store.query(CallObjective.self).filter(\.$id == objectiveID).filter(\.$call.$id == call.storedID).count() > 0
            }
            if !exists { e.add("objective", "error.invalid_choice") }
        }
        let envelope = Money.parse(v["envelope"])
        if v["envelope"].isEmpty { e.add("envelope", "error.required") } else if envelope == nil { e.add("envelope", "error.amount") }
        let rate = Rate.parsePercent(v["rate"])
        if v["rate"].isEmpty { e.add("rate", "error.required") } else if rate == nil { e.add("rate", "error.rate_range") }
        if e.isEmpty, try await req.store.query(CallAction.self).filter(\.$call.$id == call.storedID).filter(\.$code == v["code"]).count() > 0 {
            e.add("code", "staff.error.code_taken")
        }
        if e.isEmpty, let envelope, let rate {
            let others = try await req.store.query(CallAction.self).filter(\.$call.$id == call.storedID).all(\.$envelopeCents)
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
        let count = try await req.store.query(CallAction.self).filter(\.$call.$id == call.storedID).count()
        try await req.store.write { tx in
            let a = CallAction()
            a.$call.id = try call.storedID
            a.$objective.id = objectiveID
            a.code = v["code"]
            a.titleFr = v["title_fr"]; a.titleEn = v["title_en"]; a.titleDe = v["title_de"]
            a.envelopeCents = envelope.cents
            a.maxRateBP = rate.basisPoints
            a.position = count + 1
            try await tx.create(a)
            try await CallCache.touch(call.id, on: tx)
            try await tx.audit("call.action_added", entity: "call", id: call.id, summary: "\(a.code) \(envelope.cents)", by: req)
        }
        return try await req.redirect("/staff/calls/\(call.storedID)", flash: "staff.part_added")
    }

    static func addItem(_ req: Request) async throws -> Response {
        _ = try req.requireOfficer()
        let call = try await CallLookup.staff(req)
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
        if e.isEmpty, try await req.store.query(CallItem.self).filter(\.$call.$id == call.storedID).filter(\.$kind == v["kind"])
            .filter(\.$code == v["code"]).count() > 0 {
            e.add("code", "staff.error.code_taken")
        }
        guard e.isEmpty, let kind else { return try await renderManage(req, call: call, form: "item", values: v, errors: e) }
        let amountCents = kind == .cap ? amount?.cents : nil
        let count = try await req.store.query(CallItem.self).filter(\.$call.$id == call.storedID).count()
        try await req.store.write { tx in
            let i = CallItem()
            i.$call.id = try call.storedID
            i.kind = kind.rawValue
            i.code = v["code"]
            i.labelFr = v["label_fr"]; i.labelEn = v["label_en"]; i.labelDe = v["label_de"]
            i.amountCents = amountCents
            i.required = kind == .document && v.isChecked("required")
            i.position = count + 1
            try await tx.create(i)
            try await CallCache.touch(call.id, on: tx)
            try await tx.audit("call.item_added", entity: "call", id: call.id, summary: kind.rawValue + " " + i.code, by: req)
        }
        return try await req.redirect("/staff/calls/\(call.storedID)", flash: "staff.part_added")
    }

    static func addSession(_ req: Request) async throws -> Response {
        _ = try req.requireOfficer()
        let call = try await CallLookup.staff(req)
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
        try await req.store.write { tx in
            let s = InformationSession()
            s.$call.id = try call.storedID
            s.startsAt = starts
            s.durationMinutes = duration
            s.place = v["place"]
            s.capacity = capacity
            try await tx.create(s)
            try await CallCache.touch(call.id, on: tx)
            try await tx.audit("call.session_added", entity: "call", id: call.id, summary: DateText.iso8601(starts), by: req)
        }
        return try await req.redirect("/staff/calls/\(call.storedID)", flash: "staff.part_added")
    }

    /// Removes one part of a call. Sessions with registrations are kept (people were told they have a seat).
    static func deletePart(_ req: Request) async throws -> Response {
        _ = try req.requireOfficer()
        let call = try await CallLookup.staff(req)
        guard let kind = req.parameters.get("part"), let id = req.parameters.get("partID", as: UUID.self) else { throw Abort(.notFound) }
        let callID = try call.storedID
        let flash = try await req.store.write { tx -> String in
            let deleted: Int
            switch kind {
            case "objectives":
                deleted = try await tx.query(CallObjective.self).filter(\.$id == id).filter(\.$call.$id == callID).count()
                try await tx.query(CallObjective.self).filter(\.$id == id).filter(\.$call.$id == callID).delete()
            case "actions":
                deleted = try await tx.query(CallAction.self).filter(\.$id == id).filter(\.$call.$id == callID).count()
                try await tx.query(CallAction.self).filter(\.$id == id).filter(\.$call.$id == callID).delete()
            case "items":
                deleted = try await tx.query(CallItem.self).filter(\.$id == id).filter(\.$call.$id == callID).count()
                try await tx.query(CallItem.self).filter(\.$id == id).filter(\.$call.$id == callID).delete()
            case "sessions":
                if try await tx.query(SessionRegistration.self).filter(\.$session.$id == id).count() > 0 {
                    return "staff.session_has_registrations"
                }
                deleted = try await tx.query(InformationSession.self).filter(\.$id == id).filter(\.$call.$id == callID).count()
                try await tx.query(InformationSession.self).filter(\.$id == id).filter(\.$call.$id == callID).delete()
            default:
                throw Abort(.notFound)
            }
            guard deleted > 0 else { throw Abort(.notFound) }
            try await CallCache.touch(callID, on: tx)
            try await tx.audit("call.\(kind)_removed", entity: "call", id: callID, summary: id.uuidString, by: req)
            return "staff.part_removed"
        }
        return try await req.redirect("/staff/calls/\(callID)", flash: flash)
    }
}
