import Fluent
import Foundation
import SubsidiaCore
import Vapor

/// COM-15: what an officer asked the applicant to send, and by when.
final class MissingItemRequest: Model, @unchecked Sendable {
    static let schema = "missing_item_requests"

    @ID(key: .id) var id: UUID?
    @Parent(key: "application_id") var application: GrantApplication
    @Field(key: "requested_by") var requestedBy: UUID
    @Field(key: "requested_at") var requestedAt: Date
    @Field(key: "items") var items: String
    @Field(key: "due_date") var dueDate: String
    @OptionalField(key: "answered_at") var answeredAt: Date?

    init() {}
}

/// One answer of the officer's eligibility checklist (COM-03, AMIF-04).
final class EligibilityCheck: Model, @unchecked Sendable {
    static let schema = "eligibility_checks"

    @ID(key: .id) var id: UUID?
    @Parent(key: "application_id") var application: GrantApplication
    @Field(key: "item_code") var itemCode: String
    @Field(key: "passed") var passed: Bool
    @Field(key: "justification") var justification: String
    @Field(key: "checked_by") var checkedBy: UUID
    @Field(key: "checked_at") var checkedAt: Date

    init() {}
}

/// An internal note on an application: staff only, never shown to the applicant.
final class ApplicationComment: Model, @unchecked Sendable {
    static let schema = "application_comments"

    @ID(key: .id) var id: UUID?
    @Parent(key: "application_id") var application: GrantApplication
    @Field(key: "author_id") var authorID: UUID
    @Field(key: "author_name") var authorName: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "body") var body: String

    init() {}
}

/// Every decision taken on an application, kept (COM-17): approvals, rejections, cancelled approvals.
final class DecisionRecord: Model, @unchecked Sendable {
    static let schema = "decisions"

    typealias Kind = DecisionLetter.Kind

    @ID(key: .id) var id: UUID?
    @Parent(key: "application_id") var application: GrantApplication
    @Field(key: "kind") var kind: String
    @OptionalField(key: "amount_cents") var amountCents: Int64?
    @Field(key: "reasons") var reasons: String
    @OptionalField(key: "binding_rule") var bindingRule: String?
    @Field(key: "decided_by") var decidedBy: UUID
    @Field(key: "decided_at") var decidedAt: Date
    /// The letter as sent (COM-17), in the applicant's language; opened when a member first downloads it.
    @OptionalField(key: "letter_pdf") var letterPDF: Data?
    @OptionalField(key: "letter_language") var letterLanguage: String?
    @OptionalField(key: "letter_opened_at") var letterOpenedAt: Date?

    init() {}
}

/// An evaluator assigned to an application. The evaluator declares the absence of a conflict of interest
/// before seeing anything of it; a declared conflict removes the access and asks the officer to reassign.
final class EvaluationAssignment: Model, @unchecked Sendable {
    static let schema = "evaluation_assignments"

    enum Declaration: String { case pending, free, conflict }

    @ID(key: .id) var id: UUID?
    @Parent(key: "application_id") var application: GrantApplication
    @Parent(key: "evaluator_id") var evaluator: User
    @Field(key: "assigned_by") var assignedBy: UUID
    @Field(key: "assigned_at") var assignedAt: Date
    @Field(key: "declaration") var declaration: String
    @OptionalField(key: "declared_at") var declaredAt: Date?
    @OptionalField(key: "conflict_note") var conflictNote: String?
    @OptionalField(key: "comment") var comment: String?
    @OptionalField(key: "handed_in_at") var handedInAt: Date?
    @OptionalField(key: "total_hundredths") var totalHundredths: Int?

    init() {}

    var state: Declaration { Declaration(rawValue: declaration) ?? .pending }
}

/// One score of an evaluator's scorecard: a sub-question's score, or 1 for a bonus granted.
final class EvaluationScore: Model, @unchecked Sendable {
    static let schema = "evaluation_scores"

    @ID(key: .id) var id: UUID?
    @Parent(key: "assignment_id") var assignment: EvaluationAssignment
    @Field(key: "item_code") var itemCode: String
    @Field(key: "score") var score: Int

    init() {}
}

extension Call {
    /// COM-09: the call's grid, or the default of its rules.
    var scoringGrid: ScoringGrid {
        if let json = scoringGridJSON, let grid = try? JSONDecoder().decode(ScoringGrid.self, from: Data(json.utf8)) { return grid }
        return rules == .communes ? .communes : .amifDefault
    }
}
