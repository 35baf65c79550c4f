import Fluent
import Foundation
import SubsidiaCore
import Vapor

/// Funding programmes (AMIF-08, PAFMI-04): officers list, create and edit them.
enum ProgrammesController {
    struct ListPage: Encodable, Sendable {
        struct Row: Encodable, Sendable {
            let href: String
            let code: String
            let name: String
            let fund: String
            let authority: String
        }

        let rows: [Row]
    }

    static func list(_ req: Request) async throws -> Response {
        _ = try req.requireOfficer()
        let ps = try await req.store.query(Programme.self).sort(\.$code).limit(500).all()
        return try await req.render("staff/programmes", title: "staff.programmes_title", ListPage(rows: ps.map {
            .init(href: "/staff/programmes/\(try $0.storedID)/edit", code: $0.code, name: $0.name.text(req.language), fund: $0.fund,
                  authority: $0.managingAuthority)
        }))
    }

    private static func render(_ req: Request, values: FormValues, errors: FormErrors, action: String, title: String) async throws -> Response {
        var f = FormBuilder(req, values: values, errors: errors)
        f.text("code", "programme.code", hint: "callform.reference_hint", maxLength: 40, width: "20")
        for l in Language.allCases { f.text("name_\(l.rawValue)", "programme.name_\(l.rawValue)", maxLength: 200) }
        f.text("fund", "programme.fund", hint: "programme.fund_hint", maxLength: 200)
        f.text("managing_authority", "programme.managing_authority", maxLength: 300)
        f.text("intermediate_body", "programme.intermediate_body", optional: true, maxLength: 300)
        f.text("contact_email", "programme.contact_email", type: "email", maxLength: 254)
        f.text("contact_phone", "programme.contact_phone", optional: true, type: "tel", maxLength: 30, width: "20")
        f.textarea("visibility_mention", "programme.visibility_mention", hint: "programme.visibility_hint", optional: true, maxLength: 500, rows: 2)
        let form = f.build(action: action, submit: "form.save")
        return try await req.render("accounts/form", title: title, FormPage(heading: req.t(title), intro: nil, form: form),
                                    errors: !errors.isEmpty, status: errors.isEmpty ? .ok : .unprocessableEntity)
    }

    private static func validate(_ v: FormValues) -> FormErrors {
        var e = FormErrors()
        if v["code"].isEmpty { e.add("code", "error.required") }
        else if v["code"].count > 40 || !v["code"].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) {
            e.add("code", "error.call.reference_format")
        }
        for l in Language.allCases { e.required(v, "name_\(l.rawValue)") }
        e.required(v, "fund")
        e.required(v, "managing_authority", max: 300)
        e.optional(v, "intermediate_body", max: 300)
        e.email(v, "contact_email")
        e.phone(v, "contact_phone", required: false)
        e.optional(v, "visibility_mention", max: 500)
        return e
    }

    private static func apply(_ v: FormValues, _ p: Programme) {
        p.code = v["code"]
        p.nameFr = v["name_fr"]; p.nameEn = v["name_en"]; p.nameDe = v["name_de"]
        p.fund = v["fund"]
        p.managingAuthority = v["managing_authority"]
        p.intermediateBody = v.has("intermediate_body") ? v["intermediate_body"] : nil
        p.contactEmail = TextRules.normalisedEmail(v["contact_email"])
        p.contactPhone = v.has("contact_phone") ? v["contact_phone"] : nil
        p.visibilityMention = v.has("visibility_mention") ? v["visibility_mention"] : nil
    }

    static func newForm(_ req: Request) async throws -> Response {
        _ = try req.requireOfficer()
        return try await render(req, values: FormValues(), errors: FormErrors(), action: "/staff/programmes", title: "staff.programme_new")
    }

    static func create(_ req: Request) async throws -> Response {
        _ = try req.requireOfficer()
        let v = req.formValues()
        var e = validate(v)
        if e.isEmpty, try await req.store.query(Programme.self).filter(\.$code == v["code"]).count() > 0 { e.add("code", "staff.error.code_taken") }
        guard e.isEmpty else { return try await render(req, values: v, errors: e, action: "/staff/programmes", title: "staff.programme_new") }
        let p = Programme()
        apply(v, p)
        try await req.store.write { tx in
            try await tx.create(p)
            try await tx.audit("programme.created", entity: "programme", id: p.id, summary: p.code, by: req)
        }
        return try await req.redirect("/staff/programmes", flash: "staff.programme_saved")
    }

    static func editForm(_ req: Request) async throws -> Response {
        _ = try req.requireOfficer()
        guard let p = try await req.store.find(Programme.self, req.parameters.get("programmeID", as: UUID.self)) else { throw Abort(.notFound) }
        var v = FormValues()
        v["code"] = p.code
        v["name_fr"] = p.nameFr; v["name_en"] = p.nameEn; v["name_de"] = p.nameDe
        v["fund"] = p.fund
        v["managing_authority"] = p.managingAuthority
        v["intermediate_body"] = p.intermediateBody ?? ""
        v["contact_email"] = p.contactEmail
        v["contact_phone"] = p.contactPhone ?? ""
        v["visibility_mention"] = p.visibilityMention ?? ""
        return try await render(req, values: v, errors: FormErrors(), action: req.url.path, title: "staff.programme_edit")
    }

    static func update(_ req: Request) async throws -> Response {
        _ = try req.requireOfficer()
        guard let p = try await req.store.find(Programme.self, req.parameters.get("programmeID", as: UUID.self)) else { throw Abort(.notFound) }
        let v = req.formValues()
        var e = validate(v)
        if e.isEmpty, try await req.store.query(Programme.self).filter(\.$code == v["code"]).filter(\.$id != p.storedID).count() > 0 {
            e.add("code", "staff.error.code_taken")
        }
        guard e.isEmpty else { return try await render(req, values: v, errors: e, action: req.url.path, title: "staff.programme_edit") }
        apply(v, p)
        try await req.store.write { tx in
            try await tx.update(p)
            try await tx.audit("programme.updated", entity: "programme", id: p.id, summary: p.code, by: req)
        }
        return try await req.redirect("/staff/programmes", flash: "staff.programme_saved")
    }
}
