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
        var query = req.store.query(Call.self).filter(\.$status != CallStatus.draft.rawValue)
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
        let c = try await CallLookup.open(req)
        let (bundle, stored) = try await CallCache.shared.bundle(for: c, on: req.store)
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
        let orgIDs = try await req.store.query(Membership.self).filter(\.$user.$id == user.storedID).all().map { $0.$organisation.id }
        let query = req.store.query(GrantApplication.self).filter(\.$organisation.$id ~~ orgIDs)
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
        let items = try apps.map {
            Item(id: try $0.storedID, call: $0.call.reference, organisationId: $0.$organisation.id, status: $0.status, reference: $0.reference,
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
        guard let c = try await req.store.query(Call.self).filter(\.$reference == body.call).first(), c.callStatus != .draft else {
            return try APIResponse.error(req, .notFound, code: "not_found", message: req.t("api.error.not_found"))
        }
        do {
            let app = try await ApplicationOperations.start(req, call: c, user: user, organisation: body.organisationId)
            let bundle = try await ApplicationBundle.load(app, on: req.store)
            let r = try APIResponse.json(try await representation(bundle, req: req), status: .created)
            r.headers.replaceOrAdd(name: .location, value: "/api/v1/applications/\(try app.storedID)")
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
        let bundle = try await ApplicationBundle.load(access.application, on: req.store)
        return try APIResponse.json(try await representation(bundle, req: req))
    }

    static func representation(_ bundle: ApplicationBundle, req: Request) async throws -> APIApplication {
        let a = bundle.application
        let (cap, _) = try await bundle.evaluate(on: req.store, now: req.now, language: req.language)
        let s = bundle.summary
        var answers: [String: JSONValue] = [:]
        for q in bundle.questions { if let v = bundle.answers[q.code] { answers[q.code] = JSONValue(v, type: q.type) } }
        let applicant = ApplicantForm.values(of: a).fields.compactMapValues { $0.first }
        return APIApplication(
            id: try a.storedID, call: bundle.call.call.reference, organisationId: a.$organisation.id, status: a.status, reference: a.reference,
            title: a.title, submittedAt: a.submittedAt, submissionCount: a.submissionCount,
            sections: bundle.formSections.map { .init(section: $0.rawValue, state: bundle.state($0).rawValue, version: bundle.version(of: $0)) },
            applicant: applicant, answers: answers,
            expenses: try bundle.expenses.map { e in
                .init(id: try e.storedID, category: e.category, detail: e.detail, justification: e.justification, quantity: e.quantity,
                      unitCostCents: e.unitCostCents, function: e.function, headcount: e.headcount, shareBasisPoints: e.shareBP,
                      runningCost: e.runningCost, privateCar: e.privateCar, amountCents: e.amountCents, eligible: e.line.isEligible)
            },
            revenues: try bundle.revenues.map { r in
                .init(id: try r.storedID, kind: r.kind, line: (RevenueKind(rawValue: r.kind) ?? .ownResources).line, source: r.source, detail: r.detail,
                      amountCents: r.amountCents, loanLinked: r.loanLinked)
            },
            previousSubsidies: try bundle.previous.map { .init(id: try $0.storedID, projectName: $0.projectName, year: $0.year, granted: $0.granted) },
            documents: bundle.documents.map { d in
                .init(id: d.id, item: d.item_code, filename: d.filename, contentType: d.content_type, sizeBytes: d.size_bytes,
                      sha256: d.sha256, uploadedAt: d.uploaded_at)
            },
            requestedCents: a.requestedCents,
            totals: .init(totalExpensesCents: s.totalExpenses.cents, notEligibleCents: s.notEligible.cents, eligibleTotalCents: s.eligibleTotal.cents,
                          ownResourcesCents: s.ownResources.cents, otherRevenuesCents: s.otherRevenues.cents, loansCents: s.loans.cents,
                          totalRevenuesCents: s.totalRevenues.cents, balanceCents: s.balance.cents),
            cap: .init(maximumCents: cap.maximum?.cents, ruleId: cap.binding?.ruleID,
                       message: cap.binding.map { ApplicationTexts.capSentence($0, bundle: bundle, req: req) },
                       requestExceedsCap: a.requested.map { !cap.allows($0) } ?? false),
            declaration: a.declaredBy == nil ? nil : .init(name: a.declarationName ?? "", function: a.declarationFunction ?? "",
                                                          place: a.declarationPlace ?? "", date: a.declarationDate ?? ""))
    }

    /// The application, editable by a member of its organisation while it is a draft; otherwise a response to send.
    static func editable(_ req: Request) async throws -> (ApplicationAccess, ApplicationBundle, Response?) {
        let access = try await ApplicationAccess.load(req, for: .edit)
        let bundle = try await ApplicationBundle.load(access.application, on: req.store)
        if !ApplicationLifecycle.isEditable(bundle.application.applicationStatus) { return (access, bundle, try APIResponse.notEditable(req)) }
        return (access, bundle, nil)
    }

    static func fresh(_ req: Request, _ bundle: ApplicationBundle) async throws -> ApplicationBundle {
        try await ApplicationBundle.reload(bundle.application, on: req.store)
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
}
