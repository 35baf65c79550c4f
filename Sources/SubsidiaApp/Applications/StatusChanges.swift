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
        _ columns: [(String, any Encodable & Sendable)] = [], on tx: StoreTransaction
    ) async throws -> ApplicationStatus {
        let target = try ApplicationLifecycle.check(event, from: expected, by: actor)
        var update: SQLQueryString = "UPDATE applications SET status = \(bind: target.rawValue), updated_at = \(bind: now)"
        for (column, value) in columns { update = update + ", \(ident: column) = \(bind: value)" }
        guard try await tx.changed(update + " WHERE id = \(bind: id) AND status = \(bind: expected.rawValue) RETURNING id") else {
            throw StatusConflict(current: try await current(id, on: tx))
        }
        return target
    }

    /// The status as the database holds it now.
    static func current(_ id: UUID, on store: any StoreReading) async throws -> ApplicationStatus? {
        struct Row: Decodable { let status: String }
        return try await store.first(Row.self, "SELECT status FROM applications WHERE id = \(bind: id)")
            .map { ApplicationStatus(rawValue: $0.status) ?? .closed }
    }
}
