import Fluent
import Foundation
import Vapor

/// A co-financed project as published in the public list (PUB-01). The demo loads the five projects of
/// seed 001; no contact person's name is kept (the register shows the programme's contact instead).
final class RegisterProject: Model, @unchecked Sendable {
    static let schema = "register_projects"

    @ID(key: .id) var id: UUID?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?
    @Field(key: "fund") var fund: String
    @Field(key: "specific_objective") var specificObjective: String
    @Field(key: "call_label") var callLabel: String
    /// Nil where the source names no leader (seed 001 gives none for "Sustainable Stereotypes of Luxembourg").
    @OptionalField(key: "leader_name") var leaderName: String?
    @OptionalField(key: "leader_original_name") var leaderOriginalName: String?
    @Field(key: "title") var title: String
    @Field(key: "start_date") var startDate: String
    @Field(key: "end_date") var endDate: String
    @Field(key: "target_audience") var targetAudience: String
    @Field(key: "objective") var objective: String
    @Field(key: "country") var country: String

    init() {}
}
