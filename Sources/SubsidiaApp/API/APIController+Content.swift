import Fluent
import Foundation
import SubsidiaCore
import Vapor

/// The API's writes to an application's content: answers, applicant, budget, financing plan, earlier subsidies.
extension APIController {
    // MARK: Answers and applicant

    /// PATCH a question section: `{"version": 3, "answers": {"title": "…", "themes": ["…"]}}`. Only the answers
    /// sent change; `null` clears one. Unknown question codes are refused.
    static func patchSection(_ req: Request) async throws -> Response {
        let (_, bundle, refusal) = try await editable(req)
        if let refusal { return refusal }
        let s = try ApplicationSection.from(req)
        guard bundle.formSections.contains(s) else { throw Abort(.notFound) }
        struct Body: Decodable {
            let version: Int
            let answers: [String: JSONValue]
        }
        guard let body = try? req.content.decode(Body.self, as: .json) else { return try APIResponse.badBody(req) }
        let codes = Set(bundle.questions(in: s).map(\.code))
        var unknown = FormErrors()
        for code in body.answers.keys.sorted() where !codes.contains(code) { unknown.add(code, "api.error.unknown_question", code) }
        if !unknown.isEmpty { return try APIResponse.invalid(req, unknown) }
        var values = QuestionForm.values(bundle, section: s).overlaid(with: formValues(body.answers))
        values["version"] = String(body.version)
        switch try await ApplicationOperations.saveAnswers(req, context: bundle.sectionContext, section: s, values: values,
                                                           audit: s.rawValue + " (API)") {
        case .saved:
            return try await saved(req, bundle)
        case .invalid(let errors):
            return try APIResponse.invalid(req, errors)
        case .conflict:
            return try APIResponse.conflict(req, currentVersion: try await fresh(req, bundle).version(of: s))
        }
    }

    /// PUT the applicant section: `{"version": 1, "fields": {"iban": "…", …}}`; fields not sent keep their value.
    static func putApplicant(_ req: Request) async throws -> Response {
        let (_, bundle, refusal) = try await editable(req)
        if let refusal { return refusal }
        struct Body: Decodable {
            let version: Int
            let fields: [String: JSONValue]
        }
        guard let body = try? req.content.decode(Body.self, as: .json) else { return try APIResponse.badBody(req) }
        var v = ApplicantForm.values(of: bundle.application).overlaid(with: formValues(body.fields))
        v["version"] = String(body.version)
        let errors = ApplicantForm.validate(v, legalForm: bundle.application.legalForm, ruleSet: bundle.ruleSet)
        if !errors.isEmpty { return try APIResponse.invalid(req, errors) }
        guard try await ApplicationOperations.saveApplicant(req, bundle: bundle, values: v) else {
            return try APIResponse.conflict(req, currentVersion: try await fresh(req, bundle).version(of: .applicant))
        }
        return try await saved(req, bundle)
    }

    // MARK: Budget

    static let expenseFields = ["unit_cost": "unit_cost_cents", "share": "share_basis_points"]

    /// An expense line: `{"version": 2, "category": 1, "detail": "…", "quantity": 12, "unit_cost_cents": 350000, …}`.
    static func expenseValues(_ o: [String: JSONValue]) -> FormValues {
        var v = formValues(o)
        for name in ["unit_cost_cents", "share_basis_points", "unit_cost", "share"] { v.fields[name] = nil }
        if case .int(let c)? = o["unit_cost_cents"] { v["unit_cost"] = APIAmount.formText(Int64(c)) }
        else if let raw = o["unit_cost_cents"], raw != .null { v["unit_cost"] = "x" }
        if case .int(let bp)? = o["share_basis_points"] { v["share"] = APIAmount.percentText(bp) }
        else if let raw = o["share_basis_points"], raw != .null { v["share"] = "x" }
        return v
    }

    static func saveExpense(_ req: Request) async throws -> Response {
        let (_, bundle, refusal) = try await editable(req)
        if let refusal { return refusal }
        let lineID = req.parameters.get("lineID", as: UUID.self)
        let record = lineID.flatMap { id in bundle.expenses.first { $0.id == id } }
        if req.parameters.get("lineID") != nil && record == nil { throw Abort(.notFound) }
        guard let o = decodeObject(req) else { return try APIResponse.badBody(req) }
        let v = expenseValues(o)
        let (line, errors) = BudgetForms.parseExpense(v, kilometreRate: bundle.kilometreRate)
        guard let line else { return try APIResponse.invalid(req, errors, fieldNames: expenseFields) }
        guard try await ApplicationOperations.saveExpense(req, bundle: bundle, record: record, line: line, version: Int(v["version"])) != nil else {
            return try APIResponse.conflict(req, currentVersion: try await fresh(req, bundle).version(of: .budget))
        }
        return try await saved(req, bundle, status: record == nil ? .created : .ok)
    }

    static func deleteExpense(_ req: Request) async throws -> Response {
        let (_, bundle, refusal) = try await editable(req)
        if let refusal { return refusal }
        guard let id = req.parameters.get("lineID", as: UUID.self), let r = bundle.expenses.first(where: { $0.id == id }) else { throw Abort(.notFound) }
        try await ApplicationOperations.deleteExpense(req, bundle: bundle, record: r)
        return try await saved(req, bundle)
    }

    /// `{"version": 4, "requested_cents": 1500000, "complete": true}`.
    static func putBudget(_ req: Request) async throws -> Response {
        let (_, bundle, refusal) = try await editable(req)
        if let refusal { return refusal }
        guard let o = decodeObject(req) else { return try APIResponse.badBody(req) }
        let raw: String = switch o["requested_cents"] {
        case .int(let c)?: APIAmount.formText(Int64(c))
        case nil, .null?: ""
        default: "x"
        }
        let complete = o["complete"] == .bool(true)
        let (requested, e) = ApplicationOperations.checkBudget(requested: raw, complete: complete, hasLines: !bundle.expenses.isEmpty)
        if !e.isEmpty { return try APIResponse.invalid(req, e, fieldNames: ["requested": "requested_cents"]) }
        let version: Int? = if case .int(let n)? = o["version"] { n } else { nil }
        guard try await ApplicationOperations.saveBudget(req, bundle: bundle, requested: requested, complete: complete, version: version) else {
            return try APIResponse.conflict(req, currentVersion: try await fresh(req, bundle).version(of: .budget))
        }
        return try await saved(req, bundle)
    }

    // MARK: Financing plan and earlier subsidies

    static func saveRevenue(_ req: Request) async throws -> Response {
        let (_, bundle, refusal) = try await editable(req)
        if let refusal { return refusal }
        let lineID = req.parameters.get("lineID", as: UUID.self)
        let record = lineID.flatMap { id in bundle.revenues.first { $0.id == id } }
        if req.parameters.get("lineID") != nil && record == nil { throw Abort(.notFound) }
        guard let o = decodeObject(req) else { return try APIResponse.badBody(req) }
        var v = formValues(o)
        v.fields["amount_cents"] = nil
        v.fields["amount"] = nil
        switch o["amount_cents"] {
        case .int(let c)?: v["amount"] = APIAmount.formText(Int64(c))
        case nil, .null?: break
        default: v["amount"] = "x"
        }
        let (line, errors) = BudgetForms.parseRevenue(v)
        guard let line else { return try APIResponse.invalid(req, errors, fieldNames: ["amount": "amount_cents"]) }
        guard try await ApplicationOperations.saveRevenue(req, bundle: bundle, record: record, line: line, version: Int(v["version"])) != nil else {
            return try APIResponse.conflict(req, currentVersion: try await fresh(req, bundle).version(of: .financing))
        }
        return try await saved(req, bundle, status: record == nil ? .created : .ok)
    }

    static func deleteRevenue(_ req: Request) async throws -> Response {
        let (_, bundle, refusal) = try await editable(req)
        if let refusal { return refusal }
        guard let id = req.parameters.get("lineID", as: UUID.self), let r = bundle.revenues.first(where: { $0.id == id }) else { throw Abort(.notFound) }
        try await ApplicationOperations.deleteRevenue(req, bundle: bundle, record: r)
        return try await saved(req, bundle)
    }

    /// `{"complete": true}` for the financing plan or the earlier subsidies.
    static func putCompletion(_ req: Request, section: ApplicationSection) async throws -> Response {
        let (_, bundle, refusal) = try await editable(req)
        if let refusal { return refusal }
        guard bundle.formSections.contains(section) else { throw Abort(.notFound) }
        guard let o = decodeObject(req), case .bool(let complete)? = o["complete"] else { return try APIResponse.badBody(req) }
        try await ApplicationOperations.markComplete(req, bundle: bundle, section: section, complete: complete)
        return try await saved(req, bundle)
    }

    /// `{"project_name": "…", "year": 2023, "granted": true}`.
    static func addPrevious(_ req: Request) async throws -> Response {
        let (_, bundle, refusal) = try await editable(req)
        if let refusal { return refusal }
        guard bundle.formSections.contains(.previousSubsidies) else { throw Abort(.notFound) }
        guard let o = decodeObject(req) else { return try APIResponse.badBody(req) }
        let (row, e) = ApplicationOperations.checkPrevious(formValues(o), now: req.now)
        guard let row else { return try APIResponse.invalid(req, e) }
        try await ApplicationOperations.addPrevious(req, bundle: bundle, row)
        return try await saved(req, bundle, status: .created)
    }
}
