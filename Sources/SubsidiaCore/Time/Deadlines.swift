import Foundation

/// How long is left before a deadline, in the units a person reads ("12 days", "5 hours", "closed").
public enum TimeRemaining: Equatable, Sendable {
    case notYetOpen(opensIn: Int) // whole days
    case days(Int)
    case hours(Int)
    case minutes(Int)
    case closed

    public static func until(_ deadline: Date, opening: Date? = nil, now: Date) -> TimeRemaining {
        if let opening, now < opening {
            return .notYetOpen(opensIn: Int((opening.timeIntervalSince(now) / 86_400).rounded(.up)))
        }
        let left = deadline.timeIntervalSince(now)
        if left < 0 { return .closed }
        if left >= 2 * 86_400 { return .days(Int(left / 86_400)) }
        if left >= 3_600 { return .hours(Int(left / 3_600)) }
        return .minutes(max(1, Int((left / 60).rounded(.up))))
    }
}

/// Whether a call accepts applications at an instant. The closing instant is the last second that
/// counts (AMIF-01: 20 September 2024 23:59:59 is in time, 21 September 00:00:00 is late).
public enum CallWindow {
    public static func isOpen(opensAt: Date, closesAt: Date?, at instant: Date) -> Bool {
        guard instant >= opensAt else { return false }
        if let closesAt { return instant <= closesAt }
        return true
    }

    /// COM-13: the application reaches the Ministry at least `leadDays` days before the project starts,
    /// counted in Luxembourg calendar days from the day of submission.
    public static func respectsLeadTime(submittedAt: Date, projectStart: CalendarDate, leadDays: Int) -> Bool {
        LuxembourgTime.calendarDate(of: submittedAt).days(until: projectStart) >= leadDays
    }
}
