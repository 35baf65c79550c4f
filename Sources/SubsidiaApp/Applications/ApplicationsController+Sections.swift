import Fluent
import Foundation
import SQLKit
import SubsidiaCore
import Vapor

/// The question sections and the applicant section: their pages, the Save button and the autosave.
extension ApplicationsController {
    // MARK: Question sections

    static func sectionForm(_ req: Request) async throws -> Response {
        let access = try await ApplicationAccess.load(req)
        let s = try ApplicationSection.from(req)
        let bundle = try await ApplicationBundle.load(access.application, on: req.store)
        guard bundle.formSections.contains(s) else { throw Abort(.notFound) }
        var values = QuestionForm.values(bundle, section: s)
        values["version"] = String(bundle.version(of: s))
        return try await renderSection(req, bundle: bundle, access: access, section: s, values: values, errors: FormErrors())
    }

    static func renderSection(
        _ req: Request, bundle: ApplicationBundle, access: ApplicationAccess, section s: ApplicationSection, values: FormValues,
        errors: FormErrors, conflict: Bool = false
    ) async throws -> Response {
        let base = "/applications/\(try bundle.application.storedID)"
        let action = base + "/sections/" + s.rawValue
        let form = QuestionForm.build(req, bundle: bundle, section: s, values: values, errors: errors, action: action)
        let editable = ApplicationLifecycle.isEditable(bundle.application.applicationStatus) && access.canEdit
        let theirs = conflict ? ApplicationTexts.answersList(bundle, section: s, req: req) : []
        return try await req.render(
            "applications/section", title: s.labelKey,
            SectionPage(heading: req.t(s.labelKey), caption: bundle.application.title, back: base, form: form,
                        version: values["version"], conflict: conflict, theirs: theirs, autosave: editable ? action + "/autosave" : nil,
                        readOnly: !editable, intro: nil),
            errors: !errors.isEmpty || conflict, status: conflict ? .conflict : (errors.isEmpty ? .ok : .unprocessableEntity))
    }

    static func saveSectionForm(_ req: Request) async throws -> Response {
        let access = try await ApplicationAccess.load(req, for: .edit)
        let s = try ApplicationSection.from(req)
        let bundle = try await ApplicationBundle.load(access.application, on: req.store)
        guard bundle.formSections.contains(s) else { throw Abort(.notFound) }
        guard ApplicationLifecycle.isEditable(bundle.application.applicationStatus) else { return try await ApplicationTexts.notEditable(req, bundle) }
        let values = req.formValues()
        switch try await ApplicationOperations.saveAnswers(req, context: bundle.sectionContext, section: s, values: values, audit: s.rawValue) {
        case .saved:
            return try await req.redirect("/applications/\(bundle.application.storedID)", flash: "app.flash.saved")
        case .invalid(let errors):
            return try await renderSection(req, bundle: bundle, access: access, section: s, values: values, errors: errors)
        case .conflict:
            let fresh = try await ApplicationBundle.reload(bundle.application, on: req.store)
            var mine = QuestionForm.values(fresh, section: s).overlaid(with: values)
            mine["version"] = String(fresh.version(of: s))
            return try await renderSection(req, bundle: fresh, access: access, section: s, values: mine, errors: FormErrors(), conflict: true)
        }
    }

    /// The autosave endpoint for the page script: the same checks and locking as the Save button, JSON back
    /// (`saved`, `conflict`, `version`, `message`, `errors` of `field` and `message`).
    /// The autosave script's post: the lightest path of the form (no page, no whole application read), as it
    /// runs every few seconds while someone types.
    static func autosave(_ req: Request) async throws -> Response {
        let s = try ApplicationSection.from(req)
        let context = try await SectionContext.load(req, section: s)
        guard context.formSections.contains(s), ApplicationLifecycle.isEditable(context.status) else { throw Abort(.conflict) }
        let outcome = try await ApplicationOperations.saveAnswers(req, context: context, section: s, values: req.formValues(), audit: nil)
        let status: HTTPStatus
        var version: Int?
        var errors: [String] = []
        let message: String
        switch outcome {
        case .saved(let saved):
            (status, version, message) = (.ok, saved, req.t("app.autosave.saved", DateText.time(req.now)))
        case .invalid(let invalid):
            (status, message) = (.unprocessableEntity, req.t("app.autosave.invalid"))
            errors = invalid.items.map {
                JSONText.object(["field": .string($0.field), "message": .string(req.application.catalogue.text($0.key, req.language, $0.args))])
            }
        case .conflict:
            (status, message) = (.conflict, req.t("app.autosave.conflict"))
        }
        let body = JSONText.object([
            "saved": .bool(status == .ok), "conflict": .bool(status == .conflict), "version": .int(version), "message": .string(message),
            "errors": .json(JSONText.array(errors)),
        ])
        var headers = HTTPHeaders()
        headers.contentType = .json
        return Response(status: status, headers: headers, body: .init(string: body))
    }

    // MARK: Applicant section

    static func applicantForm(_ req: Request) async throws -> Response {
        let access = try await ApplicationAccess.load(req)
        let bundle = try await ApplicationBundle.load(access.application, on: req.store)
        var v = ApplicantForm.values(of: bundle.application)
        v["version"] = String(bundle.version(of: .applicant))
        return try await renderApplicant(req, bundle: bundle, access: access, values: v, errors: FormErrors())
    }

    static func renderApplicant(
        _ req: Request, bundle: ApplicationBundle, access: ApplicationAccess, values: FormValues, errors: FormErrors, conflict: Bool = false
    ) async throws -> Response {
        let base = "/applications/\(try bundle.application.storedID)"
        let form = ApplicantForm.build(req, values: values, errors: errors, action: base + "/applicant", ruleSet: bundle.ruleSet)
        let editable = ApplicationLifecycle.isEditable(bundle.application.applicationStatus) && access.canEdit
        return try await req.render(
            "applications/section", title: ApplicationSection.applicant.labelKey,
            SectionPage(heading: req.t(ApplicationSection.applicant.labelKey), caption: bundle.application.title, back: base, form: form,
                        version: values["version"], conflict: conflict, theirs: [], autosave: nil, readOnly: !editable,
                        intro: req.t("app.applicant.intro")),
            errors: !errors.isEmpty || conflict, status: conflict ? .conflict : (errors.isEmpty ? .ok : .unprocessableEntity))
    }

    static func saveApplicant(_ req: Request) async throws -> Response {
        let access = try await ApplicationAccess.load(req, for: .edit)
        let bundle = try await ApplicationBundle.load(access.application, on: req.store)
        guard ApplicationLifecycle.isEditable(bundle.application.applicationStatus) else { return try await ApplicationTexts.notEditable(req, bundle) }
        let v = req.formValues()
        let errors = ApplicantForm.validate(v, legalForm: bundle.application.legalForm, ruleSet: bundle.ruleSet)
        if !errors.isEmpty { return try await renderApplicant(req, bundle: bundle, access: access, values: v, errors: errors) }
        let app = bundle.application
        let saved = try await ApplicationOperations.saveApplicant(req, bundle: bundle, values: v)
        guard saved else {
            let fresh = try await ApplicationBundle.reload(app, on: req.store)
            var mine = ApplicantForm.values(of: fresh.application).overlaid(with: v)
            mine["version"] = String(fresh.version(of: .applicant))
            return try await renderApplicant(req, bundle: fresh, access: access, values: mine, errors: FormErrors(), conflict: true)
        }
        return try await req.redirect("/applications/\(app.storedID)", flash: "app.flash.saved")
    }
}
