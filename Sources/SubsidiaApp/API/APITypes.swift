import Foundation
import SubsidiaCore
import Vapor

/// A JSON value as a client sent it (answers are typed per question: text, number, date, yes/no, codes).
enum JSONValue: Codable, Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int.self) { self = .int(i) }
        else if let d = try? c.decode(Double.self) { self = .double(d) }
        else if let s = try? c.decode(String.self) {
            // NUL and other control characters are refused in every text, as in the forms (the body is then a 400).
            guard !TextRules.hasControlCharacters(s) else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "control character in a text")
            }
            self = .string(s)
        }
        else { self = .array(try c.decode([JSONValue].self)) }
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .int(let i): try c.encode(i)
        case .double(let d): try c.encode(d)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        }
    }

    /// The value as the form would have sent it, so the API and the pages share one set of checks.
    var formStrings: [String] {
        switch self {
        case .null: []
        case .bool(let b): [b ? "yes" : "no"]
        case .int(let i): [String(i)]
        case .double(let d): [d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)]
        case .string(let s): [s]
        case .array(let a): a.flatMap(\.formStrings)
        }
    }

    /// A stored answer as JSON: text and dates as strings, numbers, booleans, theme codes as a list, the
    /// action and the festival category as one code ("none" for "not a festival").
    init(_ answer: AnswerValue, type: QuestionType) {
        switch answer {
        case .text(let t): self = .string(t)
        case .integer(let n): self = .int(n)
        case .date(let d): self = .string(d.iso)
        case .bool(let b): self = .bool(b)
        case .codes(let c):
            switch type {
            case .themes: self = .array(c.map(JSONValue.string))
            case .capCategory: self = .string(c.first ?? "none")
            default: self = c.first.map(JSONValue.string) ?? .null
            }
        }
    }
}

/// Amounts travel as integer cents; the shared checks read euros as the form types them.
enum APIAmount {
    static func formText(_ cents: Int64?) -> String {
        guard let cents else { return "" }
        if cents < 0 { return "-" }
        return "\(cents / 100).\(String(format: "%02lld", cents % 100))"
    }

    static func percentText(_ basisPoints: Int?) -> String {
        guard let bp = basisPoints else { return "" }
        if bp < 0 { return "-" }
        return "\(bp / 100).\(String(format: "%02d", bp % 100))"
    }
}

/// JSON bodies and error shapes of the API (snake_case on the wire).
enum APIResponse {
    struct FieldError: Encodable, Sendable {
        let field: String
        let code: String
        let message: String
    }

    struct RuleOutcome: Encodable, Sendable {
        let ruleId: String
        let outcome: String
        let message: String
        let source: String
    }

    struct ErrorBody: Encodable, Sendable {
        let error: String
        let message: String
        var errors: [FieldError]?
        var currentVersion: Int?
        var results: [RuleOutcome]?
    }

    static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.dateEncodingStrategy = .iso8601
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }

    static func json<T: Encodable>(_ value: T, status: HTTPStatus = .ok) throws -> Response {
        let data = try encoder().encode(value)
        let r = Response(status: status, body: .init(data: data))
        r.headers.contentType = .json
        r.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return r
    }

    static func error(
        _ req: Request, _ status: HTTPStatus, code: String, message: String, headers: [String: String] = [:]
    ) throws -> Response {
        try error(ErrorBody(error: code, message: message), status: status, headers: headers)
    }

    static func error(_ body: ErrorBody, status: HTTPStatus, headers: [String: String] = [:]) throws -> Response {
        let r = try json(body, status: status)
        for (k, v) in headers { r.headers.replaceOrAdd(name: k, value: v) }
        return r
    }

    /// 422 with each problem tied to its JSON field, in the caller's language. Nothing was saved.
    static func invalid(_ req: Request, _ errors: FormErrors, fieldNames: [String: String] = [:]) throws -> Response {
        let items = errors.items.map {
            FieldError(field: fieldNames[$0.field] ?? $0.field, code: $0.key,
                       message: req.application.catalogue.text($0.key, req.language, $0.args))
        }
        return try error(ErrorBody(error: "invalid", message: req.t("api.error.invalid"), errors: items), status: .unprocessableEntity)
    }

    static func conflict(_ req: Request, currentVersion: Int) throws -> Response {
        try error(ErrorBody(error: "conflict", message: req.t("api.error.conflict", String(currentVersion)), currentVersion: currentVersion),
                  status: .conflict)
    }

    static func notEditable(_ req: Request) throws -> Response {
        try error(req, .conflict, code: "not_editable", message: req.t("api.error.not_editable"))
    }

    static func badBody(_ req: Request) throws -> Response {
        try error(req, .badRequest, code: "bad_body", message: req.t("api.error.body"))
    }
}

// MARK: Resources

struct APICall: Encodable, Sendable {
    struct Action: Encodable, Sendable {
        let code: String
        let title: Localized
        let envelopeCents: Int64
        let maxRateBasisPoints: Int
    }

    struct Item: Encodable, Sendable {
        let code: String
        let label: Localized
        let required: Bool?
        let amountCents: Int64?
    }

    struct QuestionItem: Encodable, Sendable {
        let code: String
        let section: String
        let type: String
        let required: Bool
        let label: Localized
        let hint: Localized?
        let maxLength: Int
        let maxLines: Int?
        let minValue: Int?
        let maxValue: Int?
        let requiredIfYes: String?
        let options: [String]?
    }

    let reference: String
    let title: Localized
    let summary: Localized
    let programme: String
    let ruleSet: String
    let kind: String
    let status: String
    let opensAt: Date
    let closesAt: Date?
    let leadTimeDays: Int
    let eligibleLegalForms: [String]
    let maxAmountCents: Int64?
    let maxRateBasisPoints: Int?
    let globalBudgetCents: Int64?
    let kmRateCents: Int64
    let sections: [String]
    var actions: [Action]?
    var documents: [Item]?
    var themes: [Item]?
    var festivalCaps: [Item]?
    var questions: [QuestionItem]?
}

struct APIApplication: Encodable, Sendable {
    struct Section: Encodable, Sendable {
        let section: String
        let state: String
        let version: Int
    }

    struct Expense: Encodable, Sendable {
        let id: UUID
        let category: Int
        let detail: String
        let justification: String
        let quantity: Int
        let unitCostCents: Int64
        let function: String
        let headcount: Int
        let shareBasisPoints: Int
        let runningCost: Bool
        let privateCar: Bool
        let amountCents: Int64
        let eligible: Bool
    }

    struct Revenue: Encodable, Sendable {
        let id: UUID
        let kind: String
        let line: Int
        let source: String
        let detail: String
        let amountCents: Int64
        let loanLinked: Bool
    }

    struct Previous: Encodable, Sendable {
        let id: UUID
        let projectName: String
        let year: Int
        let granted: Bool
    }

    struct Document: Encodable, Sendable {
        let id: UUID
        let item: String?
        let filename: String
        let contentType: String
        let sizeBytes: Int64
        let sha256: String
        let uploadedAt: Date
    }

    struct Totals: Encodable, Sendable {
        let totalExpensesCents: Int64
        let notEligibleCents: Int64
        let eligibleTotalCents: Int64
        let ownResourcesCents: Int64
        let otherRevenuesCents: Int64
        let loansCents: Int64
        let totalRevenuesCents: Int64
        let balanceCents: Int64
    }

    struct Cap: Encodable, Sendable {
        let maximumCents: Int64?
        let ruleId: String?
        let message: String?
        let requestExceedsCap: Bool
    }

    struct Declaration: Encodable, Sendable {
        let name: String
        let function: String
        let place: String
        let date: String
    }

    let id: UUID
    let call: String
    let organisationId: UUID
    let status: String
    let reference: String?
    let title: String
    let submittedAt: Date?
    let submissionCount: Int
    let sections: [Section]
    let applicant: [String: String]
    let answers: [String: JSONValue]
    let expenses: [Expense]
    let revenues: [Revenue]
    let previousSubsidies: [Previous]
    let documents: [Document]
    let requestedCents: Int64?
    let totals: Totals
    let cap: Cap
    let declaration: Declaration?
}

struct APIPage<Item: Encodable & Sendable>: Encodable, Sendable {
    let items: [Item]
    let page: Int
    let perPage: Int
    let total: Int
}
