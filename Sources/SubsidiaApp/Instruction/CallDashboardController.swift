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
        var consumed: Rate? { envelope.flatMap { Rate.share(granted, of: $0) } }
    }

    struct ActionSum: Decodable, Sendable {
        let action_code: String?
        let n: Int
        let requested: Int64
        let granted: Int64
    }

    /// The envelopes with what was asked (submitted files, withdrawn ones left out) and granted (approvals).
    static func envelopes(_ bundle: CallBundle, on store: any StoreReading, language: Language) async throws -> [Envelope] {
        let call = bundle.call
        let sums = try await store.rows(ActionSum.self, """
            SELECT a.action_code, COUNT(*) AS n, CAST(COALESCE(SUM(a.requested_cents), 0) AS BIGINT) AS requested, \
            CAST(COALESCE(SUM(CASE WHEN a.status = 'approved' THEN a.granted_cents END), 0) AS BIGINT) AS granted \
            FROM applications a WHERE a.call_id = \(bind: call.storedID) AND a.status NOT IN ('draft', 'withdrawn') GROUP BY a.action_code
            """)
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
        _ = try req.requireOfficer()
        let call = try await CallLookup.staff(req)
        let bundle = try await CallBundle.load(call, on: req.store)
        struct StatusCount: Decodable { let status: String; let n: Int }
        let counts = try await req.store.rows(StatusCount.self, "SELECT status, COUNT(*) AS n FROM applications WHERE call_id = \(bind: call.storedID) GROUP BY status")
        let byStatus = Dictionary(uniqueKeysWithValues: counts.map { ($0.status, $0.n) })
        let queue = "/staff/applications?call=\(try call.storedID)"
        let envelopes = try await envelopes(bundle, on: req.store, language: req.language)
        let base = "/staff/calls/\(try call.storedID)"
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
            xlsxHref: "/staff/applications.xlsx?call=\(call.storedID)"))
    }

    // MARK: Ranking

    /// The files a ranking holds: scored or being scored, and those already approved (they take their share
    /// of the envelope first if they rank first, as they would in the committee's list).
    static let rankedStatuses: [ApplicationStatus] = [.inEvaluation, .evaluated, .approved]

    struct RankedRow: Decodable, Sendable {
        let id: UUID
        let reference: String?
        let title: String
        let legal_name: String
        let status: String
        let score: Int
        let amount: Int64
        let position: Int
        let running: Int64
        let total: Int
    }

    /// One page of the ranking that SubsidiaCore's `Ranking.rank` defines (highest score first, unscored last,
    /// then the earlier submission; an approved file counts for what was granted, the others for what they ask;
    /// the running total of those amounts), computed by the database with window functions over the ranking
    /// index, so that a page reads its 50 rows and not the 5,000 it ranks (decoding every row cost 90 ms).
    /// The page is cut before it is joined to the applications (joined first, every ranked file was read from
    /// the table: 41 ms of SQLite for 4,500 files, where the windows alone take 16 ms), and the files are counted
    /// apart (a third window, COUNT(*) OVER (), doubled the windows' time).
    /// The HTTP tests check the page against `Ranking.rank` on the same files.
    static func ranking(call: UUID, action: String?, status: ApplicationStatus?, offset: Int, limit: Int, on store: any StoreReading)
        async throws -> [RankedRow] {
        let statuses = status.map { [$0] } ?? rankedStatuses
        var condition: SQLQueryString = "r.call_id = \(bind: call) AND r.status IN \(SQLGroupExpression(SQLList(statuses.map { SQLBind($0.rawValue) })))"
        if let action { condition = condition + " AND r.action_code = \(bind: action)" }
        let amount = "CASE WHEN r.status = 'approved' AND r.granted_cents IS NOT NULL THEN r.granted_cents ELSE COALESCE(r.requested_cents, 0) END"
        let order = "COALESCE(r.score_hundredths, -1) DESC, (r.submitted_at IS NULL) ASC, r.submitted_at ASC, r.id ASC"
        return try await store.rows(RankedRow.self, """
            SELECT k.id, a.reference, a.title, a.legal_name, a.status, k.score, k.amount, k.position, CAST(k.running AS BIGINT) AS running, \
            (SELECT COUNT(*) FROM applications r WHERE
            """ + " " + condition + """
            ) AS total FROM (SELECT w.id, w.score, w.amount, w.position, w.running FROM (SELECT r.id, \
            COALESCE(r.score_hundredths, -1) AS score, \(unsafeRaw: amount) AS amount, ROW_NUMBER() OVER ranked AS position, \
            SUM(\(unsafeRaw: amount)) OVER ranked AS running FROM applications r WHERE
            """ + " " + condition + """
             WINDOW ranked AS (ORDER BY \(unsafeRaw: order) ROWS UNBOUNDED PRECEDING)) w \
            WHERE w.position > \(literal: offset) ORDER BY w.position LIMIT \(literal: limit)) k JOIN applications a ON a.id = k.id \
            ORDER BY k.position
            """)
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
        _ = try req.requireOfficer()
        let call = try await CallLookup.staff(req)
        let bundle = try await CallBundle.load(call, on: req.store)
        let requestedAction = (try? req.query.get(String.self, at: "action")) ?? ""
        let action = bundle.actions.first { $0.code == requestedAction } ?? bundle.actions.first
        let status = ((try? req.query.get(String.self, at: "status")) ?? "").isEmpty ? nil
            : ApplicationStatus(rawValue: (try? req.query.get(String.self, at: "status")) ?? "").flatMap { rankedStatuses.contains($0) ? $0 : nil }
        let envelope = action.map { Money(cents: $0.envelopeCents) } ?? call.globalBudgetCents.map(Money.init(cents:))
        let paging = Paging(req, size: 50)
        let shown = try await ranking(call: call.storedID, action: action?.code, status: status, offset: paging.offset, limit: paging.size, on: req.store)
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
        let base = "/staff/calls/\(try call.storedID)"
        return try await req.render("staff/ranking", title: "ranking.title", RankingPage(
            reference: call.reference, title: call.title.text(req.language),
            heading: action.map { $0.code + " " + $0.title.text(req.language) } ?? call.title.text(req.language),
            envelope: envelope.map(req.money) ?? req.t("dashboard.no_envelope"),
            form: f.build(action: base + "/ranking", submit: "filter.apply", method: "get"),
            lines: shown.map { r in
                RankingPage.Line(
                    position: r.position, href: "/staff/applications/\(r.id)", reference: r.reference ?? "–",
                    title: r.title.isEmpty ? req.t("app.untitled") : r.title, applicant: r.legal_name, status: req.t("app.status." + r.status),
                    score: r.score < 0 ? req.t("ranking.not_scored") : InstructionOperations.points(r.score, req),
                    amount: req.money(Money(cents: r.amount)), running: req.money(Money(cents: r.running)),
                    fits: envelope.map { Money(cents: r.running) <= $0 } ?? true)
            },
            paging: paging.view(total: shown.first?.total ?? 0, req: req), dashboardHref: base + "/dashboard"))
    }
}
