import Fluent
import Foundation
import SubsidiaCore
import Vapor

/// The JSON API under `/api/v1` (described in `Resources/OpenAPI/openapi.json`, served at `/api/openapi.json`).
/// Every change goes through `ApplicationOperations`, so the API has the pages' rules, locking and access:
/// another organisation's application is 404, a stale version is 409, a refused change is 422 and writes nothing.
enum APIController {
    // MARK: Description

    static func openAPI(_ req: Request) async throws -> Response {
        let path = req.application.directory.resourcesDirectory + "OpenAPI/openapi.json"
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let r = Response(status: .ok, body: .init(data: data))
        r.headers.contentType = .json
        r.headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=300")
        return r
    }

    // MARK: Calls

    static func listCalls(_ req: Request) async throws -> Response {
        let paging = Paging(req, size: 50)
        var query = Call.query(on: req.db).filter(\.$status != CallStatus.draft.rawValue)
        if let status = try? req.query.get(String.self, at: "status") {
            guard let s = CallStatus(rawValue: status), s != .draft else {
                return try APIResponse.invalid(req, { var e = FormErrors(); e.add("status", "error.choose"); return e }())
            }
            query = query.filter(\.$status == s.rawValue)
        }
        let total = try await query.count()
        let calls = try await query.with(\.$programme).sort(\.$opensAt, .descending).sort(\.$reference)
            .range(paging.offset..<(paging.offset + paging.size)).all()
        return try APIResponse.json(APIPage(items: calls.map { call($0, programme: $0.programme) }, page: paging.page,
                                            perPage: paging.size, total: total))
    }

    static func showCall(_ req: Request) async throws -> Response {
        let c = try await ApplicationsController.openCall(req)
        let (bundle, stored) = try await CallCache.shared.bundle(for: c, on: req.db)
        let questions = stored.isEmpty ? StandardQuestions.questions(for: c.rules) : stored
        var out = call(c, programme: bundle.programme)
        out.actions = bundle.actions.map { .init(code: $0.code, title: $0.title, envelopeCents: $0.envelopeCents, maxRateBasisPoints: $0.maxRateBP) }
        out.documents = bundle.items(.document).map { .init(code: $0.code, label: $0.label, required: $0.required, amountCents: nil) }
        out.themes = bundle.items(.theme).map { .init(code: $0.code, label: $0.label, required: nil, amountCents: nil) }
        out.festivalCaps = bundle.items(.cap).map { .init(code: $0.code, label: $0.label, required: nil, amountCents: $0.amountCents) }
        out.questions = questions.map { q in
            let options: [String]? = switch q.type {
            case .themes: bundle.items(.theme).map(\.code)
            case .capCategory: ["none"] + bundle.items(.cap).map(\.code)
            case .action: bundle.actions.map(\.code)
            default: nil
            }
            return .init(code: q.code, section: q.section.rawValue, type: q.type.rawValue, required: q.required, label: q.label, hint: q.hint,
                         maxLength: q.maxLength, maxLines: q.maxLines, minValue: q.minValue, maxValue: q.maxValue,
                         requiredIfYes: q.requiredIfYes, options: options)
        }
        return try APIResponse.json(out)
    }

    static func call(_ c: Call, programme: Programme) -> APICall {
        APICall(
            reference: c.reference, title: c.title, summary: c.summary, programme: programme.code, ruleSet: c.ruleSet, kind: c.kind,
            status: c.status, opensAt: c.opensAt, closesAt: c.closesAt, leadTimeDays: c.leadTimeDays,
            eligibleLegalForms: c.legalForms.map(\.rawValue), maxAmountCents: c.maxAmountCents, maxRateBasisPoints: c.maxRateBP,
            globalBudgetCents: c.globalBudgetCents, kmRateCents: c.kmRateCents ?? ExpenseLine.communesKilometreRate.cents,
            sections: ApplicationSection.sections(for: c.rules).map(\.rawValue))
    }

    // MARK: Applications

    static func listApplications(_ req: Request) async throws -> Response {
        let user = try req.requireUser()
        let paging = Paging(req, size: 50)
        let orgIDs = try await Membership.query(on: req.db).filter(\.$user.$id == user.id!).all().map { $0.$organisation.id }
        let query = GrantApplication.query(on: req.db).filter(\.$organisation.$id ~~ orgIDs)
        let total = try await query.count()
        let apps = try await query.with(\.$call).sort(\.$updatedAt, .descending).sort(\.$id)
            .range(paging.offset..<(paging.offset + paging.size)).all()
        struct Item: Encodable, Sendable {
            let id: UUID
            let call: String
            let organisationId: UUID
            let status: String
            let reference: String?
            let title: String
            let submittedAt: Date?
        }
        let items = apps.map {
            Item(id: $0.id!, call: $0.call.reference, organisationId: $0.$organisation.id, status: $0.status, reference: $0.reference,
                 title: $0.title, submittedAt: $0.submittedAt)
        }
        return try APIResponse.json(APIPage(items: items, page: paging.page, perPage: paging.size, total: total))
    }

    static func createApplication(_ req: Request) async throws -> Response {
        let user = try req.requireUser()
        struct Body: Decodable {
            let call: String
            let organisationId: UUID
            enum CodingKeys: String, CodingKey { case call, organisationId = "organisation_id" }
        }
        guard let body = try? req.content.decode(Body.self, as: .json) else { return try APIResponse.badBody(req) }
        guard let c = try await Call.query(on: req.db).filter(\.$reference == body.call).first(), c.callStatus != .draft else {
            return try APIResponse.error(req, .notFound, code: "not_found", message: req.t("api.error.not_found"))
        }
        do {
            let app = try await ApplicationOperations.start(req, call: c, user: user, organisation: body.organisationId)
            let bundle = try await ApplicationBundle.load(app, on: req.reads)
            let r = try APIResponse.json(try await representation(bundle, req: req), status: .created)
            r.headers.replaceOrAdd(name: .location, value: "/api/v1/applications/\(app.id!)")
            return r
        } catch let refusal as ApplicationOperations.StartRefusal {
            var e = FormErrors()
            switch refusal {
            case .closed: e.add("call", "app.start.closed")
            case .chooseOrganisation: e.add("organisation_id", "app.start.choose")
            case .notEligible: e.add("organisation_id", "app.start.not_eligible")
            }
            return try APIResponse.invalid(req, e)
        }
    }

    static func showApplication(_ req: Request) async throws -> Response {
        let access = try await ApplicationAccess.load(req)
        let bundle = try await ApplicationBundle.load(access.application, on: req.reads)
        return try APIResponse.json(try await representation(bundle, req: req))
    }

    static func representation(_ bundle: ApplicationBundle, req: Request) async throws -> APIApplication {
        let a = bundle.application
        let (cap, _) = try await bundle.evaluate(on: req.reads, now: req.now, language: req.language)
        let s = bundle.summary
        var answers: [String: JSONValue] = [:]
        for q in bundle.questions { if let v = bundle.answers[q.code] { answers[q.code] = JSONValue(v, type: q.type) } }
        let applicant = ApplicantForm.values(of: a).fields.compactMapValues { $0.first }
        return APIApplication(
            id: a.id!, call: bundle.call.call.reference, organisationId: a.$organisation.id, status: a.status, reference: a.reference,
            title: a.title, submittedAt: a.submittedAt, submissionCount: a.submissionCount,
            sections: bundle.formSections.map { .init(section: $0.rawValue, state: bundle.state($0).rawValue, version: bundle.version(of: $0)) },
            applicant: applicant, answers: answers,
            expenses: bundle.expenses.map { e in
                .init(id: e.id!, category: e.category, detail: e.detail, justification: e.justification, quantity: e.quantity,
                      unitCostCents: e.unitCostCents, function: e.function, headcount: e.headcount, shareBasisPoints: e.shareBP,
                      runningCost: e.runningCost, privateCar: e.privateCar, amountCents: e.amountCents, eligible: e.line.isEligible)
            },
            revenues: bundle.revenues.map { r in
                .init(id: r.id!, kind: r.kind, line: (RevenueKind(rawValue: r.kind) ?? .ownResources).line, source: r.source, detail: r.detail,
                      amountCents: r.amountCents, loanLinked: r.loanLinked)
            },
            previousSubsidies: bundle.previous.map { .init(id: $0.id!, projectName: $0.projectName, year: $0.year, granted: $0.granted) },
            documents: bundle.documents.map { d in
                .init(id: d.id, item: d.item_code, filename: d.filename, contentType: d.content_type, sizeBytes: d.size_bytes,
                      sha256: d.sha256, uploadedAt: d.uploaded_at)
            },
            requestedCents: a.requestedCents,
            totals: .init(totalExpensesCents: s.totalExpenses.cents, notEligibleCents: s.notEligible.cents, eligibleTotalCents: s.eligibleTotal.cents,
                          ownResourcesCents: s.ownResources.cents, otherRevenuesCents: s.otherRevenues.cents, loansCents: s.loans.cents,
                          totalRevenuesCents: s.totalRevenues.cents, balanceCents: s.balance.cents),
            cap: .init(maximumCents: cap.maximum?.cents, ruleId: cap.binding?.ruleID,
                       message: cap.binding.map { ApplicationsController.capSentence($0, bundle: bundle, req: req) },
                       requestExceedsCap: a.requested.map { !cap.allows($0) } ?? false),
            declaration: a.declaredBy == nil ? nil : .init(name: a.declarationName ?? "", function: a.declarationFunction ?? "",
                                                          place: a.declarationPlace ?? "", date: a.declarationDate ?? ""))
    }

    /// The application, editable by a member of its organisation while it is a draft; otherwise a response to send.
    static func editable(_ req: Request) async throws -> (ApplicationAccess, ApplicationBundle, Response?) {
        let access = try await ApplicationAccess.load(req, for: .edit)
        let bundle = try await ApplicationBundle.load(access.application, on: req.reads)
        if !ApplicationLifecycle.isEditable(bundle.application.applicationStatus) { return (access, bundle, try APIResponse.notEditable(req)) }
        return (access, bundle, nil)
    }

    static func fresh(_ req: Request, _ bundle: ApplicationBundle) async throws -> ApplicationBundle {
        try await ApplicationBundle.load(try await ApplicationsController.reload(req, bundle.application), on: req.reads)
    }

    static func saved(_ req: Request, _ bundle: ApplicationBundle, status: HTTPStatus = .ok) async throws -> Response {
        try APIResponse.json(try await representation(try await fresh(req, bundle), req: req), status: status)
    }

    /// JSON fields become the form's values (strings), so the API and the pages share their checks.
    static func formValues(_ object: [String: JSONValue]) -> FormValues {
        FormValues(object.mapValues(\.formStrings))
    }

    static func decodeObject(_ req: Request) -> [String: JSONValue]? {
        try? req.content.decode([String: JSONValue].self, as: .json)
    }

    // MARK: Answers and applicant

    /// PATCH a question section: `{"version": 3, "answers": {"title": "…", "themes": ["…"]}}`. Only the answers
    /// sent change; `null` clears one. Unknown question codes are refused.
    static func patchSection(_ req: Request) async throws -> Response {
        let (_, bundle, refusal) = try await editable(req)
        if let refusal { return refusal }
        let s = try ApplicationsController.section(from: req)
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
        let (line, errors) = BudgetController.parseExpense(v, kilometreRate: bundle.kilometreRate)
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
        let (line, errors) = BudgetController.parseRevenue(v)
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

    // MARK: Documents

    /// multipart/form-data with `item` (a checklist code) and `file`.
    static func upload(_ req: Request) async throws -> Response {
        let (access, bundle, refusal) = try await editable(req)
        if let refusal { return refusal }
        return try await req.application.uploadSlots.with(try access.user.requireID()) {
            _ = try await req.body.collect(max: req.application.subsidiaConfig.maxUploadBytes * 2 + 1_048_576).get()
            return try await received(req, access: access, bundle: bundle)
        }
    }

    static func received(_ req: Request, access: ApplicationAccess, bundle: ApplicationBundle) async throws -> Response {
        let upload = (try? req.content.decode(DocumentsController.Upload.self)) ?? DocumentsController.Upload(item: nil, file: nil)
        var bytes: [UInt8] = []
        if var buffer = upload.file?.data { bytes = buffer.readBytes(length: buffer.readableBytes) ?? [] }
        let item = upload.item ?? ""
        let (checked, e) = ApplicationOperations.checkUpload(req, bundle: bundle, item: item, filename: upload.file?.filename ?? "", bytes: bytes)
        guard let checked else { return try APIResponse.invalid(req, e) }
        let doc = try await ApplicationOperations.storeDocument(req, bundle: bundle, item: item, checked: checked, bytes: bytes, by: access.user)
        let r = try await saved(req, bundle, status: .created)
        r.headers.replaceOrAdd(name: .location, value: "/api/v1/applications/\(bundle.application.id!)/documents/\(doc.id!)")
        return r
    }

    static func deleteDocument(_ req: Request) async throws -> Response {
        let (_, bundle, refusal) = try await editable(req)
        if let refusal { return refusal }
        guard let id = req.parameters.get("docID", as: UUID.self), let row = bundle.documents.first(where: { $0.id == id }) else { throw Abort(.notFound) }
        try await ApplicationOperations.removeDocument(req, application: bundle.application, id: id, filename: row.filename)
        return try await saved(req, bundle)
    }

    // MARK: Declaration, check, submission

    /// COM-11: `{"name": "…", "function": "…", "place": "…", "confirm": true}` by a signatory.
    static func declare(_ req: Request) async throws -> Response {
        let (access, bundle, refusal) = try await editable(req)
        if let refusal { return refusal }
        guard access.isSignatory else { return try APIResponse.error(req, .forbidden, code: "not_signatory", message: req.t("api.error.not_signatory")) }
        guard let o = decodeObject(req) else { return try APIResponse.badBody(req) }
        let v = formValues(o)
        let e = ApplicationOperations.checkDeclaration(v)
        if !e.isEmpty { return try APIResponse.invalid(req, e) }
        try await ApplicationOperations.declare(req, bundle: bundle, values: v, by: access.user)
        return try await saved(req, bundle)
    }

    static func outcomes(_ results: [RuleResult], bundle: ApplicationBundle, req: Request) -> [APIResponse.RuleOutcome] {
        ApplicationsController.checkResults(results, bundle: bundle, req: req).map {
            APIResponse.RuleOutcome(ruleId: $0.ruleID, outcome: $0.outcome, message: $0.message, source: $0.source)
        }
    }

    static func check(_ req: Request) async throws -> Response {
        let access = try await ApplicationAccess.load(req)
        let bundle = try await ApplicationBundle.load(access.application, on: req.reads)
        let (cap, results) = try await bundle.evaluate(on: req.reads, now: req.now, language: req.language)
        struct Body: Encodable, Sendable {
            let canSubmit: Bool
            let maximumCents: Int64?
            let results: [APIResponse.RuleOutcome]
        }
        return try APIResponse.json(Body(canSubmit: !ApplicationRules.blocksSubmission(results), maximumCents: cap.maximum?.cents,
                                         results: outcomes(results, bundle: bundle, req: req)))
    }

    /// Submits with the pages' rules: 422 with the rule results when a rule blocks; 201 with the receipt otherwise.
    static func submit(_ req: Request) async throws -> Response {
        let (_, bundle, refusal) = try await editable(req)
        if let refusal { return refusal }
        let now = req.now
        let (_, results) = try await bundle.evaluate(on: req.reads, now: now, language: req.language)
        if ApplicationRules.blocksSubmission(results) {
            return try APIResponse.error(APIResponse.ErrorBody(error: "blocked", message: req.t("api.error.blocked"),
                                                               results: outcomes(results, bundle: bundle, req: req)), status: .unprocessableEntity)
        }
        let receipt = try await Submission.submit(req, bundle: bundle, results: results, now: now)
        struct Body: Encodable, Sendable {
            let reference: String
            let version: Int
            let submittedAt: Date
            let contentSha256: String
            let receiptPdf: String
            let warnings: [APIResponse.RuleOutcome]
        }
        let base = "/applications/\(bundle.application.id!)"
        return try APIResponse.json(Body(reference: receipt.reference, version: receipt.version, submittedAt: now,
                                         contentSha256: receipt.contentSHA256, receiptPdf: "/api/v1" + base + "/receipts/\(receipt.version).pdf",
                                         warnings: outcomes(results.filter { $0.outcome == .warning }, bundle: bundle, req: req)),
                                    status: .created)
    }
}
