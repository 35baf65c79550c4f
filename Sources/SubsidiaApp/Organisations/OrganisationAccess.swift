import Fluent
import Foundation
import SubsidiaCore
import Vapor

/// Who the user is to the organisation of the route's `orgID`: a member with a role, or staff reading it.
struct OrganisationAccess {
    let organisation: Organisation
    let membership: Membership?
    let user: User

    var canEdit: Bool { MembershipRole(rawValue: membership?.role ?? "").map(\.canEditProfile) ?? false }
    var canManageMembers: Bool { MembershipRole(rawValue: membership?.role ?? "").map(\.canManageMembers) ?? false }

    /// For members (and, with `staffMayRead`, staff); anyone else gets 404, so that ids cannot be probed.
    static func load(_ req: Request, staffMayRead: Bool = false) async throws -> OrganisationAccess {
        let user = try req.requireUser()
        guard let id = req.parameters.get("orgID", as: UUID.self) else { throw Abort(.notFound) }
        if let m = try await req.store.query(Membership.self).filter(\.$organisation.$id == id)
            .filter(\.$user.$id == user.storedID).with(\.$organisation).first() {
            return OrganisationAccess(organisation: m.organisation, membership: m, user: user)
        }
        if staffMayRead && user.userRole.isStaff, let org = try await req.store.find(Organisation.self, id) {
            return OrganisationAccess(organisation: org, membership: nil, user: user)
        }
        throw Abort(.notFound)
    }
}
