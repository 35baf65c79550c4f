import Fluent
import Foundation
import SQLKit
import Vapor

/// Every change of state or data writes one audit event in the same transaction (`StoreTransaction.audit`, or a
/// statement of `Store.commit`), so the event exists exactly when the change does.
enum Audit {
    /// The event's insert, for a write that runs its statements itself (`CommitGroup`).
    static func insert(
        _ action: String, entity: String, id: (any CustomStringConvertible)?, summary: String = "", by req: Request, actor: User? = nil
    ) -> SQLQueryString {
        let who = actor ?? req.currentUser
        let ip = req.clientAddress
        return """
            INSERT INTO \(ident: AuditEvent.schema) (id, occurred_at, actor_id, actor_email, action, entity_type, entity_id, ip, summary) \
            VALUES (\(bind: UUID()), \(bind: req.now), \(bind: who?.id), \(bind: who?.email), \(bind: action), \(bind: entity), \
            \(bind: id?.description), \(bind: ip), \(bind: String(summary.prefix(500))))
            """
    }
}

/// Mail goes to the outbox table first. A delivery job sends pending messages to SMTP when it is
/// configured (a later issue); until then they are read in the admin pages and the user's messages.
enum Mailer {
    /// The message's insert, for a write that runs its statements itself (`CommitGroup`).
    static func insert(to email: String, userID: UUID?, subject: String, body: String, kind: String, now: Date) -> SQLQueryString {
        """
        INSERT INTO \(ident: OutboxMessage.schema) (id, created_at, to_email, user_id, subject, body, kind, status, attempts, next_attempt_at) \
        VALUES (\(bind: UUID()), \(bind: now), \(bind: email), \(bind: userID), \(bind: String(subject.prefix(250))), \(bind: body), \
        \(bind: kind), \(bind: OutboxMessage.Status.pending.rawValue), 0, \(bind: now))
        """
    }
}
