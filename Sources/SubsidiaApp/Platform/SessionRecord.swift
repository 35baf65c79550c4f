import Fluent
import Foundation
import Vapor

/// A browser session, stored in the database so any instance can serve any request.
/// The id is the SHA-256 of the cookie value: a leaked table does not give working cookies.
final class StoredSession: Model, @unchecked Sendable {
    static let schema = "sessions"

    @ID(custom: "id", generatedBy: .user) var id: String?
    @OptionalParent(key: "user_id") var user: User?
    @Field(key: "csrf_token") var csrfToken: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "last_seen_at") var lastSeenAt: Date
    @Field(key: "expires_at") var expiresAt: Date
    /// A one-time message shown on the next page (a catalogue key).
    @OptionalField(key: "flash") var flash: String?
    /// A form post that arrived after the session had expired, kept to be saved after the next login.
    @OptionalField(key: "pending_path") var pendingPath: String?
    @OptionalField(key: "pending_body") var pendingBody: String?

    init() {}
}

final class OutboxMessage: Model, @unchecked Sendable {
    static let schema = "outbox_messages"

    enum Status: String { case pending, sent, failed }

    @ID(key: .id) var id: UUID?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "to_email") var toEmail: String
    @OptionalField(key: "user_id") var userID: UUID?
    @Field(key: "subject") var subject: String
    @Field(key: "body") var body: String
    @Field(key: "kind") var kind: String
    @Field(key: "status") var status: String
    @Field(key: "attempts") var attempts: Int
    @OptionalField(key: "next_attempt_at") var nextAttemptAt: Date?
    @OptionalField(key: "sent_at") var sentAt: Date?
    @OptionalField(key: "last_error") var lastError: String?

    init() {}
}

final class AuditEvent: Model, @unchecked Sendable {
    static let schema = "audit_events"

    @ID(key: .id) var id: UUID?
    @Field(key: "occurred_at") var occurredAt: Date
    @OptionalField(key: "actor_id") var actorID: UUID?
    @OptionalField(key: "actor_email") var actorEmail: String?
    @Field(key: "action") var action: String
    @Field(key: "entity_type") var entityType: String
    @OptionalField(key: "entity_id") var entityID: String?
    @OptionalField(key: "ip") var ip: String?
    @Field(key: "summary") var summary: String

    init() {}
}
