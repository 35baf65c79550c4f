import Fluent
import Foundation
import SQLKit
import SubsidiaCore
import Vapor

/// Per call, for officers: the dashboard (applications per status, requested and granted per action, the
/// envelopes' consumption as a bar chart with the same figures in a table, time left until the deadline)
/// and the ranking of each action (AMIF-02, COM-09): total score, amount and the running total against
/// the envelope. Both read with SQLKit; the ranking itself is SubsidiaCore's `Ranking`.
enum CallDashboardController {
    // MARK: Figures

    /// One envelope of the call: an action (AMIF-02), or the whole call when it has no actions (COM-07).
    struct Envelope: Sendable {
        let code: String
        let label: String
        let envelope: Money?
        var count = 0
        var requested = Money.zero
        var granted = Money.zero

        var remaining: Money? { envelope.map { $0 - granted } }
        /// Granted as a share of the envelope, to the basis point.
        var consumed: Rate? {
            guard let e = envelope, e.cents > 0 else { return nil }
            return Rate(basisPoints: Int(granted.cents * 10_000 / e.cents))
        }
    }

    struct ActionSum: Decodable, Sendable {
        let action_code: String?
        let n: Int
        let requested: Int64
        let granted: Int64
    }

    /// The envelopes with what was asked (submitted files, withdrawn ones left out) and granted (approvals).
    static func envelopes(_ bundle: CallBundle, on sql: any SQLDatabase, language: Language) async throws -> [Envelope] {
        let call = bundle.call
        let sums = try await sql.raw("""
            SELECT a.action_code, COUNT(*) AS n, CAST(COALESCE(SUM(a.requested_cents), 0) AS BIGINT) AS requested, \
            CAST(COALESCE(SUM(CASE WHEN a.status = 'approved' THEN a.granted_cents END), 0) AS BIGINT) AS granted \
            FROM applications a WHERE a.call_id = \(bind: call.id!) AND a.status NOT IN ('draft', 'withdrawn') GROUP BY a.action_code
            """).all(decoding: ActionSum.self)
        var out: [Envelope]
        if bundle.actions.isEmpty {
            out = [Envelope(code: "", label: call.title.text(language), envelope: call.globalBudgetCents.map(Money.init(cents:)))]
        } else {
            out = bundle.actions.map { Envelope(code: $0.code, label: $0.code + " " + $0.title.text(language), envelope: Money(cents: $0.envelopeCents)) }
        }
        for s in sums {
            let code = bundle.actions.isEmpty ? "" : (s.action_code ?? "")
            let i = out.firstIndex { $0.code == code } ?? {
                out.append(Envelope(code: code, label: code.isEmpty ? "–" : code, envelope: nil))
                return out.count - 1
            }()
            out[i].count += s.n
            out[i].requested = out[i].requested + Money(cents: s.requested)
            out[i].granted = out[i].granted + Money(cents: s.granted)
        }
        return out
    }

    // MARK: Dashboard

    struct DashboardPage: Encodable, Sendable {
        struct Count: Encodable, Sendable { let label: String; let count: Int; let href: String? }
        struct Row: Encodable, Sendable {
            let label: String
            let count: Int
            let envelope: String
            let requested: String
            let granted: String
            let remaining: String
            let consumed: String
            let rankingHref: String
        }
        struct Bar: Encodable, Sendable {
            let label: String
            let y: Int
            let textY: Int
            let width: Int
            let text: String
        }

        let reference: String
        let title: String
        let deadline: String
        let remaining: String
        let counts: [Count]
        let total: Int
        let rows: [Row]
        let bars: [Bar]
        let chartHeight: Int
        let queueHref: String
        let manageHref: String
        let xlsxHref: String
    }

    static let barArea = 420

    static func dashboard(_ req: Request) async throws -> Response {
        _ = try InstructionController.officer(req)
        guard let sql = req.db as? any SQLDatabase else { throw Abort(.internalServerError) }
        let call = try await StaffCallsController.loadCall(req)
        let bundle = try await CallBundle.load(call, on: req.db)
        struct StatusCount: Decodable { let status: String; let n: Int }
        let counts = try await sql.raw("SELECT status, COUNT(*) AS n FROM applications WHERE call_id = \(bind: call.id!) GROUP BY status")
            .all(decoding: StatusCount.self)
        let byStatus = Dictionary(uniqueKeysWithValues: counts.map { ($0.status, $0.n) })
        let queue = "/staff/applications?call=\(call.id!)"
        let envelopes = try await envelopes(bundle, on: sql, language: req.language)
        let base = "/staff/calls/\(call.id!)"
        func pct(_ r: Rate?) -> String { r.map { MoneyFormatter.percent($0, language: req.language) } ?? "–" }
        let bars = envelopes.enumerated().map { i, e in
            DashboardPage.Bar(label: e.code.isEmpty ? call.reference : e.code, y: 10 + i * 34, textY: 10 + i * 34 + 17,
                              width: e.consumed.map { min(barArea, barArea * $0.basisPoints / 10_000) } ?? 0,
                              text: e.envelope == nil ? req.t("dashboard.no_envelope") : pct(e.consumed))
        }
        return try await req.render("staff/call_dashboard", title: "dashboard.title", DashboardPage(
            reference: call.reference, title: call.title.text(req.language),
            deadline: call.closesAt.map(req.dateTime) ?? req.t("dashboard.rolling"), remaining: CallText.remaining(call, req),
            counts: ApplicationStatus.allCases.map { s in
                DashboardPage.Count(label: req.t(s.labelKey), count: byStatus[s.rawValue] ?? 0,
                                    href: s == .draft ? nil : queue + "&status=" + s.rawValue)
            },
            total: counts.reduce(0) { $0 + $1.n },
            rows: envelopes.map { e in
                DashboardPage.Row(label: e.label, count: e.count, envelope: e.envelope.map(req.money) ?? "–", requested: req.money(e.requested),
                                  granted: req.money(e.granted), remaining: e.remaining.map(req.money) ?? "–", consumed: pct(e.consumed),
                                  rankingHref: base + "/ranking" + (e.code.isEmpty ? "" : "?action=" + e.code))
            },
            bars: bars, chartHeight: 20 + envelopes.count * 34, queueHref: queue, manageHref: base,
            xlsxHref: "/staff/applications.xlsx?call=\(call.id!)"))
    }

    // MARK: Ranking

    /// The files a ranking holds: scored or being scored, and those already approved (they take their share
    /// of the envelope first if they rank first, as they would in the committee's list).
    static let rankedStatuses: [ApplicationStatus] = [.inEvaluation, .evaluated, .approved]

    /// The id stays text here: parsing 5,000 UUIDs costs more than the ranking itself; only the page's are.
    struct RankRow: Decodable, Sendable {
        let id: String
        let score_hundredths: Int?
        let requested_cents: Int64?
        let granted_cents: Int64?
        let status: String
        let submitted_at: Date?
    }

    struct RankDetail: Decodable, Sendable {
        let id: UUID
        let reference: String?
        let title: String
        let legal_name: String
    }

    /// Every ranked file of one action (or of the call), ranked by `Ranking.rank` against the envelope.
    static func ranking(call: UUID, action: String?, status: ApplicationStatus?, envelope: Money?, on sql: any SQLDatabase)
        async throws -> (lines: [Ranking.Line<String>], rows: [String: RankRow]) {
        let statuses = status.map { [$0] } ?? rankedStatuses
        var condition: SQLQueryString = "call_id = \(bind: call) AND status IN ("
            + statuses.map { "\(bind: $0.rawValue)" as SQLQueryString }.dropFirst().reduce("\(bind: statuses[0].rawValue)") { $0 + ", " + $1 } + ")"
        if let action { condition = condition + " AND action_code = \(bind: action)" }
        let rows = try await sql.raw("SELECT id, score_hundredths, requested_cents, granted_cents, status, submitted_at FROM applications WHERE "
                                     + condition).all(decoding: RankRow.self)
        let entries = rows.map { r in
            // An approved file counts for what was granted; the others for what they ask. Unscored files rank last.
            Ranking.Entry(id: r.id, score: Points(hundredths: r.score_hundredths ?? -1),
                          requested: Money(cents: (r.status == ApplicationStatus.approved.rawValue ? r.granted_cents : nil) ?? r.requested_cents ?? 0),
                          submittedAt: r.submitted_at ?? .distantFuture)
        }
        return (Ranking.rank(entries, envelope: envelope), Dictionary(uniqueKeysWithValues: rows.map { ($0.id, $0) }))
    }

    struct RankingPage: Encodable, Sendable {
        struct Line: Encodable, Sendable {
            let position: Int
            let href: String
            let reference: String
            let title: String
            let applicant: String
            let status: String
            let score: String
            let amount: String
            let running: String
            let fits: Bool
        }

        let reference: String
        let title: String
        let heading: String
        let envelope: String
        let form: FormView
        let lines: [Line]
        let paging: Paging.View
        let dashboardHref: String
    }

    static func rankingPage(_ req: Request) async throws -> Response {
        _ = try InstructionController.officer(req)
        guard let sql = req.db as? any SQLDatabase else { throw Abort(.internalServerError) }
        let call = try await StaffCallsController.loadCall(req)
        let bundle = try await CallBundle.load(call, on: req.db)
        let requestedAction = (try? req.query.get(String.self, at: "action")) ?? ""
        let action = bundle.actions.first { $0.code == requestedAction } ?? bundle.actions.first
        let status = ((try? req.query.get(String.self, at: "status")) ?? "").isEmpty ? nil
            : ApplicationStatus(rawValue: (try? req.query.get(String.self, at: "status")) ?? "").flatMap { rankedStatuses.contains($0) ? $0 : nil }
        let envelope = action.map { Money(cents: $0.envelopeCents) } ?? call.globalBudgetCents.map(Money.init(cents:))
        let (lines, rows) = try await ranking(call: call.id!, action: action?.code, status: status, envelope: envelope, on: sql)
        let paging = Paging(req, size: 50)
        let shown = Array(lines.dropFirst(paging.offset).prefix(paging.size))
        var details: [UUID: RankDetail] = [:]
        if !shown.isEmpty {
            let uuids = shown.compactMap { UUID(uuidString: $0.entry.id) }
            let ids = uuids.map { "\(bind: $0)" as SQLQueryString }.dropFirst().reduce("\(bind: uuids[0])") { $0 + ", " + $1 }
            for d in try await sql.raw("SELECT id, reference, title, legal_name FROM applications WHERE id IN (" + ids + ")").all(decoding: RankDetail.self) {
                details[d.id] = d
            }
        }
        var v = FormValues()
        v["action"] = action?.code ?? ""
        v["status"] = status?.rawValue ?? ""
        var f = FormBuilder(req, values: v, errors: FormErrors())
        if !bundle.actions.isEmpty {
            f.choice("action", "queue.action", type: "select",
                     options: bundle.actions.map { ($0.code, $0.code + " " + $0.title.text(req.language)) }, translateOptions: false)
        }
        f.choice("status", "call.status", type: "select",
                 options: [("", req.t("ranking.all_ranked"))] + rankedStatuses.map { ($0.rawValue, req.t($0.labelKey)) }, translateOptions: false)
        let base = "/staff/calls/\(call.id!)"
        return try await req.render("staff/ranking", title: "ranking.title", RankingPage(
            reference: call.reference, title: call.title.text(req.language),
            heading: action.map { $0.code + " " + $0.title.text(req.language) } ?? call.title.text(req.language),
            envelope: envelope.map(req.money) ?? req.t("dashboard.no_envelope"),
            form: f.build(action: base + "/ranking", submit: "filter.apply", method: "get"),
            lines: shown.map { l in
                let d = UUID(uuidString: l.entry.id).flatMap { details[$0] }
                let r = rows[l.entry.id]
                return RankingPage.Line(
                    position: l.position, href: "/staff/applications/\(l.entry.id)", reference: d?.reference ?? "–",
                    title: (d?.title).flatMap { $0.isEmpty ? nil : $0 } ?? req.t("app.untitled"), applicant: d?.legal_name ?? "",
                    status: req.t("app.status." + (r?.status ?? "")),
                    score: l.entry.score.hundredths < 0 ? req.t("ranking.not_scored") : InstructionController.points(l.entry.score.hundredths, req),
                    amount: req.money(l.entry.requested), running: req.money(l.runningTotal), fits: l.fitsEnvelope)
            },
            paging: paging.view(total: lines.count, req: req), dashboardHref: base + "/dashboard"))
    }
}
