import Foundation

/// Where an application stands; an applicant sees these (see `Instruction` for the steps after submission).
public enum ApplicationStatus: String, CaseIterable, Sendable, Codable {
    case draft
    case submitted
    /// COM-15: the officer asked for missing items.
    case incomplete
    /// Complete; eligibility under review.
    case inReview = "in_review"
    /// Eligible; evaluators score it.
    case inEvaluation = "in_evaluation"
    /// Scored and assessed; waiting for the decision.
    case evaluated
    case approved
    case rejected
    case withdrawn
    // After the award (the follow-up's statuses; see `ApplicationLifecycle`).
    case agreementSigned = "agreement_signed"
    case running
    case reportDue = "report_due"
    case reportSubmitted = "report_submitted"
    case verified
    case closed
    /// More was paid than is owed: a recovery order is open.
    case recovery

    public var labelKey: String { "app.status." + rawValue }
}

/// The parts of an application form (COM-22, AMIF-06), in the order of Annex 1.
public enum ApplicationSection: String, CaseIterable, Sendable, Codable {
    case applicant
    case project
    case relevance
    case feasibility
    case evaluation
    case budget
    case financing
    case otherFunding = "other_funding"
    case previousSubsidies = "previous_subsidies"
    case documents
    case declaration

    public var labelKey: String { "section." + rawValue }

    /// The sections of a call's form. The AMIF call asks for no list of earlier ministry subsidies.
    public static func sections(for ruleSet: RuleSet) -> [ApplicationSection] {
        switch ruleSet {
        case .communes: allCases
        case .amif: allCases.filter { $0 != .previousSubsidies }
        }
    }

    /// Sections answered through the call's questions (the rest have pages of their own).
    public var isQuestionSection: Bool {
        switch self {
        case .project, .relevance, .feasibility, .evaluation, .otherFunding: true
        default: false
        }
    }
}

/// The GOV.UK task-list states.
public enum SectionState: String, Sendable, Codable, Equatable {
    case notStarted = "not_started"
    case inProgress = "in_progress"
    case completed

    public var labelKey: String { "task." + rawValue }
}

/// What can happen to an application, and when.
public enum ApplicationTransitions {
    public enum Refusal: String, Error, Sendable, Equatable {
        case notDraft = "not_draft"
        case notSubmitted = "not_submitted"
        case rollingCallCannotReopen = "rolling_reopen"
        case deadlinePassed = "deadline_passed"
        case alreadyWithdrawn = "already_withdrawn"
        case decided
    }

    /// Only a draft is edited or submitted (`ApplicationLifecycle.contentEditable`).
    public static func checkEditable(_ status: ApplicationStatus) throws(Refusal) {
        guard ApplicationLifecycle.isEditable(status) else { throw .notDraft }
    }

    /// A submitted application of a fixed-deadline call may be reopened until the deadline, then
    /// submitted again; each submitted version is kept and the last one counts. A rolling call's
    /// application is examined as soon as it arrives, so it is not reopened.
    public static func checkReopen(_ status: ApplicationStatus, kind: CallKind, closesAt: Date?, now: Date) throws(Refusal) {
        guard ApplicationLifecycle.allows(.reopen, from: status) else { throw .notSubmitted }
        guard kind == .fixedDeadline, let closesAt else { throw .rollingCallCannotReopen }
        guard now <= closesAt else { throw .deadlinePassed }
    }

    /// Until the decision: an approved grant is cancelled by the officer, a rejection stands.
    public static func checkWithdraw(_ status: ApplicationStatus) throws(Refusal) {
        guard status != .withdrawn else { throw .alreadyWithdrawn }
        guard ApplicationLifecycle.allows(.withdraw, from: status) else { throw .decided }
    }
}

/// Submission references: the call's reference and a four-digit sequence, e.g. COM-2023-0007.
public enum SubmissionReference {
    public static func make(callReference: String, sequence: Int) -> String {
        callReference + "-" + String(format: "%04d", sequence)
    }
}
