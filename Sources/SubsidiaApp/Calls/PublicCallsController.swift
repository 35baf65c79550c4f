import Fluent
import Foundation
import SubsidiaCore
import Vapor

/// What a visitor sees: open and upcoming calls, a call's page, the timetable of calls (CPR art. 49(2)),
/// and registration for information sessions (AMIF-05).
enum PublicCallsController {
    struct CallCard: Encodable, Sendable {
        let href: String
        let reference: String
        let title: String
        let summary: String
        let programme: String
        let dates: String
        let remaining: String
        let isDemo: Bool
    }

    struct HomePage: Encodable, Sendable {
        let open: [CallCard]
        let upcoming: [CallCard]
    }

    static func card(_ call: Call, programme: Programme?, _ req: Request) -> CallCard {
        let dates = call.closesAt.map { req.t("call.dates_fixed", req.dateTime(call.opensAt), req.dateTime($0)) }
            ?? req.t("call.dates_rolling", req.dateTime(call.opensAt))
        return CallCard(href: "/calls/" + call.reference, reference: call.reference, title: call.title.text(req.language),
                        summary: call.summary.text(req.language), programme: programme?.name.text(req.language) ?? "",
                        dates: dates, remaining: CallText.remaining(call, req), isDemo: call.isDemo)
    }

    static func home(_ req: Request) async throws -> Response {
        let now = req.now
        let calls = try await req.store.query(Call.self).filter(\.$status == CallStatus.published.rawValue)
            .with(\.$programme).sort(\.$opensAt).limit(200).all()
        let open = calls.filter { CallWindow.isOpen(opensAt: $0.opensAt, closesAt: $0.closesAt, at: now) }
        let upcoming = calls.filter { $0.opensAt > now }
        return try await req.render("public/home", title: "home.title",
                                    HomePage(open: open.map { card($0, programme: $0.programme, req) },
                                             upcoming: upcoming.map { card($0, programme: $0.programme, req) }))
    }

    // MARK: Call page

    struct CallPage: Encodable, Sendable {
        struct Action: Encodable, Sendable {
            let code: String
            let title: String
            let envelope: String
            let rate: String
        }

        struct Objective: Encodable, Sendable {
            let code: String
            let title: String
            let actions: [Action]
        }

        struct Rule: Encodable, Sendable {
            let id: String
            let text: String
        }

        struct Session: Encodable, Sendable {
            let id: String
            let when: String
            let place: String
            let seats: String
            let full: Bool
            let past: Bool
        }

        struct Document: Encodable, Sendable {
            let label: String
            let required: Bool
        }

        let card: CallCard
        let status: String
        let isOpen: Bool
        let programme: String
        let fund: String
        let managingAuthority: String
        let intermediateBody: String?
        let contact: String
        let visibility: String?
        let kind: String
        let globalBudget: String?
        let costPeriod: String?
        let eligible: [String]
        let seatCountry: String
        let objectives: [Objective]
        let looseActions: [Action]
        let themes: [String]
        let documents: [Document]
        let rules: [Rule]
        let sessions: [Session]
        let canRegister: Bool
        let form: FormView?
    }

    static func findPublicCall(_ req: Request) async throws -> Call {
        let ref = req.parameters.get("reference") ?? ""
        guard let call = try await req.store.query(Call.self).filter(\.$reference == ref).first() else { throw Abort(.notFound) }
        if call.callStatus == .draft && !(req.currentUser?.userRole.managesCalls ?? false) { throw Abort(.notFound) }
        return call
    }

    static func show(_ req: Request) async throws -> Response {
        let call = try await findPublicCall(req)
        return try await renderCall(req, call: call, values: FormValues(), errors: FormErrors())
    }

    static func renderCall(_ req: Request, call: Call, values: FormValues, errors: FormErrors) async throws -> Response {
        let b = try await CallBundle.load(call, on: req.store)
        let lang = req.language
        let now = req.now
        func action(_ a: CallAction) -> CallPage.Action {
            .init(code: a.code, title: a.title.text(lang), envelope: req.money(Money(cents: a.envelopeCents)),
                  rate: MoneyFormatter.percent(Rate(basisPoints: a.maxRateBP), language: lang))
        }
        let objectives = b.objectives.map { o in
            CallPage.Objective(code: o.code, title: o.title.text(lang),
                               actions: b.actions.filter { $0.$objective.id == o.id }.map(action))
        }
        let sessions = try b.sessions.map { s in
            let taken = b.registrations[try s.storedID] ?? 0
            return CallPage.Session(
                id: try s.storedID.uuidString, when: req.dateTime(s.startsAt), place: s.place,
                seats: req.t("session.seats_left", String(max(0, s.capacity - taken)), String(s.capacity)),
                full: taken >= s.capacity, past: s.startsAt <= now)
        }
        let available = try b.sessions.filter { try $0.startsAt > now && (b.registrations[try $0.storedID] ?? 0) < $0.capacity }
        var form: FormView?
        if !available.isEmpty && call.callStatus != .draft {
            var f = FormBuilder(req, values: values, errors: errors)
            f.choice("session", "session.choose", type: "radios",
                     options: try available.map { (try $0.storedID.uuidString, req.dateTime($0.startsAt) + " – " + $0.place) },
                     translateOptions: false)
            f.text("name", "session.name", autocomplete: "name", maxLength: 120)
            f.text("email", "account.email", type: "email", autocomplete: "email", maxLength: 254)
            f.text("organisation", "session.organisation", autocomplete: "organization", maxLength: 200)
            form = f.build(action: "/calls/\(call.reference)/sessions", submit: "session.register_submit")
        }
        let period = call.costPeriod.map { req.t("call.period", req.date($0.start), req.date($0.end)) }
        let page = CallPage(
            card: PublicCallsController.card(call, programme: b.programme, req),
            status: req.t("call.status." + call.status),
            isOpen: call.callStatus == .published && CallWindow.isOpen(opensAt: call.opensAt, closesAt: call.closesAt, at: now),
            programme: b.programme.name.text(lang), fund: b.programme.fund, managingAuthority: b.programme.managingAuthority,
            intermediateBody: b.programme.intermediateBody, contact: b.programme.contactEmail
                + (b.programme.contactPhone.map { " · " + $0 } ?? ""),
            visibility: b.programme.visibilityMention, kind: req.t("call.kind." + call.kind),
            globalBudget: call.globalBudgetCents.map { req.money(Money(cents: $0)) }, costPeriod: period,
            eligible: call.legalForms.map { req.t($0.labelKey) }, seatCountry: req.t("country." + call.seatCountry),
            objectives: objectives, looseActions: b.actions.filter { $0.$objective.id == nil }.map(action),
            themes: b.items(.theme).map { $0.label.text(lang) },
            documents: b.items(.document).map { .init(label: $0.label.text(lang), required: $0.required) },
            rules: CallRuleSummary.statements(for: b.facts).map {
                .init(id: $0.ruleID, text: CallText.statement($0, req, caps: b.items(.cap)))
            },
            sessions: sessions, canRegister: form != nil, form: form)
        return try await req.render("public/call", title: call.title.text(lang), page, errors: !errors.isEmpty,
                                    status: errors.isEmpty ? .ok : .unprocessableEntity, hasForm: form != nil)
    }

    // MARK: Information sessions (AMIF-05)

    static func registerForSession(_ req: Request) async throws -> Response {
        let call = try await findPublicCall(req)
        let v = req.formValues()
        var errors = FormErrors()
        errors.required(v, "name", max: 120)
        errors.email(v, "email")
        errors.required(v, "organisation")
        let sessionID = UUID(uuidString: v["session"])
        if sessionID == nil { errors.add("session", "session.error.choose") }
        guard errors.isEmpty, let sessionID,
              let session = try await req.store.query(InformationSession.self).filter(\.$id == sessionID)
                .filter(\.$call.$id == call.storedID).first() else {
            if errors.isEmpty { errors.add("session", "session.error.choose") }
            return try await renderCall(req, call: call, values: v, errors: errors)
        }
        let email = TextRules.normalisedEmail(v["email"])
        let now = req.now
        // Count and insert in one transaction; the unique index (call, email) settles a race between two tabs.
        let refusal: SessionRegistrationRules.Refusal? = try await req.store.write { tx in
            let taken = try await tx.query(SessionRegistration.self).filter(\.$session.$id == sessionID).count()
            let already = try await tx.query(SessionRegistration.self).filter(\.$callID == call.storedID)
                .filter(\.$email == email).count() > 0
            do {
                try SessionRegistrationRules.check(capacity: session.capacity, registered: taken,
                                                   emailAlreadyRegistered: already, startsAt: session.startsAt, now: now)
            } catch let refusal as SessionRegistrationRules.Refusal { return refusal }
            let r = SessionRegistration()
            r.$session.id = sessionID
            r.callID = try call.storedID
            r.name = v["name"]
            r.email = email
            r.organisationName = v["organisation"]
            try await tx.create(r)
            try await tx.enqueueMail(
                to: email, userID: req.currentUser?.id, subject: req.t("mail.session.subject", call.reference),
                body: req.t("mail.session.body", r.name, call.title.text(req.language), req.dateTime(session.startsAt), session.place),
                kind: "session_registration", now: now)
            try await tx.audit("session.registered", entity: "information_session", id: sessionID, summary: email, by: req)
            return nil
        }
        if let refusal {
            switch refusal {
            case .full: errors.add("session", "session.error.full")
            case .alreadyRegistered: errors.add("email", "session.error.already")
            case .sessionPast: errors.add("session", "session.error.past")
            }
            return try await renderCall(req, call: call, values: v, errors: errors)
        }
        return try await req.render("accounts/message", title: "session.registered_title",
                                    MessagePage(heading: req.t("session.registered_title"),
                                                paragraphs: [req.t("session.registered_body", req.dateTime(session.startsAt), session.place, email)]))
    }

    // MARK: Timetable of calls (CPR art. 49(2))

    struct TimetableRow: Encodable, Sendable {
        let reference: String
        let title: String
        let programme: String
        let area: String
        let objective: String
        let eligibleApplicants: String
        let totalAmount: String
        let totalAmountCents: Int64?
        let start: String
        let end: String
        let startISO: String
        let endISO: String?
        let status: String
        let href: String
    }

    static func timetableRows(_ req: Request) async throws -> [TimetableRow] {
        let calls = try await req.store.query(Call.self).filter(\.$status != CallStatus.draft.rawValue)
            .with(\.$programme).sort(\.$opensAt).limit(1000).all()
        let ids = calls.compactMap(\.id)
        let objectives = ids.isEmpty ? [] : try await req.store.query(CallObjective.self).filter(\.$call.$id ~~ ids).sort(\.$position).all()
        let lang = req.language
        return calls.map { c in
            let objs = objectives.filter { $0.$call.id == c.id }.map { $0.code + " " + $0.title.text(lang) }
            return TimetableRow(
                reference: c.reference, title: c.title.text(lang), programme: c.programme.name.text(lang),
                area: req.t("country." + c.seatCountry),
                objective: objs.isEmpty ? c.title.text(lang) : objs.joined(separator: "; "),
                eligibleApplicants: c.legalForms.map { req.t($0.labelKey) }.joined(separator: ", "),
                totalAmount: c.globalBudgetCents.map { req.money(Money(cents: $0)) } ?? req.t("form.not_provided"),
                totalAmountCents: c.globalBudgetCents,
                start: req.dateTime(c.opensAt), end: c.closesAt.map { req.dateTime($0) } ?? req.t("call.rolling"),
                startISO: DateText.iso8601(c.opensAt), endISO: c.closesAt.map(DateText.iso8601),
                status: req.t("call.status." + c.status), href: "/calls/" + c.reference)
        }
    }

    struct TimetablePage: Encodable, Sendable { let rows: [TimetableRow] }

    static func timetable(_ req: Request) async throws -> Response {
        try await req.render("public/timetable", title: "timetable.title", TimetablePage(rows: try await timetableRows(req)))
    }

    static func timetableJSON(_ req: Request) async throws -> Response {
        struct Item: Encodable {
            let reference, title, programme, area, objective, eligible_applicants: String
            let total_amount_eur: String?
            let start, end: String?
            let url: String
        }
        let base = req.application.subsidiaConfig.baseURL
        let items = try await timetableRows(req).map {
            Item(reference: $0.reference, title: $0.title, programme: $0.programme, area: $0.area, objective: $0.objective,
                 eligible_applicants: $0.eligibleApplicants,
                 total_amount_eur: $0.totalAmountCents.map { MoneyFormatter.plainDecimal(Money(cents: $0)) },
                 start: $0.startISO, end: $0.endISO, url: base + $0.href)
        }
        let response = Response(status: .ok)
        try response.content.encode(items, as: .json)
        return response
    }

    static func timetableCSV(_ req: Request) async throws -> Response {
        var csv = "reference,title,programme,area,objective,eligible_applicants,total_amount_eur,start,end,url\r\n"
        let base = req.application.subsidiaConfig.baseURL
        for r in try await timetableRows(req) {
            let amount = r.totalAmountCents.map { MoneyFormatter.plainDecimal(Money(cents: $0)) } ?? ""
            csv += [r.reference, r.title, r.programme, r.area, r.objective, r.eligibleApplicants, amount, r.startISO,
                    r.endISO ?? "", base + r.href].map(CSV.field).joined(separator: ",") + "\r\n"
        }
        let response = Response(status: .ok, body: .init(string: csv))
        response.headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        response.headers.contentDisposition = .init(.attachment, filename: "subsidia-timetable.csv")
        return response
    }
}

enum CSV {
    /// One RFC 4180 field; a leading =, +, - or @ is neutralised so spreadsheets do not run it as a formula.
    static func field(_ s: String) -> String {
        var out = ByteBuffer()
        append(field: s, to: &out)
        return String(buffer: out)
    }

    /// A record with its CRLF line end.
    static func line(_ fields: [String]) -> String {
        var out = ByteBuffer()
        append(fields, to: &out)
        return String(buffer: out)
    }

    /// A record with its CRLF line end, written into `out` byte by byte (the queue's export writes 90,000 of
    /// them: building each field and line as a string first was a sixth of its time).
    static func append(_ fields: [String], to out: inout ByteBuffer) {
        for (i, f) in fields.enumerated() {
            if i > 0 { out.writeInteger(UInt8(ascii: ",")) }
            append(field: f, to: &out)
        }
        out.writeStaticString("\r\n")
    }

    static func append(field s: String, to out: inout ByteBuffer) {
        let quote = UInt8(ascii: "\"")
        let bytes = s.utf8
        let formula = bytes.first.map { $0 == UInt8(ascii: "=") || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "@") }
            ?? false
        let quoted = bytes.contains { $0 == UInt8(ascii: ",") || $0 == quote || $0 == 10 || $0 == 13 }
        if !quoted && !formula {
            out.writeString(s)
            return
        }
        if quoted { out.writeInteger(quote) }
        if formula { out.writeInteger(UInt8(ascii: "'")) }
        if quoted {
            for b in bytes {
                if b == quote { out.writeInteger(quote) }
                out.writeInteger(b)
            }
            out.writeInteger(quote)
        } else {
            out.writeString(s)
        }
    }
}
