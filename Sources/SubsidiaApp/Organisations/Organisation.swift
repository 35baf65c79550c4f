import Fluent
import Foundation
import Vapor

/// An applicant organisation (COM-22, AMIF-04): entered once, reused by every application.
final class Organisation: Model, @unchecked Sendable {
    static let schema = "organisations"

    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?
    @Field(key: "version") var version: Int

    @Field(key: "legal_name") var legalName: String
    @OptionalField(key: "original_name") var originalName: String?
    @Field(key: "legal_form") var legalForm: String
    @OptionalField(key: "rcs_number") var rcsNumber: String?
    @Field(key: "street") var street: String
    @Field(key: "postcode") var postcode: String
    @Field(key: "locality") var locality: String
    @Field(key: "country") var country: String
    @OptionalField(key: "phone") var phone: String?
    @OptionalField(key: "website") var website: String?
    @OptionalField(key: "bank_holder") var bankHolder: String?
    @OptionalField(key: "iban") var iban: String?
    @OptionalField(key: "bic") var bic: String?
    @Field(key: "contact1_name") var contact1Name: String
    @Field(key: "contact1_function") var contact1Function: String
    @Field(key: "contact1_phone") var contact1Phone: String
    @Field(key: "contact1_email") var contact1Email: String
    @OptionalField(key: "contact1_address") var contact1Address: String?
    @OptionalField(key: "contact2_name") var contact2Name: String?
    @OptionalField(key: "contact2_function") var contact2Function: String?
    @OptionalField(key: "contact2_phone") var contact2Phone: String?
    @OptionalField(key: "contact2_email") var contact2Email: String?
    @OptionalField(key: "contact2_address") var contact2Address: String?
    /// Communes only: whether a Pakt vum Zesummeliewen is signed (COM-06). Nil for other forms.
    @OptionalField(key: "pakt_signed") var paktSigned: Bool?

    init() {}
}

final class Membership: Model, @unchecked Sendable {
    static let schema = "memberships"

    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Parent(key: "organisation_id") var organisation: Organisation
    @Parent(key: "user_id") var user: User
    @Field(key: "role") var role: String
    @Field(key: "is_signatory") var isSignatory: Bool

    init() {}

    init(organisationID: UUID, userID: UUID, role: String, isSignatory: Bool) {
        self.$organisation.id = organisationID
        self.$user.id = userID
        self.role = role
        self.isSignatory = isSignatory
    }
}

final class Invitation: Model, @unchecked Sendable {
    static let schema = "invitations"

    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Parent(key: "organisation_id") var organisation: Organisation
    @Field(key: "email") var email: String
    @Field(key: "role") var role: String
    @Field(key: "is_signatory") var isSignatory: Bool
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "invited_by") var invitedBy: UUID
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "accepted_at") var acceptedAt: Date?

    init() {}
}
