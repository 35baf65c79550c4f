import Foundation

/// What happens to an application after submission (seed 003 section 3b, seed 000): completeness
/// (COM-14, COM-15), eligibility review (COM-01, COM-03, AMIF-04), evaluation (COM-09, COM-10),
/// decision (COM-07, COM-08, COM-17, AMIF-02, AMIF-09). Each step checks the status it starts from.
public enum Instruction {
    public enum Refusal: String, Error, Sendable, Equatable {
        case wrongStatus = "wrong_status"
        /// COM-15: only complete files are processed.
        case incompleteFile = "incomplete_file"
        case nothingRequested = "nothing_requested"
        case dueDateNotLater = "due_date"
        case checklistUnanswered = "checklist_unanswered"
        case justificationMissing = "justification_missing"
        case failedCheckMustBeRejected = "failed_check"
        case reasonsMissing = "reasons_missing"
        case noScorecard = "no_scorecard"
        case assessmentMissing = "assessment_missing"
        case amountNotPositive = "amount_not_positive"
        /// COM-07, COM-08, AMIF-02, AMIF-09: above the proposed maximum.
        case aboveMaximum = "above_maximum"

        public var messageKey: String { "instruction.refusal." + rawValue }
    }

    /// Statuses an officer may ask the applicant for missing items from.
    public static var canRequestItems: Set<ApplicationStatus> { ApplicationLifecycle.transition(.requestItems).from }
    /// Statuses an officer may reject from (with reasons).
    public static var canReject: Set<ApplicationStatus> { ApplicationLifecycle.transition(.reject).from }

    /// COM-15: an officer asks for what is missing; the file waits in `incomplete` until the applicant sends it.
    public static func checkRequestItems(from status: ApplicationStatus, items: [String], due: CalendarDate, today: CalendarDate) throws(Refusal) {
        guard canRequestItems.contains(status) else { throw .wrongStatus }
        guard items.contains(where: { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }) else { throw .nothingRequested }
        guard due > today else { throw .dueDateNotLater }
    }

    /// The applicant sends the items asked for: back to the officer.
    public static func checkItemsProvided(from status: ApplicationStatus) throws(Refusal) {
        guard ApplicationLifecycle.allows(.itemsProvided, from: status) else { throw .wrongStatus }
    }

    /// COM-14, COM-15: the officer declares the file complete, which the checks must confirm.
    public static func checkComplete(from status: ApplicationStatus, completeness: Completeness) throws(Refusal) {
        guard ApplicationLifecycle.allows(.declareComplete, from: status) else { throw .wrongStatus }
        guard completeness.isComplete else { throw .incompleteFile }
    }

    /// COM-01, COM-03, AMIF-04: every checklist item answered with a justification; all passed (with no
    /// failed automatic rule) sends the application to evaluation, a failed one leads to a rejection instead.
    public static func checkEligible(from status: ApplicationStatus, review: EligibilityReview, automaticFailures: Int) throws(Refusal) {
        guard ApplicationLifecycle.allows(.declareEligible, from: status) else { throw .wrongStatus }
        try review.checkAnswered()
        guard review.allPassed && automaticFailures == 0 else { throw .failedCheckMustBeRejected }
    }

    /// COM-09, COM-10: the officer (rapporteur) closes the evaluation with at least one scorecard handed in
    /// and a written consolidated assessment.
    public static func checkConsolidate(from status: ApplicationStatus, handedIn: Int, assessment: String) throws(Refusal) {
        guard ApplicationLifecycle.allows(.closeEvaluation, from: status) else { throw .wrongStatus }
        guard handedIn > 0 else { throw .noScorecard }
        guard !assessment.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw .assessmentMissing }
    }

    /// COM-17 with COM-07, COM-08, AMIF-02, AMIF-09: an approval up to the proposed maximum, on an evaluated file.
    public static func checkApprove(from status: ApplicationStatus, amount: Money, proposal: GrantProposal) throws(Refusal) {
        if status == .incomplete || status == .submitted { throw .incompleteFile }
        guard ApplicationLifecycle.allows(.approve, from: status) else { throw .wrongStatus }
        guard amount > .zero else { throw .amountNotPositive }
        guard amount <= proposal.maximum else { throw .aboveMaximum }
    }

    /// COM-17: a rejection always gives its reasons, which the applicant reads.
    public static func checkReject(from status: ApplicationStatus, reasons: String) throws(Refusal) {
        guard canReject.contains(status) else { throw .wrongStatus }
        guard !reasons.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw .reasonsMissing }
    }

    /// An approval is cancelled only with a reason; its amount is freed and the file goes back to `evaluated`.
    public static func checkCancelApproval(from status: ApplicationStatus, reason: String) throws(Refusal) {
        guard ApplicationLifecycle.allows(.cancelApproval, from: status) else { throw .wrongStatus }
        guard !reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw .reasonsMissing }
    }
}

/// COM-14, COM-15: what a file still lacks.
public struct Completeness: Sendable, Equatable {
    public let missingDocuments: [String]
    public let incompleteSections: [ApplicationSection]
    public let declared: Bool

    public init(missingDocuments: [String], incompleteSections: [ApplicationSection], declared: Bool) {
        self.missingDocuments = missingDocuments
        self.incompleteSections = incompleteSections
        self.declared = declared
    }

    public var isComplete: Bool { missingDocuments.isEmpty && incompleteSections.isEmpty && declared }
}

/// The officer's eligibility checklist (COM-03, AMIF-04), beside the automatic rule results.
public struct EligibilityReview: Sendable, Equatable {
    public struct Item: Sendable, Equatable {
        public let code: String
        public let ruleID: String
        public let labelKey: String
    }

    public struct Answer: Sendable, Equatable {
        public let passed: Bool
        public let justification: String
        public init(passed: Bool, justification: String) { self.passed = passed; self.justification = justification }
    }

    public let items: [Item]
    public var answers: [String: Answer]

    public init(items: [Item], answers: [String: Answer]) { self.items = items; self.answers = answers }

    /// The items of a call's checklist.
    public static func items(for ruleSet: RuleSet) -> [Item] {
        switch ruleSet {
        case .communes:
            [Item(code: "integration_policy", ruleID: "COM-03", labelKey: "eligibility.item.integration_policy"),
             Item(code: "two_way", ruleID: "COM-03", labelKey: "eligibility.item.two_way"),
             Item(code: "revenue_article", ruleID: "COM-02", labelKey: "eligibility.item.revenue_article")]
        case .amif:
            [Item(code: "experience", ruleID: "AMIF-04", labelKey: "eligibility.item.experience"),
             Item(code: "amif_scope", ruleID: "AMIF-06", labelKey: "eligibility.item.amif_scope")]
        }
    }

    public func checkAnswered() throws(Instruction.Refusal) {
        for item in items {
            guard let a = answers[item.code] else { throw .checklistUnanswered }
            guard !a.justification.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw .justificationMissing }
        }
    }

    public var allPassed: Bool { items.allSatisfy { answers[$0.code]?.passed == true } }
    public var failed: [Item] { items.filter { answers[$0.code]?.passed == false } }
}

/// The maximum an officer can grant (COM-07, COM-08, AMIF-02, AMIF-09): the funding cap computed now, with
/// what is left in the envelopes, and never more than was asked for.
public struct GrantProposal: Sendable, Equatable {
    public let cap: FundingCap
    public let requested: Money

    public init(cap: FundingCap, requested: Money) {
        self.cap = cap
        self.requested = requested
    }

    public var maximum: Money { min(requested, cap.maximum ?? requested) }

    /// The limit that binds; nil when the amount requested is the lowest.
    public var binding: CapLimit? {
        guard let b = cap.binding, b.amount < requested else { return nil }
        return b
    }
}

/// COM-18: the dates a granted applicant must keep.
public enum Obligations {
    /// The financial statement and the implementation report: within 6 weeks after the project ends, and
    /// at the latest on 31 January of the following year (COM-18, COM-19).
    public static func reportDue(projectEnd: CalendarDate) -> CalendarDate {
        min(projectEnd.adding(days: 42), CalendarDate(year: projectEnd.year + 1, month: 1, day: 31))
    }
}
