import Fluent
import Foundation
import SQLKit
import SubsidiaCore
import Vapor

/// Admin pages: users (search, deactivate, change role), the mail outbox, the audit log.
enum AdminController {
    static func admin(_ req: Request) throws -> User { try req.requireRole(.admin) }

    struct UsersPage: Encodable, Sendable {
        struct Row: Encodable, Sendable {
            let id: String
            let name: String
            let email: String
            let role: String
            let roleOptions: [FormOption]
            let active: Bool
            let confirmed: Bool
            let isSelf: Bool
        }

        let rows: [Row]
        let paging: Paging.View
        let q: String
        let roles: [FormOption]
    }

    static func users(_ req: Request) async throws -> Response {
        let me = try admin(req)
        let paging = Paging(req)
        let q = ((try? req.query.get(String.self, at: "q")) ?? "").trimmingCharacters(in: .whitespaces)
        let role = (try? req.query.get(String.self, at: "role")).flatMap(UserRole.init(rawValue:))
        let query = req.store.query(User.self)
        if !q.isEmpty { query.group(.or) { $0.filter(\.$email ~~ q.lowercased()).filter(\.$name ~~ q) } }
        if let role { query.filter(\.$role == role.rawValue) }
        let total = try await query.count()
        let users = try await query.sort(\.$name).range(paging.offset..<(paging.offset + paging.size)).all()
        let rows = try users.map { u in
            UsersPage.Row(id: try u.storedID.uuidString, name: u.name, email: u.email, role: req.t("role." + u.role),
                          roleOptions: try UserRole.allCases.map { .init(value: $0.rawValue, label: req.t("role." + $0.rawValue), selected: $0.rawValue == u.role, id: "role-\(try u.storedID)-\($0.rawValue)") },
                          active: u.isActive, confirmed: u.emailConfirmedAt != nil, isSelf: u.id == me.id)
        }
        let roles = [FormOption(value: "", label: req.t("filter.all"), selected: role == nil, id: "f-role-all")]
            + UserRole.allCases.map { FormOption(value: $0.rawValue, label: req.t("role." + $0.rawValue), selected: $0 == role, id: "f-role-" + $0.rawValue) }
        return try await req.render("admin/users", title: "admin.users_title",
                                    UsersPage(rows: rows, paging: paging.view(total: total, req: req), q: q, roles: roles))
    }

    private static func target(_ req: Request) async throws -> User {
        guard let u = try await req.store.find(User.self, req.parameters.get("userID", as: UUID.self)) else { throw Abort(.notFound) }
        return u
    }

    static func setRole(_ req: Request) async throws -> Response {
        let me = try admin(req)
        let u = try await target(req)
        guard let role = UserRole(rawValue: req.formValues()["role"]) else { throw Abort(.badRequest) }
        // An admin cannot remove their own admin role: someone must always be able to administer.
        if u.id == me.id && role != .admin { return try await req.redirect("/admin/users", flash: "admin.cannot_change_self") }
        try await req.store.write { tx in
            let old = u.role
            u.role = role.rawValue
            try await tx.update(u)
            try await tx.audit("user.role_changed", entity: "user", id: u.id, summary: "\(old) → \(role.rawValue)", by: req)
        }
        return try await req.redirect("/admin/users", flash: "admin.role_changed")
    }

    static func setActive(_ req: Request, active: Bool) async throws -> Response {
        let me = try admin(req)
        let u = try await target(req)
        if u.id == me.id { return try await req.redirect("/admin/users", flash: "admin.cannot_change_self") }
        try await req.store.write { tx in
            u.isActive = active
            try await tx.update(u)
            if !active { try await tx.query(StoredSession.self).filter(\.$user.$id == u.storedID).delete() }
            try await tx.audit(active ? "user.reactivated" : "user.deactivated", entity: "user", id: u.id, summary: u.email, by: req)
        }
        return try await req.redirect("/admin/users", flash: active ? "admin.reactivated" : "admin.deactivated")
    }

    // MARK: Outbox

    struct OutboxPage: Encodable, Sendable {
        struct Row: Encodable, Sendable {
            let date: String
            let to: String
            let subject: String
            let kind: String
            let status: String
            let body: String
        }

        let rows: [Row]
        let paging: Paging.View
        let q: String
    }

    static func outbox(_ req: Request) async throws -> Response {
        _ = try admin(req)
        let paging = Paging(req)
        let q = ((try? req.query.get(String.self, at: "q")) ?? "").trimmingCharacters(in: .whitespaces)
        let query = req.store.query(OutboxMessage.self)
        if !q.isEmpty { query.group(.or) { $0.filter(\.$toEmail ~~ q.lowercased()).filter(\.$subject ~~ q) } }
        let total = try await query.count()
        let ms = try await query.sort(\.$createdAt, .descending).range(paging.offset..<(paging.offset + paging.size)).all()
        return try await req.render("admin/outbox", title: "admin.outbox_title", OutboxPage(rows: ms.map {
            .init(date: req.dateTime($0.createdAt), to: $0.toEmail, subject: $0.subject, kind: $0.kind,
                  status: req.t("outbox.status." + $0.status), body: $0.body)
        }, paging: paging.view(total: total, req: req), q: q))
    }

    // MARK: Audit log (read with SQLKit into plain rows: it is the longest list of the platform)

    struct AuditRow: Decodable {
        let occurred_at: Date
        let actor_email: String?
        let action: String
        let entity_type: String
        let entity_id: String?
        let ip: String?
        let summary: String
    }

    struct AuditPage: Encodable, Sendable {
        struct Row: Encodable, Sendable {
            let date: String
            let actor: String
            let action: String
            let entity: String
            let ip: String
            let summary: String
        }

        let rows: [Row]
        let paging: Paging.View
        let action: String
        let actor: String
        let entity: String
        let from: String
        let to: String
    }

    static func audit(_ req: Request) async throws -> Response {
        _ = try admin(req)
        let paging = Paging(req, size: 50)
        func q(_ name: String) -> String { ((try? req.query.get(String.self, at: name)) ?? "").trimmingCharacters(in: .whitespaces) }
        let action = q("action"), actor = q("actor"), entity = q("entity"), from = q("from"), to = q("to")
        var conditions: [SQLQueryString] = ["1 = 1"]
        if !action.isEmpty { conditions.append("action LIKE \(bind: action + "%")") }
        if !actor.isEmpty { conditions.append("actor_email LIKE \(bind: "%" + actor.lowercased() + "%")") }
        if !entity.isEmpty { conditions.append("(entity_type = \(bind: entity) OR entity_id = \(bind: entity))") }
        if let d = CalendarDate(iso: from) { conditions.append("occurred_at >= \(bind: LuxembourgTime.instant(d))") }
        if let d = CalendarDate(iso: to) { conditions.append("occurred_at < \(bind: LuxembourgTime.instant(d.adding(days: 1)))") }
        let filter = conditions.dropFirst().reduce(conditions[0]) { $0 + " AND " + $1 }
        struct Count: Decodable { let n: Int }
        let store = req.store
        let total = try await store.first(Count.self, "SELECT COUNT(*) AS n FROM audit_events WHERE " + filter)?.n ?? 0
        let rows = try await store.rows(AuditRow.self, "SELECT occurred_at, actor_email, action, entity_type, entity_id, ip, summary FROM audit_events WHERE "
            + filter + " ORDER BY occurred_at DESC LIMIT \(literal: paging.size) OFFSET \(literal: paging.offset)")
        return try await req.render("admin/audit", title: "admin.audit_title", AuditPage(
            rows: rows.map { .init(date: req.dateTime($0.occurred_at), actor: $0.actor_email ?? "—", action: $0.action,
                                   entity: $0.entity_type + ($0.entity_id.map { " " + $0 } ?? ""), ip: $0.ip ?? "", summary: $0.summary) },
            paging: paging.view(total: total, req: req), action: action, actor: actor, entity: entity, from: from, to: to))
    }
}
