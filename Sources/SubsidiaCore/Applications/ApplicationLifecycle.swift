/// The life of an application as one table: for each event, the statuses it may start from, the status it leads
/// to, and who may fire it. Every handler that changes an application's status asks this table first, then
/// writes the change as a compare-and-set on the status it read (zero rows changed: someone came first).
/// The events after the award (agreement, running, report, verification, closing, recovery) are in the table so
/// that the follow-up adds handlers, not states; nobody fires them yet.
public enum ApplicationEvent: String, CaseIterable, Sendable {
    case submit
    case reopen
    case withdraw
    /// COM-15: the officer asks for missing items; the applicant sends them.
    case requestItems = "request_items"
    case itemsProvided = "items_provided"
    /// COM-14, COM-15: declared complete; eligibility review starts.
    case declareComplete = "declare_complete"
    /// COM-01, COM-03, AMIF-04: every check passed; evaluation starts.
    case declareEligible = "declare_eligible"
    /// COM-10: the consolidated assessment closes the evaluation.
    case closeEvaluation = "close_evaluation"
    /// COM-17.
    case approve
    case reject
    case cancelApproval = "cancel_approval"
    // After the award (follow-up).
    case signAgreement = "sign_agreement"
    case startProject = "start_project"
    case callForReport = "call_for_report"
    case submitReport = "submit_report"
    case verifyReport = "verify_report"
    case close
    case openRecovery = "open_recovery"
    case settleRecovery = "settle_recovery"
}

/// Who fires an event.
public enum LifecycleActor: Sendable, Equatable {
    /// A member of the applicant organisation, with the role and signatory flag of the membership.
    case member(MembershipRole, signatory: Bool)
    case staff(UserRole)
}

/// Which actors may fire a transition.
public enum LifecyclePermission: Sendable, Equatable {
    /// A member who may edit the application (owner or editor).
    case editor
    /// A member who may commit the organisation (COM-11): the declaration, submitting.
    case signatory
    /// Officers and administrators.
    case instructingStaff
    /// Finance staff and administrators (payments, verification, recovery).
    case finance

    public func admits(_ actor: LifecycleActor) -> Bool {
        switch (self, actor) {
        case (.editor, .member(let role, _)): role.canEditApplications
        case (.signatory, .member(let role, let signatory)): signatory && role.canEditApplications
        case (.instructingStaff, .staff(let role)): role == .officer || role == .admin
        case (.finance, .staff(let role)): role == .finance || role == .admin
        default: false
        }
    }
}

public struct ApplicationTransition: Sendable {
    public let event: ApplicationEvent
    public let from: Set<ApplicationStatus>
    public let to: ApplicationStatus
    public let firedBy: LifecyclePermission
}

public enum ApplicationLifecycle {
    public enum Refusal: Error, Sendable, Equatable {
        /// The application is not (or no longer) in a status the event starts from.
        case wrongStatus(ApplicationStatus)
        /// The actor may not fire this event.
        case notAllowed
    }

    /// The table. Read it top to bottom as the life of an application (DESIGN.md).
    public static let transitions: [ApplicationTransition] = [
        .init(event: .submit, from: [.draft], to: .submitted, firedBy: .signatory),
        // Reopening clears the declaration, which a signatory then gives again before submitting.
        .init(event: .reopen, from: [.submitted], to: .draft, firedBy: .editor),
        .init(event: .withdraw, from: [.draft, .submitted, .incomplete, .inReview, .inEvaluation, .evaluated], to: .withdrawn,
              firedBy: .editor),
        .init(event: .requestItems, from: [.submitted, .inReview], to: .incomplete, firedBy: .instructingStaff),
        .init(event: .itemsProvided, from: [.incomplete], to: .submitted, firedBy: .editor),
        .init(event: .declareComplete, from: [.submitted], to: .inReview, firedBy: .instructingStaff),
        .init(event: .declareEligible, from: [.inReview], to: .inEvaluation, firedBy: .instructingStaff),
        .init(event: .closeEvaluation, from: [.inEvaluation], to: .evaluated, firedBy: .instructingStaff),
        .init(event: .approve, from: [.evaluated], to: .approved, firedBy: .instructingStaff),
        .init(event: .reject, from: [.submitted, .inReview, .inEvaluation, .evaluated], to: .rejected, firedBy: .instructingStaff),
        .init(event: .cancelApproval, from: [.approved], to: .evaluated, firedBy: .instructingStaff),
        .init(event: .signAgreement, from: [.approved], to: .agreementSigned, firedBy: .signatory),
        .init(event: .startProject, from: [.agreementSigned], to: .running, firedBy: .instructingStaff),
        .init(event: .callForReport, from: [.running], to: .reportDue, firedBy: .instructingStaff),
        .init(event: .submitReport, from: [.reportDue], to: .reportSubmitted, firedBy: .signatory),
        .init(event: .verifyReport, from: [.reportSubmitted], to: .verified, firedBy: .finance),
        .init(event: .close, from: [.verified], to: .closed, firedBy: .finance),
        .init(event: .openRecovery, from: [.verified], to: .recovery, firedBy: .finance),
        .init(event: .settleRecovery, from: [.recovery], to: .closed, firedBy: .finance),
    ]

    private static let byEvent: [ApplicationEvent: ApplicationTransition] =
        Dictionary(uniqueKeysWithValues: transitions.map { ($0.event, $0) })

    public static func transition(_ event: ApplicationEvent) -> ApplicationTransition {
        // Every event has exactly one row (a test walks them all).
        byEvent[event] ?? ApplicationTransition(event: event, from: [], to: .draft, firedBy: .instructingStaff)
    }

    /// Whether `event` may start from `status`, whoever fires it.
    public static func allows(_ event: ApplicationEvent, from status: ApplicationStatus) -> Bool {
        transition(event).from.contains(status)
    }

    /// The status `event` leads to from `status` when `actor` fires it, or why not. The actor is checked first:
    /// someone who may not act learns nothing of the status.
    public static func check(_ event: ApplicationEvent, from status: ApplicationStatus, by actor: LifecycleActor)
        throws(Refusal) -> ApplicationStatus
    {
        let t = transition(event)
        guard t.firedBy.admits(actor) else { throw .notAllowed }
        guard t.from.contains(status) else { throw .wrongStatus(status) }
        return t.to
    }

    /// The statuses in which the content of an application (answers, applicant, budget, financing, earlier
    /// subsidies, declaration) may change: a draft only. The database holds the same rule (migration M013).
    public static let contentEditable: Set<ApplicationStatus> = [.draft]
    /// Documents may also be added while the officer waits for missing items (COM-15).
    public static let documentsEditable: Set<ApplicationStatus> = [.draft, .incomplete]

    public static func isEditable(_ status: ApplicationStatus) -> Bool { contentEditable.contains(status) }
}

extension MembershipRole {
    /// Owners and editors change applications; viewers read them.
    public var canEditApplications: Bool { self != .viewer }
    /// Owners and editors start applications for the organisation.
    public var canStartApplications: Bool { self != .viewer }
}
