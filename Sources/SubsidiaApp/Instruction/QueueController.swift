import Fluent
import Foundation
import SQLKit
import SubsidiaCore
import SubsidiaDocuments
import Vapor

/// The officers' queue of submitted applications: filters, full-text search, sorting, keyset pagination
/// (the next page starts after the last row shown, so page 400 costs what page 1 does), and a CSV export
/// of exactly what the filters show. Read with SQLKit: no model hydration on a list.
enum QueueController {
    struct Filters: Sendable {
        var call: UUID?
        var status: ApplicationStatus?
        var action = ""
        var legalForm: LegalForm?
        var commune = ""
        var minCents: Int64?
        var maxCents: Int64?
        var from: CalendarDate?
        var to: CalendarDate?
        var q = ""
        var sort = Sort.newest
        var errors = FormErrors()

        enum Sort: String, CaseIterable, Sendable { case newest, oldest, requested, score }

        init(_ req: Request) {
            func text(_ k: String, _ max: Int = 100) -> String {
                String(((try? req.query.get(String.self, at: k)) ?? "").trimmingCharacters(in: .whitespaces).prefix(max))
            }
            call = UUID(uuidString: text("call"))
            status = ApplicationStatus(rawValue: text("status"))
            action = text("action", 20)
            legalForm = LegalForm(rawValue: text("legal_form"))
            commune = text("commune")
            q = text("q")
            sort = Sort(rawValue: text("sort")) ?? .newest
            for (key, keyPath) in [("min", \Filters.minCents), ("max", \Filters.maxCents)] {
                let raw = text(key, 20)
                guard !raw.isEmpty else { continue }
                if let m = Money.parse(raw), m <= Money.inputMaximum { self[keyPath: keyPath] = m.cents } else { errors.add(key, "error.amount") }
            }
            for (key, keyPath) in [("from", \Filters.from), ("to", \Filters.to)] {
                let raw = text(key, 10)
                guard !raw.isEmpty else { continue }
                if let d = CalendarDate(iso: raw) { self[keyPath: keyPath] = d } else { errors.add(key, "error.date") }
            }
        }

        /// Whether the officer typed something the search index can look up.
        var searches: Bool { !SearchIndex.words(q).isEmpty }

        /// The WHERE clause, shared by the page, its count and the export, over `applications a` (or on SQLite
        /// with `onKeys`, over the search's table of queue columns, M009).
        func conditions(on engine: StoreEngine, onKeys: Bool = false) -> SQLQueryString {
            var parts: [SQLQueryString] = ["a.status <> 'draft'"]
            if let call { parts.append("a.call_id = \(bind: call)") }
            if let status { parts.append("a.status = \(bind: status.rawValue)") }
            if !action.isEmpty { parts.append("a.action_code = \(bind: action)") }
            if let legalForm { parts.append("a.legal_form = \(bind: legalForm.rawValue)") }
            if !commune.isEmpty { parts.append("LOWER(a.locality) = \(bind: commune.lowercased())") }
            if let minCents { parts.append("a.requested_cents >= \(bind: minCents)") }
            if let maxCents { parts.append("a.requested_cents <= \(bind: maxCents)") }
            if let from { parts.append("a.submitted_at >= \(bind: LuxembourgTime.instant(from))") }
            if let to { parts.append("a.submitted_at < \(bind: LuxembourgTime.instant(to.adding(days: 1)))") }
            if let search = SearchIndex.condition(q, on: engine, onKeys: onKeys) { parts.append(search) }
            return parts.dropFirst().reduce(parts[0]) { $0 + " AND " + $1 }
        }
    }

    struct Row: Decodable, Sendable {
        let id: UUID
        let reference: String?
        let title: String
        let legal_name: String
        let legal_form: String
        let locality: String
        let status: String
        let action_code: String?
        let requested_cents: Int64?
        let submitted_at: Date?
        let score_hundredths: Int?
        let call_reference: String
    }

    static let columns: SQLQueryString = """
        a.id, a.reference, a.title, a.legal_name, a.legal_form, a.locality, a.status, a.action_code, a.requested_cents, \
        a.submitted_at, a.score_hundredths, c.reference AS call_reference
        """

    /// ORDER BY and the keyset condition for one sort: (key, id) pairs compared in the sort's direction, as row
    /// values, which both databases read as a range of the sort's index (M010). SQLite reads the same condition
    /// written as `key < x OR (key = x AND id < y)` as two searches whose rows it then sorts: for every batch of
    /// the export, all the rows after the cursor.
    static func order(_ sort: Filters.Sort, after cursor: String?) -> (order: SQLQueryString, after: SQLQueryString?) {
        let parts = cursor?.split(separator: "_", maxSplits: 1).map(String.init) ?? []
        let id = parts.count == 2 ? UUID(uuidString: parts[1]) : nil
        switch sort {
        case .newest, .oldest:
            let desc = sort == .newest
            let order: SQLQueryString = desc ? "a.submitted_at DESC, a.id DESC" : "a.submitted_at ASC, a.id ASC"
            guard let id, let t = Double(parts[0]) else { return (order, nil) }
            let at = Date(timeIntervalSince1970: t)
            return (order, "(a.submitted_at, a.id) " + (desc ? "<" : ">") + " (\(bind: at), \(bind: id))")
        case .requested, .score:
            let column: SQLQueryString = sort == .requested ? "COALESCE(a.requested_cents, 0)" : "COALESCE(a.score_hundredths, -1)"
            guard let id, let v = Int64(parts[0]) else { return (column + " DESC, a.id DESC", nil) }
            return (column + " DESC, a.id DESC", "(" + column + ", a.id) < (\(bind: v), \(bind: id))")
        }
    }

    static func cursor(of row: Row, sort: Filters.Sort) -> String {
        cursor(sort, id: row.id, submittedAt: row.submitted_at, requestedCents: row.requested_cents, scoreHundredths: row.score_hundredths)
    }

    static func cursor(_ sort: Filters.Sort, id: UUID, submittedAt: Date?, requestedCents: Int64?, scoreHundredths: Int?) -> String {
        switch sort {
        case .newest, .oldest: String((submittedAt ?? Date(timeIntervalSince1970: 0)).timeIntervalSince1970) + "_" + id.uuidString
        case .requested: String(requestedCents ?? 0) + "_" + id.uuidString
        case .score: String(scoreHundredths ?? -1) + "_" + id.uuidString
        }
    }

    /// `columns` of up to `limit` rows in the filters' order, starting after `cursor`: the page and the export's
    /// batches read alike.
    static func select(_ columns: SQLQueryString, _ filters: Filters, after cursor: String?, limit: Int, on engine: StoreEngine) -> SQLQueryString {
        let (order, keyset) = order(filters.sort, after: cursor)
        var condition = filters.conditions(on: engine)
        if let keyset { condition = condition + " AND " + keyset }
        return "SELECT " + columns + " FROM applications a JOIN calls c ON c.id = a.call_id WHERE " + condition
            + " ORDER BY " + order + " LIMIT \(literal: limit)"
    }

    /// One page of rows in the filters' order, starting after `cursor`.
    static func rows(_ filters: Filters, after cursor: String?, limit: Int, on store: Store) async throws -> [Row] {
        try await store.rows(Row.self, select(columns, filters, after: cursor, limit: limit, on: store.engine))
    }

    /// Counted up to a bound: beyond it the officer narrows the filters rather than reads the figure (the
    /// filters alone can match most of the 100,000 applications).
    static func boundedCount(_ filters: Filters, on store: Store) async throws -> Int {
        struct Count: Decodable { let n: Int }
        return try await store.first(Count.self, "SELECT COUNT(*) AS n FROM (SELECT 1 FROM applications a WHERE " + filters.conditions(on: store.engine)
                                 + " LIMIT \(literal: countBound + 1)) counted")?.n ?? 0
    }

    /// A search's page and its exact count in one pass: the matches' sort keys are read once into a
    /// materialised set, which gives both the count and the page's ids; only the page's rows are read from the
    /// table. On SQLite the matches' filter and sort columns come from the narrow table numbered as the FTS5 rows
    /// (M009); on PostgreSQL from the applications. Measured on the benchmark file for a theme word's 4,500
    /// matches, in the `sqlite3` shell: 28 ms when the page and the count each read every match from the table,
    /// 20–27 ms for one pass through each match's id (M007), 7–13 ms through the narrow table.
    /// Nil when the page is empty after a cursor, where the set gives no row to carry the count.
    static func searchPage(_ filters: Filters, after cursor: String?, limit: Int, on store: Store)
        async throws -> (rows: [Row], total: Int)? {
        let (order, keyset) = order(filters.sort, after: cursor)
        let engine = store.engine
        let matches = SearchIndex.matches(on: engine) { filters.conditions(on: engine, onKeys: $0) }
        let found = try await store.rows(Counted.self, "WITH m AS MATERIALIZED (SELECT a.id, a.submitted_at, a.requested_cents, a.score_hundredths FROM "
            + matches + ") SELECT " + columns
            + ", (SELECT COUNT(*) FROM m) AS total FROM applications a JOIN calls c ON c.id = a.call_id WHERE a.id IN (SELECT a.id FROM m a"
            + (keyset.map { " WHERE " + $0 } ?? "") + " ORDER BY " + order + " LIMIT \(literal: limit)) ORDER BY " + order)
        guard let first = found.first else { return cursor == nil ? ([], 0) : nil }
        return (found.map(\.row), first.total)
    }

    /// A row of the search's page with the count of all its matches.
    struct Counted: Decodable, Sendable {
        let row: Row
        let total: Int

        init(from decoder: any Decoder) throws {
            row = try Row(from: decoder)
            total = try decoder.container(keyedBy: Key.self).decode(Int.self, forKey: .total)
        }

        private enum Key: String, CodingKey { case total }
    }

    struct Page: Encodable, Sendable {
        struct Line: Encodable, Sendable {
            let href: String
            let reference: String
            let title: String
            let applicant: String
            let call: String
            let action: String
            let status: String
            let requested: String
            let submitted: String
            let score: String
        }

        let rows: [Line]
        let total: String
        let next: String?
        let first: String?
        let csv: String
        let xlsx: String
        let form: FormView
        let hasErrors: Bool
    }

    static let pageSize = 25
    static let countBound = 1_000

    static func queue(_ req: Request) async throws -> Response {
        _ = try req.requireOfficer()
        let store = req.store
        let filters = Filters(req)
        var rows: [Row] = []
        var total = 0
        let after = (try? req.query.get(String.self, at: "after")).map { String($0.prefix(80)) }
        var exact = false
        if filters.errors.isEmpty {
            if filters.searches, let found = try await searchPage(filters, after: after, limit: pageSize + 1, on: store) {
                (rows, total, exact) = (found.rows, found.total, true)
            } else {
                rows = try await Self.rows(filters, after: after, limit: pageSize + 1, on: store)
                total = try await boundedCount(filters, on: store)
            }
        }
        let more = rows.count > pageSize
        rows = Array(rows.prefix(pageSize))
        let calls = try await store.rows(CallOption.self, "SELECT id, reference FROM \(ident: Call.schema) ORDER BY reference")
        let query = (req.url.query ?? "").split(separator: "&").filter { !$0.hasPrefix("after=") }.joined(separator: "&")
        let path = "/staff/applications"
        let next = more ? rows.last.map { path + "?" + (query.isEmpty ? "" : query + "&") + "after=" + cursor(of: $0, sort: filters.sort) } : nil
        let lines = rows.map { r in
            Page.Line(href: "/staff/applications/\(r.id)", reference: r.reference ?? "–", title: r.title.isEmpty ? req.t("app.untitled") : r.title,
                      applicant: r.legal_name + ", " + r.locality, call: r.call_reference, action: r.action_code ?? "",
                      status: req.t("app.status." + r.status), requested: r.requested_cents.map { req.money(Money(cents: $0)) } ?? "–",
                      submitted: r.submitted_at.map(req.dateTime) ?? "–",
                      score: r.score_hundredths.map { InstructionOperations.points($0, req) } ?? "–")
        }
        return try await req.render("staff/queue", title: "queue.title", Page(
            rows: lines, total: total > countBound && !exact ? req.t("queue.total_more", String(countBound)) : req.t("queue.total", String(total)), next: next, first: after == nil ? nil : path + (query.isEmpty ? "" : "?" + query),
            csv: path + ".csv" + (query.isEmpty ? "" : "?" + query), xlsx: path + ".xlsx" + (query.isEmpty ? "" : "?" + query), form: filterForm(req, filters: filters, calls: calls),
            hasErrors: !filters.errors.isEmpty), errors: !filters.errors.isEmpty, status: filters.errors.isEmpty ? .ok : .unprocessableEntity)
    }

    struct CallOption: Decodable, Sendable { let id: UUID; let reference: String }

    static func filterForm(_ req: Request, filters: Filters, calls: [CallOption]) -> FormView {
        var v = FormValues()
        for key in ["call", "status", "action", "legal_form", "commune", "min", "max", "from", "to", "q", "sort"] {
            if let value = try? req.query.get(String.self, at: key) { v[key] = value }
        }
        var f = FormBuilder(req, values: v, errors: filters.errors)
        f.text("q", "queue.search", hint: "queue.search_hint", type: "search", maxLength: 100)
        f.choice("call", "timetable.call", type: "select", options: [("", req.t("filter.all"))] + calls.map { ($0.id.uuidString, $0.reference) },
                 translateOptions: false)
        f.choice("status", "call.status", type: "select",
                 options: [("", req.t("filter.all"))] + ApplicationStatus.allCases.filter { $0 != .draft }.map { ($0.rawValue, req.t($0.labelKey)) },
                 translateOptions: false)
        f.text("action", "queue.action", maxLength: 20, width: "5")
        f.choice("legal_form", "org.legal_form", type: "select",
                 options: [("", req.t("filter.all"))] + LegalForm.allCases.map { ($0.rawValue, req.t("legal_form." + $0.rawValue)) },
                 translateOptions: false)
        f.text("commune", "queue.commune", maxLength: 100)
        f.text("min", "queue.min", maxLength: 20, inputmode: "decimal", width: "10")
        f.text("max", "queue.max", maxLength: 20, inputmode: "decimal", width: "10")
        f.text("from", "queue.from", type: "date", maxLength: 10, width: "10")
        f.text("to", "queue.to", type: "date", maxLength: 10, width: "10")
        f.choice("sort", "queue.sort", type: "select", options: Filters.Sort.allCases.map { ($0.rawValue, "queue.sort." + $0.rawValue) })
        return f.build(action: "/staff/applications", submit: "filter.apply", method: "get")
    }

    enum ExportFormat { case csv, xlsx }

    /// One batch of the export's lines, in the page's order after `cursor`, and the cursor after its last line
    /// (nil when the batch is not full: it was the last).
    static func exportBatch(_ filters: Filters, after cursor: String?, size: Int, on store: Store)
        async throws -> (lines: [ExportLine], next: String?) {
        let rows = try await store.table(select(exportColumns, filters, after: cursor, limit: size, on: store.engine))
        let lines = try rows.map(ExportLine.init)
        guard lines.count == size, let last = lines.last, let id = try rows.last?.uuid("id") else { return (lines, nil) }
        return (lines, Self.cursor(filters.sort, id: id, submittedAt: last.submittedAt, requestedCents: last.requestedCents,
                                   scoreHundredths: last.scoreHundredths))
    }

    /// The page's columns, the texts never null (one read per text column instead of a null check and a read).
    /// `ExportLine` reads them by name.
    static let exportColumns: SQLQueryString = """
        a.id, COALESCE(a.reference, '') AS reference, a.title, a.legal_name, a.legal_form, a.locality, a.status, \
        COALESCE(a.action_code, '') AS action_code, a.requested_cents, a.submitted_at, a.score_hundredths, c.reference AS call_reference
        """

    /// An export line, read column by column (`Store.table`): SQLKit's generic decoding of a whole `Row` (a keyed
    /// container per row, the id parsed as a UUID) was over a quarter of the export's time, and the lines need no id.
    struct ExportLine {
        let reference, call, title, applicant, legalForm, commune, action, status: String
        let requestedCents: Int64?
        let submittedAt: Date?
        let scoreHundredths: Int?

        init(_ row: StoreRow) throws {
            reference = try row.text("reference") ?? ""
            call = try row.text("call_reference") ?? ""
            title = try row.text("title") ?? ""
            applicant = try row.text("legal_name") ?? ""
            legalForm = try row.text("legal_form") ?? ""
            commune = try row.text("locality") ?? ""
            action = try row.text("action_code") ?? ""
            status = try row.text("status") ?? ""
            requestedCents = try row.integer("requested_cents")
            submittedAt = try row.date("submitted_at")
            scoreHundredths = try row.integer("score_hundredths").map { Int($0) }
        }
    }

    static func csv(_ req: Request) async throws -> Response { try await export(req, as: .csv) }
    static func xlsx(_ req: Request) async throws -> Response { try await export(req, as: .xlsx) }

    /// The same rows as CSV (machine names, for re-use) or XLSX (the reader's language, typed amounts and
    /// dates, written by SubsidiaDocuments), streamed in batches (2,000 rows in service) read by keyset: memory stays flat
    /// for 100,000 rows.
    static func export(_ req: Request, as format: ExportFormat) async throws -> Response {
        _ = try req.requireOfficer()
        let filters = Filters(req)
        guard filters.errors.isEmpty else { throw Abort(.badRequest) }
        let store = req.store
        let response = Response(status: .ok)
        let catalogue = req.application.catalogue
        let language = req.language
        let now = req.now
        let size = req.application.subsidiaConfig.exportBatchSize
        switch format {
        case .csv:
            response.headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
            response.headers.contentDisposition = .init(.attachment, filename: "applications.csv")
        case .xlsx:
            response.headers.contentType = HTTPMediaType(type: "application", subType: "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            response.headers.contentDisposition = .init(.attachment, filename: "applications.xlsx")
        }
        response.headers.replaceOrAdd(name: .cacheControl, value: "private, no-store")
        response.body = .init(asyncStream: { writer in
            do {
                var sheet = XLSXWriter(
                    sheetName: catalogue.text("queue.title", language),
                    columns: [("queue.reference", 20), ("timetable.call", 16), ("queue.project", 40), ("queue.applicant", 32),
                              ("org.legal_form", 24), ("queue.commune", 16), ("queue.action", 8), ("call.status", 16),
                              ("queue.requested", 14), ("queue.submitted_at", 18), ("queue.score", 8)]
                        .map { XLSXWriter.Column(catalogue.text($0.0, language), width: $0.1) },
                    timeZone: LuxembourgTime.zone, created: now)
                switch format {
                case .csv:
                    try await writer.writeBuffer(ByteBuffer(string: "\u{FEFF}" + CSV.line(["reference", "call", "title", "applicant", "legal_form",
                                                                                         "commune", "action", "status", "requested_eur",
                                                                                         "submitted_at", "score"])))
                case .xlsx:
                    try await writer.writeBuffer(ByteBuffer(bytes: sheet.start()))
                }
                // The next batch is read while this one is written out: the database works on its thread while
                // the lines are formatted here.
                var batch = try await exportBatch(filters, after: nil, size: size, on: store)
                while true {
                    let (lines, next) = batch
                    async let following: (lines: [ExportLine], next: String?) = next == nil ? ([], nil) : exportBatch(filters, after: next, size: size, on: store)
                    switch format {
                    case .csv:
                        var chunk = ByteBuffer()
                        chunk.reserveCapacity(lines.count * 200)
                        for r in lines {
                            CSV.append([r.reference, r.call, r.title, r.applicant, r.legalForm, r.commune, r.action, r.status,
                                        r.requestedCents.map { MoneyFormatter.plainDecimal(Money(cents: $0)) } ?? "",
                                        r.submittedAt.map(DateText.iso8601) ?? "",
                                        r.scoreHundredths.map { Points(hundredths: $0).description } ?? ""], to: &chunk)
                        }
                        if chunk.readableBytes > 0 { try await writer.writeBuffer(chunk) }
                    case .xlsx:
                        let cells: [[XLSXWriter.Cell]] = lines.map { r in
                            [.text(r.reference), .text(r.call), .text(r.title), .text(r.applicant),
                             .text(catalogue.text("legal_form." + r.legalForm, language)), .text(r.commune), .text(r.action),
                             .text(catalogue.text("app.status." + r.status, language)), r.requestedCents.map { .money(cents: $0) } ?? .empty,
                             r.submittedAt.map { .dateTime($0) } ?? .empty, r.scoreHundredths.map { .hundredths($0) } ?? .empty]
                        }
                        if !cells.isEmpty { try await writer.writeBuffer(ByteBuffer(bytes: sheet.rows(cells))) }
                    }
                    batch = try await following
                    if next == nil { break }
                }
                if format == .xlsx { try await writer.writeBuffer(ByteBuffer(bytes: sheet.finish())) }
                try await writer.write(.end)
            } catch {
                try await writer.write(.error(error))
            }
        })
        return response
    }
}
