import Fluent
import Foundation
import Vapor

/// Every change of state or data writes one audit event, on the same database handle (the caller's
/// transaction), so the event exists exactly when the change does.
enum Audit {
    static func record(
        _ action: String, entity: String, id: (any CustomStringConvertible)?, summary: String = "",
        by req: Request, on db: any Database, actor: User? = nil
    ) async throws {
        let event = AuditEvent()
        event.occurredAt = req.now
        let who = actor ?? req.currentUser
        event.actorID = who?.id
        event.actorEmail = who?.email
        event.action = action
        event.entityType = entity
        event.entityID = id?.description
        event.ip = req.remoteAddress?.ipAddress ?? req.headers.first(name: .xForwardedFor)
        event.summary = String(summary.prefix(500))
        try await event.create(on: db)
    }
}

/// Mail goes to the outbox table first. A delivery job sends pending messages to SMTP when it is
/// configured (a later issue); until then they are read in the admin pages and the user's messages.
enum Mailer {
    static func enqueue(
        to email: String, userID: UUID?, subject: String, body: String, kind: String, now: Date, on db: any Database
    ) async throws {
        let m = OutboxMessage()
        m.createdAt = now
        m.toEmail = email
        m.userID = userID
        m.subject = String(subject.prefix(250))
        m.body = body
        m.kind = kind
        m.status = OutboxMessage.Status.pending.rawValue
        m.attempts = 0
        m.nextAttemptAt = now
        try await m.create(on: db)
    }
}
