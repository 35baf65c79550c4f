import Foundation

/// Every deadline and date of the platform is read in Luxembourg's time zone, whatever the server's is.
public enum LuxembourgTime {
    public static let zone: TimeZone = TimeZone(identifier: "Europe/Luxembourg") ?? TimeZone(secondsFromGMT: 3600)!

    public static let calendar: Calendar = {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = zone
        return c
    }()

    /// The instant of a wall-clock time in Luxembourg. A time that does not exist (the hour skipped in
    /// March) moves forward; one that exists twice (October) takes the first, summer-time, occurrence.
    public static func instant(_ date: CalendarDate, hour: Int = 0, minute: Int = 0, second: Int = 0) -> Date {
        var parts = DateComponents()
        parts.year = date.year
        parts.month = date.month
        parts.day = date.day
        parts.hour = hour
        parts.minute = minute
        parts.second = second
        return calendar.date(from: parts) ?? calendar.startOfDay(for: Date(timeIntervalSince1970: 0))
    }

    /// The last second of a day in Luxembourg (23:59:59): a deadline "on 20 September" ends here.
    public static func endOfDay(_ date: CalendarDate) -> Date {
        instant(date.adding(days: 1)) - 1
    }

    public static func calendarDate(of instant: Date) -> CalendarDate {
        let c = calendar.dateComponents([.year, .month, .day], from: instant)
        return CalendarDate(year: c.year ?? 1970, month: c.month ?? 1, day: c.day ?? 1)
    }

    public static func timeOfDay(of instant: Date) -> (hour: Int, minute: Int) {
        let c = calendar.dateComponents([.hour, .minute], from: instant)
        return (c.hour ?? 0, c.minute ?? 0)
    }

    /// Parses the value of an `<input type="datetime-local">` ("2024-09-20T23:59" or with seconds)
    /// as Luxembourg wall-clock time.
    public static func parseLocal(_ text: String) -> Date? {
        let s = text.trimmingCharacters(in: .whitespaces)
        let halves = s.split(separator: "T", maxSplits: 1).map(String.init)
        let pieces = halves.count == 2 ? halves : s.split(separator: " ", maxSplits: 1).map(String.init)
        guard pieces.count == 2, let day = CalendarDate(iso: pieces[0]) else { return nil }
        let hms = pieces[1].split(separator: ":").map { Int($0) }
        guard (2...3).contains(hms.count), hms.allSatisfy({ $0 != nil }) else { return nil }
        let h = hms[0]!, m = hms[1]!, sec = hms.count == 3 ? hms[2]! : 0
        guard (0...23).contains(h), (0...59).contains(m), (0...59).contains(sec) else { return nil }
        return instant(day, hour: h, minute: m, second: sec)
    }

    /// The `datetime-local` value of an instant, in Luxembourg time.
    public static func localInputValue(_ instant: Date) -> String {
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: instant)
        return String(format: "%04d-%02d-%02dT%02d:%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0)
    }
}

/// A calendar date without a time (a project's start, a cost-eligibility bound).
public struct CalendarDate: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses "2024-09-20"; refuses dates that do not exist ("2023-02-29").
    public init?(iso text: String) {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              (1...12).contains(m), (1...CalendarDate.daysIn(month: m, year: y)).contains(d), y >= 1900, y <= 2200
        else { return nil }
        year = y
        month = m
        day = d
    }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    public static func < (a: CalendarDate, b: CalendarDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }

    public var iso: String { String(format: "%04d-%02d-%02d", year, month, day) }
    public var description: String { iso }

    public func adding(days: Int) -> CalendarDate {
        let start = LuxembourgTime.instant(self, hour: 12)
        let moved = LuxembourgTime.calendar.date(byAdding: .day, value: days, to: start) ?? start
        return LuxembourgTime.calendarDate(of: moved)
    }

    /// Whole days from self to other (positive when other is later).
    public func days(until other: CalendarDate) -> Int {
        let a = LuxembourgTime.instant(self, hour: 12)
        let b = LuxembourgTime.instant(other, hour: 12)
        return LuxembourgTime.calendar.dateComponents([.day], from: a, to: b).day ?? 0
    }
}

/// An inclusive range of calendar dates (a project period, a cost-eligibility period).
public struct DatePeriod: Hashable, Sendable, Codable {
    public let start: CalendarDate
    public let end: CalendarDate

    public init?(start: CalendarDate, end: CalendarDate) {
        guard start <= end else { return nil }
        self.start = start
        self.end = end
    }

    public func contains(_ date: CalendarDate) -> Bool { start <= date && date <= end }
    public func contains(_ other: DatePeriod) -> Bool { start <= other.start && other.end <= end }
}
