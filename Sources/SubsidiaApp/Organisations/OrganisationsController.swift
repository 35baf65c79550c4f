import Fluent
import Foundation
import SubsidiaCore
import Vapor

/// Organisations and their members. Every route loads the organisation through the caller's membership,
/// so another organisation's id answers 404, never its data.
enum OrganisationsController {
    /// The organisation and the caller's membership; staff who manage calls may read any profile.
    // MARK: List and create

    struct ListPage: Encodable, Sendable {
        struct Row: Encodable, Sendable {
            let href: String
            let name: String
            let legalForm: String
            let role: String
            let signatory: Bool
        }

        let rows: [Row]
        let canCreate: Bool
    }

    static func list(_ req: Request) async throws -> Response {
        let user = try req.requireUser()
        let memberships = try await req.store.query(Membership.self).filter(\.$user.$id == user.storedID).with(\.$organisation).all()
        let rows = try memberships.sorted { $0.organisation.legalName < $1.organisation.legalName }.map {
            ListPage.Row(href: "/organisations/\(try $0.organisation.storedID)", name: $0.organisation.legalName,
                         legalForm: req.t("legal_form." + $0.organisation.legalForm), role: req.t("membership." + $0.role),
                         signatory: $0.isSignatory)
        }
        return try await req.render("organisations/list", title: "org.list_title",
                                    ListPage(rows: rows, canCreate: user.userRole == .applicant))
    }

    static func newForm(_ req: Request) async throws -> Response {
        _ = try req.requireRole(.applicant)
        var v = FormValues()
        v["country"] = "LU"
        return try await renderEdit(req, values: v, errors: FormErrors(), action: "/organisations", title: "org.new_title")
    }

    static func renderEdit(
        _ req: Request, values: FormValues, errors: FormErrors, action: String, title: String, conflict: Bool = false
    ) async throws -> Response {
        let form = OrganisationForm.build(req, values: values, errors: errors, action: action, submit: "form.save")
        return try await req.render("organisations/edit", title: title,
                                    EditPage(heading: req.t(title), form: form, version: values["version"], conflict: conflict),
                                    errors: !errors.isEmpty || conflict,
                                    status: errors.isEmpty && !conflict ? .ok : (conflict ? .conflict : .unprocessableEntity))
    }

    static func create(_ req: Request) async throws -> Response {
        let user = try req.requireRole(.applicant)
        let v = req.formValues()
        let errors = OrganisationForm.validate(v)
        guard errors.isEmpty else {
            return try await renderEdit(req, values: v, errors: errors, action: "/organisations", title: "org.new_title")
        }
        let org = Organisation()
        OrganisationForm.apply(v, to: org)
        org.version = 1
        try await req.store.write { tx in
            try await tx.create(org)
            try await tx.create(Membership(organisationID: org.storedID, userID: user.storedID, role: MembershipRole.owner.rawValue,
                                 isSignatory: false))
            try await tx.audit("organisation.created", entity: "organisation", id: org.id, summary: org.legalName, by: req)
        }
        return try await req.redirect("/organisations/\(org.storedID)", flash: "org.created")
    }

    // MARK: Profile

    struct ProfilePage: Encodable, Sendable {
        struct Row: Encodable, Sendable {
            let label: String
            let value: String
        }

        struct Group: Encodable, Sendable {
            let heading: String
            let rows: [Row]
        }

        let id: String
        let name: String
        let groups: [Group]
        let canEdit: Bool
        let isMember: Bool
    }

    static func show(_ req: Request) async throws -> Response {
        let a = try await OrganisationAccess.load(req, staffMayRead: true)
        let o = a.organisation
        let notProvided = req.t("form.not_provided")
        func row(_ key: String, _ value: String?) -> ProfilePage.Row {
            .init(label: req.t(key), value: (value?.isEmpty ?? true) ? notProvided : value!)
        }
        var identity = [row("org.legal_name", o.legalName), row("org.original_name", o.originalName),
                        row("org.legal_form", req.t("legal_form." + o.legalForm)), row("org.rcs_number", o.rcsNumber)]
        if let pakt = o.paktSigned { identity.append(row("org.pakt_signed", req.t(pakt ? "form.yes" : "form.no"))) }
        let groups: [ProfilePage.Group] = [
            .init(heading: req.t("org.section.identity"), rows: identity),
            .init(heading: req.t("org.section.address"), rows: [
                row("org.street", o.street), row("org.postcode", o.postcode), row("org.locality", o.locality),
                row("org.country", req.t("country." + o.country)), row("org.phone", o.phone), row("org.website", o.website),
            ]),
            .init(heading: req.t("org.section.bank"), rows: [
                row("org.bank_holder", o.bankHolder), row("org.iban", o.iban.flatMap { try? IBAN($0) }?.formatted),
                row("org.bic", o.bic),
            ]),
            .init(heading: req.t("org.section.contact1"), rows: [
                row("org.contact_name", o.contact1Name), row("org.contact_function", o.contact1Function),
                row("org.contact_phone", o.contact1Phone), row("org.contact_email", o.contact1Email),
                row("org.contact_address", o.contact1Address),
            ]),
            .init(heading: req.t("org.section.contact2"), rows: [
                row("org.contact_name", o.contact2Name), row("org.contact_function", o.contact2Function),
                row("org.contact_phone", o.contact2Phone), row("org.contact_email", o.contact2Email),
                row("org.contact_address", o.contact2Address),
            ]),
        ]
        return try await req.render("organisations/show", title: o.legalName,
                                    ProfilePage(id: o.storedID.uuidString, name: o.legalName, groups: groups,
                                                canEdit: a.canEdit, isMember: a.membership != nil))
    }

    static func editForm(_ req: Request) async throws -> Response {
        let a = try await OrganisationAccess.load(req)
        guard a.canEdit else { throw Abort(.forbidden) }
        return try await renderEdit(req, values: OrganisationForm.values(of: a.organisation), errors: FormErrors(),
                                    action: "/organisations/\(a.organisation.storedID)/edit", title: "org.edit_title")
    }

    static func update(_ req: Request) async throws -> Response {
        let a = try await OrganisationAccess.load(req)
        guard a.canEdit else { throw Abort(.forbidden) }
        let v = req.formValues()
        let action = "/organisations/\(try a.organisation.storedID)/edit"
        let errors = OrganisationForm.validate(v)
        guard errors.isEmpty else { return try await renderEdit(req, values: v, errors: errors, action: action, title: "org.edit_title") }
        let org = a.organisation
        let sentVersion = Int(v["version"]) ?? -1
        // Optimistic locking: the update only applies to the version the person started from.
        let changed = try await req.store.write { tx -> Bool in
            guard let fresh = try await tx.query(Organisation.self).filter(\.$id == org.storedID)
                .filter(\.$version == sentVersion).first() else { return false }
            OrganisationForm.apply(v, to: fresh)
            fresh.version = sentVersion + 1
            try await tx.update(fresh)
            try await tx.audit("organisation.updated", entity: "organisation", id: org.id, summary: fresh.legalName, by: req)
            return true
        }
        guard changed else {
            let current = OrganisationForm.values(of: try await req.store.find(Organisation.self, org.id) ?? org).overlaid(with: v)
            return try await renderEdit(req, values: current, errors: FormErrors(), action: action, title: "org.edit_title",
                                        conflict: true)
        }
        return try await req.redirect("/organisations/\(org.storedID)", flash: "org.updated")
    }
}
