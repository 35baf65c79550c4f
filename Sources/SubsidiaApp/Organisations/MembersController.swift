import Fluent
import Foundation
import SubsidiaCore
import Vapor

/// Members of an organisation: invite by email, accept, change role or signatory flag, remove.
/// The last owner can neither be removed nor demoted.
enum MembersController {
    struct MembersPage: Encodable, Sendable {
        struct Member: Encodable, Sendable {
            let id: String
            let name: String
            let email: String
            let role: String
            let roleValue: String
            let signatory: Bool
            let isSelf: Bool
        }

        struct Pending: Encodable, Sendable {
            let email: String
            let role: String
            let expires: String
        }

        let orgID: String
        let orgName: String
        let members: [Member]
        let pending: [Pending]
        let canManage: Bool
        let roles: [FormOption]
        let invite: FormView?
    }

    static func list(_ req: Request) async throws -> Response {
        try await render(req, values: FormValues(), errors: FormErrors())
    }

    private static func render(_ req: Request, values: FormValues, errors: FormErrors) async throws -> Response {
        let a = try await OrganisationAccess.load(req)
        let orgID = try a.organisation.storedID
        let members = try await req.store.query(Membership.self).filter(\.$organisation.$id == orgID).with(\.$user).all()
        let pending = try await req.store.query(Invitation.self).filter(\.$organisation.$id == orgID)
            .filter(\.$acceptedAt == nil).filter(\.$expiresAt > req.now).sort(\.$createdAt).all()
        var invite: FormView?
        if a.canManageMembers {
            var f = FormBuilder(req, values: values, errors: errors)
            f.text("email", "account.email", type: "email", autocomplete: "off", maxLength: 254)
            f.choice("role", "members.role", type: "select", options: MembershipRole.allCases.map { ($0.rawValue, "membership." + $0.rawValue) })
            f.checkbox("signatory", "members.signatory", hint: "members.signatory_hint")
            invite = f.build(action: "/organisations/\(orgID)/members/invite", submit: "members.invite_submit")
        }
        let page = MembersPage(
            orgID: orgID.uuidString, orgName: a.organisation.legalName,
            members: try members.sorted { $0.user.name < $1.user.name }.map {
                .init(id: try $0.storedID.uuidString, name: $0.user.name, email: $0.user.email, role: req.t("membership." + $0.role),
                      roleValue: $0.role, signatory: $0.isSignatory, isSelf: $0.$user.id == a.user.id)
            },
            pending: pending.map { .init(email: $0.email, role: req.t("membership." + $0.role), expires: req.dateTime($0.expiresAt)) },
            canManage: a.canManageMembers,
            roles: MembershipRole.allCases.map { .init(value: $0.rawValue, label: req.t("membership." + $0.rawValue), selected: false, id: $0.rawValue) },
            invite: invite)
        return try await req.render("organisations/members", title: "members.title", page, errors: !errors.isEmpty,
                                    status: errors.isEmpty ? .ok : .unprocessableEntity)
    }

    static func invite(_ req: Request) async throws -> Response {
        let a = try await OrganisationAccess.load(req)
        guard a.canManageMembers else { throw Abort(.forbidden) }
        let v = req.formValues()
        var errors = FormErrors()
        errors.email(v, "email")
        let role = MembershipRole(rawValue: v["role"])
        if role == nil { errors.add("role", "error.invalid_choice") }
        let email = TextRules.normalisedEmail(v["email"])
        let orgID = try a.organisation.storedID
        if errors.isEmpty {
            let alreadyMember = try await req.store.query(Membership.self).filter(\.$organisation.$id == orgID)
                .join(User.self, on: \Membership.$user.$id == \User.$id).filter(User.self, \.$email == email).count() > 0
            if alreadyMember { errors.add("email", "members.already_member") }
        }
        guard errors.isEmpty, let role else { return try await render(req, values: v, errors: errors) }
        let token = Tokens.random()
        let now = req.now
        let link = req.application.subsidiaConfig.baseURL + "/invitations/" + token
        try await req.store.write { tx in
            let inv = Invitation()
            inv.$organisation.id = orgID
            inv.email = email
            inv.role = role.rawValue
            inv.isSignatory = v.isChecked("signatory")
            inv.tokenHash = Tokens.hash(token)
            inv.invitedBy = try a.user.storedID
            inv.expiresAt = now + Lifetimes.invitation
            try await tx.create(inv)
            try await tx.enqueueMail(to: email, userID: nil, subject: req.t("mail.invite.subject", a.organisation.legalName),
                                     body: req.t("mail.invite.body", a.user.name, a.organisation.legalName, link),
                                     kind: "invitation", now: now)
            try await tx.audit("membership.invited", entity: "organisation", id: orgID, summary: email + " " + role.rawValue, by: req)
        }
        return try await req.redirect("/organisations/\(orgID)/members", flash: "members.invited")
    }

    private static func target(_ req: Request, _ a: OrganisationAccess) async throws -> Membership {
        guard let mid = req.parameters.get("memberID", as: UUID.self),
              let m = try await req.store.query(Membership.self).filter(\.$id == mid)
                .filter(\.$organisation.$id == a.organisation.storedID).first() else { throw Abort(.notFound) }
        return m
    }

    private static func ownerCount(_ orgID: UUID, on store: any StoreReading) async throws -> Int {
        try await store.query(Membership.self).filter(\.$organisation.$id == orgID).filter(\.$role == MembershipRole.owner.rawValue).count()
    }

    static func change(_ req: Request) async throws -> Response {
        let a = try await OrganisationAccess.load(req)
        guard a.canManageMembers else { throw Abort(.forbidden) }
        let m = try await target(req, a)
        let v = req.formValues()
        guard let newRole = MembershipRole(rawValue: v["role"]), let oldRole = MembershipRole(rawValue: m.role) else {
            throw Abort(.badRequest)
        }
        let orgID = try a.organisation.storedID
        let refused = try await req.store.write { tx -> Bool in
            do {
                try MembershipRules.checkChange(of: oldRole, to: newRole, ownerCount: try await ownerCount(orgID, on: tx))
            } catch { return true }
            m.role = newRole.rawValue
            m.isSignatory = v.isChecked("signatory")
            try await tx.update(m)
            try await tx.audit("membership.changed", entity: "membership", id: m.id,
                                   summary: "\(newRole.rawValue) signatory=\(m.isSignatory)", by: req)
            return false
        }
        if refused { return try await req.redirect("/organisations/\(orgID)/members", flash: "members.last_owner") }
        return try await req.redirect("/organisations/\(orgID)/members", flash: "members.changed")
    }

    static func remove(_ req: Request) async throws -> Response {
        let a = try await OrganisationAccess.load(req)
        guard a.canManageMembers else { throw Abort(.forbidden) }
        let m = try await target(req, a)
        let orgID = try a.organisation.storedID
        let refused = try await req.store.write { tx -> Bool in
            do {
                try MembershipRules.checkChange(of: MembershipRole(rawValue: m.role) ?? .viewer, to: nil,
                                                ownerCount: try await ownerCount(orgID, on: tx))
            } catch { return true }
            try await tx.delete(m)
            try await tx.audit("membership.removed", entity: "membership", id: m.id, by: req)
            return false
        }
        if refused { return try await req.redirect("/organisations/\(orgID)/members", flash: "members.last_owner") }
        return try await req.redirect("/organisations/\(orgID)/members", flash: "members.removed")
    }

    // MARK: Invitations

    struct InvitationPage: Encodable, Sendable {
        let orgName: String
        let role: String
        let email: String
        let matches: Bool
        let action: String
    }

    private static func invitation(_ req: Request) async throws -> Invitation? {
        let token = req.parameters.get("token") ?? ""
        guard let inv = try await req.store.query(Invitation.self).filter(\.$tokenHash == Tokens.hash(token))
            .with(\.$organisation).first(), inv.acceptedAt == nil, inv.expiresAt > req.now else { return nil }
        return inv
    }

    private static func invalid(_ req: Request) async throws -> Response {
        try await req.render("accounts/message", title: "account.link_invalid_title",
                             MessagePage(heading: req.t("account.link_invalid_title"), paragraphs: [req.t("members.invitation_invalid")]),
                             status: .gone)
    }

    static func showInvitation(_ req: Request) async throws -> Response {
        let user = try req.requireUser()
        guard let inv = try await invitation(req) else { return try await invalid(req) }
        return try await req.render("organisations/invitation", title: "members.invitation_title",
                                    InvitationPage(orgName: inv.organisation.legalName, role: req.t("membership." + inv.role),
                                                   email: inv.email, matches: inv.email == user.email, action: req.url.path))
    }

    static func acceptInvitation(_ req: Request) async throws -> Response {
        let user = try req.requireUser()
        guard let inv = try await invitation(req) else { return try await invalid(req) }
        // The invitation is for one address: a forwarded link does not let someone else join.
        guard inv.email == user.email else { throw Abort(.forbidden) }
        let orgID = inv.$organisation.id
        try await req.store.write { tx in
            inv.acceptedAt = req.now
            try await tx.update(inv)
            if try await tx.query(Membership.self).filter(\.$organisation.$id == orgID).filter(\.$user.$id == user.storedID).count() == 0 {
                try await tx.create(Membership(organisationID: orgID, userID: user.storedID, role: inv.role, isSignatory: inv.isSignatory))
            }
            try await tx.audit("membership.accepted", entity: "organisation", id: orgID, summary: user.email, by: req)
        }
        return try await req.redirect("/organisations/\(orgID)", flash: "members.joined")
    }
}
