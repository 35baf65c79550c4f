import Fluent
import Foundation
import SQLKit
import SubsidiaCore
import Vapor

/// Someone changed the application's status between the page's read and this write: nothing was written.
struct StatusConflict: Error, Sendable {
    /// The status found now (nil: the application is gone).
    let current: ApplicationStatus?
}

/// The only way an application's status changes. The machine (`ApplicationLifecycle`) says whether the actor may
/// fire the event from the status read; the write is one compare-and-set on that status, so a change that came
/// first (an approval racing a withdrawal) makes this one change nothing and throw `StatusConflict`.
enum StatusChanges {
    @discardableResult
    static func fire(
        _ event: ApplicationEvent, on id: UUID, from expected: ApplicationStatus, by actor: LifecycleActor, now: Date,
        _ columns: [(String, any Encodable & Sendable)] = [], on db: any Database
    ) async throws -> ApplicationStatus {
        let target = try ApplicationLifecycle.check(event, from: expected, by: actor)
        guard let sql = db as? any SQLDatabase else { throw Abort(.internalServerError) }
        let update = sql.update(GrantApplication.schema).set("status", to: SQLBind(target.rawValue)).set("updated_at", to: SQLBind(now))
        for (column, value) in columns { update.set(SQLIdentifier(column), to: SQLBind(value)) }
        let changed = try await update.where("id", .equal, SQLBind(id)).where("status", .equal, SQLBind(expected.rawValue))
            .returning("id").all()
        guard changed.isEmpty else { return target }
        throw StatusConflict(current: try await current(id, on: db))
    }

    /// The status as the database holds it now.
    static func current(_ id: UUID, on db: any Database) async throws -> ApplicationStatus? {
        guard let sql = db as? any SQLDatabase else { throw Abort(.internalServerError) }
        struct Row: Decodable { let status: String }
        return try await sql.raw("SELECT status FROM applications WHERE id = \(bind: id)").first(decoding: Row.self)
            .map { ApplicationStatus(rawValue: $0.status) ?? .closed }
    }
}
