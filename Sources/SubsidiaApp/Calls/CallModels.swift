import Fluent
import Foundation
import SubsidiaCore
import Vapor

/// A funding programme (AMIF-08, PAFMI-04): fund, authorities, contact, required visibility mention.
final class Programme: Model, @unchecked Sendable {
    static let schema = "programmes"

    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Field(key: "code") var code: String
    @Field(key: "name_fr") var nameFr: String
    @Field(key: "name_en") var nameEn: String
    @Field(key: "name_de") var nameDe: String
    @Field(key: "fund") var fund: String
    @Field(key: "managing_authority") var managingAuthority: String
    @OptionalField(key: "intermediate_body") var intermediateBody: String?
    @Field(key: "contact_email") var contactEmail: String
    @OptionalField(key: "contact_phone") var contactPhone: String?
    @OptionalField(key: "visibility_mention") var visibilityMention: String?

    init() {}

    var name: Localized { Localized(fr: nameFr, en: nameEn, de: nameDe) }
}

final class Call: Model, @unchecked Sendable {
    static let schema = "calls"

    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?
    @Field(key: "version") var version: Int
    @Parent(key: "programme_id") var programme: Programme
    @Field(key: "reference") var reference: String
    @Field(key: "title_fr") var titleFr: String
    @Field(key: "title_en") var titleEn: String
    @Field(key: "title_de") var titleDe: String
    @Field(key: "summary_fr") var summaryFr: String
    @Field(key: "summary_en") var summaryEn: String
    @Field(key: "summary_de") var summaryDe: String
    @Field(key: "rule_set") var ruleSet: String
    @Field(key: "kind") var kind: String
    @Field(key: "status") var status: String
    @Field(key: "opens_at") var opensAt: Date
    @OptionalField(key: "closes_at") var closesAt: Date?
    /// Cost-eligibility period and the period projects must fall in (AMIF-03, COM-12), ISO dates.
    @OptionalField(key: "cost_start") var costStart: String?
    @OptionalField(key: "cost_end") var costEnd: String?
    @Field(key: "lead_time_days") var leadTimeDays: Int
    /// Comma-separated LegalForm raw values.
    @Field(key: "eligible_legal_forms") var eligibleLegalForms: String
    @Field(key: "seat_country") var seatCountry: String
    @OptionalField(key: "max_amount_cents") var maxAmountCents: Int64?
    @OptionalField(key: "max_rate_bp") var maxRateBP: Int?
    @OptionalField(key: "global_budget_cents") var globalBudgetCents: Int64?
    /// A copy of a seeded call with dates around today, so a newcomer can try the platform.
    @Field(key: "is_demo") var isDemo: Bool
    /// COM-26: what a kilometre by private car is worth in this call (30 cents for the communes subsidy).
    @OptionalField(key: "km_rate_cents") var kmRateCents: Int64?
    /// COM-09: the scoring grid as JSON data; nil means the default grid of the call's rules.
    @OptionalField(key: "scoring_grid") var scoringGridJSON: String?
    /// Blind review: evaluators see the project, never who applied (issue 4).
    @Field(key: "blind_review") var blindReview: Bool

    init() {}

    var title: Localized { Localized(fr: titleFr, en: titleEn, de: titleDe) }
    var summary: Localized { Localized(fr: summaryFr, en: summaryEn, de: summaryDe) }
    var callKind: CallKind { CallKind(rawValue: kind) ?? .fixedDeadline }
    var callStatus: CallStatus { CallStatus(rawValue: status) ?? .draft }
    var rules: RuleSet { RuleSet(rawValue: ruleSet) ?? .communes }
    var legalForms: [LegalForm] { eligibleLegalForms.split(separator: ",").compactMap { LegalForm(rawValue: String($0)) } }
    var costPeriod: DatePeriod? {
        guard let s = costStart.flatMap(CalendarDate.init(iso:)), let e = costEnd.flatMap(CalendarDate.init(iso:)) else {
            return nil
        }
        return DatePeriod(start: s, end: e)
    }
}

/// A specific objective of a call (AMIF-02: objective 1 asylum, objective 2 legal migration and integration).
final class CallObjective: Model, @unchecked Sendable {
    static let schema = "call_objectives"

    @ID(key: .id) var id: UUID?
    @Parent(key: "call_id") var call: Call
    @Field(key: "code") var code: String
    @Field(key: "title_fr") var titleFr: String
    @Field(key: "title_en") var titleEn: String
    @Field(key: "title_de") var titleDe: String
    @Field(key: "position") var position: Int

    init() {}
    var title: Localized { Localized(fr: titleFr, en: titleEn, de: titleDe) }
}

/// An action with its envelope and maximum co-financing rate (AMIF-02, AMIF-09).
final class CallAction: Model, @unchecked Sendable {
    static let schema = "call_actions"

    @ID(key: .id) var id: UUID?
    @Parent(key: "call_id") var call: Call
    @OptionalParent(key: "objective_id") var objective: CallObjective?
    @Field(key: "code") var code: String
    @Field(key: "title_fr") var titleFr: String
    @Field(key: "title_en") var titleEn: String
    @Field(key: "title_de") var titleDe: String
    @Field(key: "envelope_cents") var envelopeCents: Int64
    @Field(key: "max_rate_bp") var maxRateBP: Int
    @Field(key: "position") var position: Int

    init() {}
    var title: Localized { Localized(fr: titleFr, en: titleEn, de: titleDe) }
}

/// A labelled item of a call: a priority theme (COM-05), a category cap (COM-08, with `amountCents`),
/// or a document to provide (COM-14, with `required`).
final class CallItem: Model, @unchecked Sendable {
    static let schema = "call_items"

    enum Kind: String, CaseIterable { case theme, cap, document }

    @ID(key: .id) var id: UUID?
    @Parent(key: "call_id") var call: Call
    @Field(key: "kind") var kind: String
    @Field(key: "code") var code: String
    @Field(key: "label_fr") var labelFr: String
    @Field(key: "label_en") var labelEn: String
    @Field(key: "label_de") var labelDe: String
    @OptionalField(key: "amount_cents") var amountCents: Int64?
    @Field(key: "required") var required: Bool
    @Field(key: "position") var position: Int

    init() {}
    var label: Localized { Localized(fr: labelFr, en: labelEn, de: labelDe) }
}

/// An information session about a call (AMIF-05).
final class InformationSession: Model, @unchecked Sendable {
    static let schema = "information_sessions"

    @ID(key: .id) var id: UUID?
    @Parent(key: "call_id") var call: Call
    @Field(key: "starts_at") var startsAt: Date
    @Field(key: "duration_minutes") var durationMinutes: Int
    @Field(key: "place") var place: String
    @Field(key: "capacity") var capacity: Int

    init() {}
}

final class SessionRegistration: Model, @unchecked Sendable {
    static let schema = "session_registrations"

    @ID(key: .id) var id: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Parent(key: "session_id") var session: InformationSession
    /// Kept beside the session so "one registration per email and call" is a unique index.
    @Field(key: "call_id") var callID: UUID
    @Field(key: "name") var name: String
    @Field(key: "email") var email: String
    @Field(key: "organisation_name") var organisationName: String

    init() {}
}
