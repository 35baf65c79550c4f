import Fluent
import Foundation
import SQLKit
import SubsidiaCore
import Vapor

/// A call with everything its pages show, read in a fixed number of queries.
struct CallBundle: Sendable {
    let call: Call
    let programme: Programme
    let objectives: [CallObjective]
    let actions: [CallAction]
    let items: [CallItem]
    let sessions: [InformationSession]
    let registrations: [UUID: Int]

    func items(_ kind: CallItem.Kind) -> [CallItem] { items.filter { $0.kind == kind.rawValue } }

    /// Codes a question accepts (themes, festival caps, actions).
    func allowedCodes(for q: Question) -> [String] {
        switch q.type {
        case .themes: items(.theme).map(\.code)
        case .capCategory: items(.cap).map(\.code)
        case .action: actions.map(\.code)
        default: []
        }
    }

    static func load(_ call: Call, on store: any StoreReading) async throws -> CallBundle {
        let id = try call.requireID()
        async let programme = store.find(Programme.self, call.$programme.id)
        async let objectives = store.query(CallObjective.self).filter(\.$call.$id == id).sort(\.$position).all()
        async let actions = store.query(CallAction.self).filter(\.$call.$id == id).sort(\.$position).all()
        async let items = store.query(CallItem.self).filter(\.$call.$id == id).sort(\.$position).all()
        async let sessions = store.query(InformationSession.self).filter(\.$call.$id == id).sort(\.$startsAt).all()
        let counts = try await registrationCounts(call: id, on: store)
        guard let p = try await programme else { throw Abort(.internalServerError) }
        return CallBundle(call: call, programme: p, objectives: try await objectives, actions: try await actions,
                          items: try await items, sessions: try await sessions, registrations: counts)
    }

    /// Registrations per information session of a call, counted by the database.
    static func registrationCounts(call id: UUID, on store: any StoreReading) async throws -> [UUID: Int] {
        struct Row: Decodable { let session_id: UUID; let n: Int }
        let rows = try await store.rows(Row.self, """
            SELECT session_id, COUNT(*) AS n FROM \(ident: SessionRegistration.schema) WHERE call_id = \(bind: id) GROUP BY session_id
            """)
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.session_id, $0.n) })
    }

    var facts: CallFacts {
        CallFacts(
            ruleSet: call.rules, kind: call.callKind, opensAt: call.opensAt, closesAt: call.closesAt,
            costPeriod: call.costPeriod, leadTimeDays: call.leadTimeDays,
            maxAmount: call.maxAmountCents.map(Money.init(cents:)), maxRate: call.maxRateBP.map(Rate.init(basisPoints:)),
            globalBudget: call.globalBudgetCents.map(Money.init(cents:)),
            categoryCaps: items(.cap).compactMap { i in i.amountCents.map { (i.labelFr, Money(cents: $0)) } },
            themeCount: items(.theme).count, hasInformationSessions: !sessions.isEmpty)
    }
}

enum CallText {
    /// One rule statement in the request's language, its values formatted for that language.
    static func statement(_ s: RuleStatement, _ req: Request, caps: [CallItem]) -> String {
        var args: [String] = []
        for (i, v) in s.values.enumerated() {
            switch v {
            case .money(let m): args.append(req.money(m))
            case .rate(let r): args.append(MoneyFormatter.percent(r, language: req.language))
            case .date(let d): args.append(req.date(d))
            case .instant(let d): args.append(req.dateTime(d))
            case .count(let n): args.append(String(n))
            case .text(let t):
                // Category caps carry their French label; show the label in the reader's language.
                let label = s.ruleID == "COM-08" && i == 0 ? caps.first { $0.labelFr == t }?.label.text(req.language) : nil
                args.append(label ?? t)
            }
        }
        return req.application.catalogue.text(s.key, req.language, args)
    }

    static func remaining(_ call: Call, _ req: Request) -> String {
        guard let closes = call.closesAt else {
            return req.now < call.opensAt ? req.t("call.opens_on", req.dateTime(call.opensAt)) : req.t("call.rolling_open")
        }
        switch TimeRemaining.until(closes, opening: call.opensAt, now: req.now) {
        case .notYetOpen(let d): return req.t("call.opens_in_days", String(d))
        case .days(let d): return req.t("call.remaining_days", String(d))
        case .hours(let h): return req.t("call.remaining_hours", String(h))
        case .minutes(let m): return req.t("call.remaining_minutes", String(m))
        case .closed: return req.t("call.closed")
        }
    }
}

/// The call a route names: published for applicants (by reference), any for staff (by id).
enum CallLookup {
    /// `:reference`, unless the call is a draft.
    static func open(_ req: Request) async throws -> Call {
        guard let reference = req.parameters.get("reference"),
              let call = try await req.store.query(Call.self).filter(\.$reference == reference).first(),
              call.callStatus != .draft else { throw Abort(.notFound) }
        return call
    }

    /// `:callID`, whatever its status (staff pages).
    static func staff(_ req: Request) async throws -> Call {
        guard let id = req.parameters.get("callID", as: UUID.self), let call = try await req.store.find(Call.self, id) else {
            throw Abort(.notFound)
        }
        return call
    }
}
