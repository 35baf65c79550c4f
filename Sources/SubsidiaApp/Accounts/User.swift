import Fluent
import Foundation
import SubsidiaCore
import Vapor

final class User: Model, @unchecked Sendable {
    static let schema = "users"

    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    @Field(key: "email") var email: String
    @Field(key: "name") var name: String
    @Field(key: "password_hash") var passwordHash: String
    @Field(key: "role") var role: String
    @Field(key: "is_active") var isActive: Bool
    @OptionalField(key: "email_confirmed_at") var emailConfirmedAt: Date?
    @OptionalField(key: "language") var language: String?

    init() {}

    init(id: UUID? = nil, email: String, name: String, passwordHash: String, role: UserRole, confirmedAt: Date?) {
        self.id = id
        self.email = email
        self.name = name
        self.passwordHash = passwordHash
        self.role = role.rawValue
        self.isActive = true
        self.emailConfirmedAt = confirmedAt
    }

    var userRole: UserRole { UserRole(rawValue: role) ?? .applicant }
}

/// A single-use token sent by mail (email confirmation, password reset). Only its SHA-256 is stored.
final class UserToken: Model, @unchecked Sendable {
    static let schema = "user_tokens"

    enum Purpose: String { case confirmEmail = "confirm_email", resetPassword = "reset_password" }

    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Parent(key: "user_id") var user: User
    @Field(key: "purpose") var purpose: String
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "used_at") var usedAt: Date?

    init() {}

    init(userID: UUID, purpose: Purpose, tokenHash: String, expiresAt: Date) {
        self.$user.id = userID
        self.purpose = purpose.rawValue
        self.tokenHash = tokenHash
        self.expiresAt = expiresAt
    }
}

/// Failed logins per key ("account:<email>" or "address:<ip>"), for throttling.
final class LoginThrottleRecord: Model, @unchecked Sendable {
    static let schema = "login_throttles"

    @ID(custom: "key", generatedBy: .user) var id: String?
    @Field(key: "failures") var failures: Int
    @Field(key: "window_start") var windowStart: Date
    @Field(key: "last_failure") var lastFailure: Date

    init() {}
}
