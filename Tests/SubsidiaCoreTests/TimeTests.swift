import Foundation
import Testing
@testable import SubsidiaCore

@Suite("Deadlines in Europe/Luxembourg")
struct TimeTests {
    let deadline = LuxembourgTime.endOfDay(CalendarDate(year: 2024, month: 9, day: 20))
    let opening = LuxembourgTime.instant(CalendarDate(year: 2024, month: 5, day: 9))

    @Test("AMIF-01: 23:59:59 on 20 September 2024 is in time, one second later is late")
    func amifDeadline() {
        #expect(DateText.iso8601(deadline) == "2024-09-20T23:59:59+02:00")
        #expect(CallWindow.isOpen(opensAt: opening, closesAt: deadline, at: deadline))
        #expect(!CallWindow.isOpen(opensAt: opening, closesAt: deadline, at: deadline + 1))
        #expect(!CallWindow.isOpen(opensAt: opening, closesAt: deadline, at: opening - 1))
    }

    @Test("Winter time: a deadline on 31 December ends at 23:59:59+01:00")
    func winter() {
        let end = LuxembourgTime.endOfDay(CalendarDate(year: 2023, month: 12, day: 31))
        #expect(DateText.iso8601(end) == "2023-12-31T23:59:59+01:00")
    }

    @Test("Summer-time change: the day of 31 March 2024 has 23 hours, 27 October 2024 has 25")
    func dstDays() {
        let march = LuxembourgTime.endOfDay(CalendarDate(year: 2024, month: 3, day: 31)).timeIntervalSince(
            LuxembourgTime.instant(CalendarDate(year: 2024, month: 3, day: 31))) + 1
        let october = LuxembourgTime.endOfDay(CalendarDate(year: 2024, month: 10, day: 27)).timeIntervalSince(
            LuxembourgTime.instant(CalendarDate(year: 2024, month: 10, day: 27))) + 1
        #expect(march == 23 * 3600)
        #expect(october == 25 * 3600)
        // A deadline at 23:59:59 on the day after each change still carries the right offset.
        #expect(DateText.iso8601(LuxembourgTime.endOfDay(CalendarDate(year: 2024, month: 3, day: 31))) == "2024-03-31T23:59:59+02:00")
        #expect(DateText.iso8601(LuxembourgTime.endOfDay(CalendarDate(year: 2024, month: 10, day: 27))) == "2024-10-27T23:59:59+01:00")
    }

    @Test("The time of day is Luxembourg's, as Calendar gives it, across both changes of 2024")
    func timeOfDay() {
        // Every 7 minutes and 13 seconds of 2024, and the seconds around each change.
        var instants = stride(from: 1_704_067_200.0, to: 1_735_689_600.0, by: 433).map { Date(timeIntervalSince1970: $0) }
        for change in [1_711_846_800.0, 1_729_990_800.0] { instants += (-2...2).map { Date(timeIntervalSince1970: change + Double($0)) } }
        for instant in instants {
            let t = LuxembourgTime.timeOfDay(of: instant)
            #expect(DateText.time(instant) == String(format: "%02d:%02d", t.hour, t.minute), "\(instant)")
        }
        #expect(DateText.time(Date(timeIntervalSince1970: 1_711_846_799)) == "01:59")  // 31 March 2024, 00:59:59 UTC
        #expect(DateText.time(Date(timeIntervalSince1970: 1_711_846_800)) == "03:00")
        #expect(DateText.time(Date(timeIntervalSince1970: 1_729_990_799)) == "02:59")  // 27 October 2024, 00:59:59 UTC
        #expect(DateText.time(Date(timeIntervalSince1970: 1_729_990_800)) == "02:00")
    }

    @Test("datetime-local values are read as Luxembourg wall-clock time")
    func parseLocal() throws {
        let d = try #require(LuxembourgTime.parseLocal("2024-09-20T23:59"))
        #expect(DateText.iso8601(d) == "2024-09-20T23:59:00+02:00")
        #expect(LuxembourgTime.localInputValue(d) == "2024-09-20T23:59")
        #expect(LuxembourgTime.parseLocal("2024-02-30T10:00") == nil)
        #expect(LuxembourgTime.parseLocal("2024-09-20T25:00") == nil)
    }

    @Test("Calendar dates refuse days that do not exist")
    func dates() {
        #expect(CalendarDate(iso: "2024-02-29") != nil)
        #expect(CalendarDate(iso: "2023-02-29") == nil)
        #expect(CalendarDate(iso: "2023-13-01") == nil)
        #expect(CalendarDate(year: 2024, month: 3, day: 30).adding(days: 2).iso == "2024-04-01")
        #expect(CalendarDate(year: 2024, month: 10, day: 26).days(until: CalendarDate(year: 2024, month: 10, day: 28)) == 2)
    }

    @Test("COM-13: 21 days before the start is in time, 20 days is too late")
    func leadTime() {
        let start = CalendarDate(year: 2023, month: 6, day: 22)
        let onTime = LuxembourgTime.instant(CalendarDate(year: 2023, month: 6, day: 1), hour: 23, minute: 59)
        let late = LuxembourgTime.instant(CalendarDate(year: 2023, month: 6, day: 2), hour: 0, minute: 0, second: 1)
        #expect(CallWindow.respectsLeadTime(submittedAt: onTime, projectStart: start, leadDays: 21))
        #expect(!CallWindow.respectsLeadTime(submittedAt: late, projectStart: start, leadDays: 21))
    }

    @Test("COM-12: a rolling call without a closing date stays open")
    func rolling() {
        #expect(CallWindow.isOpen(opensAt: opening, closesAt: nil, at: deadline + 86_400 * 400))
    }

    @Test("Time remaining reads in days, hours, minutes")
    func remaining() {
        #expect(TimeRemaining.until(deadline, opening: opening, now: deadline - 3 * 86_400) == .days(3))
        #expect(TimeRemaining.until(deadline, opening: opening, now: deadline - 5 * 3_600) == .hours(5))
        #expect(TimeRemaining.until(deadline, opening: opening, now: deadline - 59) == .minutes(1))
        #expect(TimeRemaining.until(deadline, opening: opening, now: deadline + 1) == .closed)
        #expect(TimeRemaining.until(deadline, opening: opening, now: opening - 86_400) == .notYetOpen(opensIn: 1))
    }

    @Test("Dates are written per language")
    func dateText() {
        let d = CalendarDate(year: 2024, month: 6, day: 1)
        #expect(DateText.date(d, .fr) == "1er juin 2024")
        #expect(DateText.date(d, .de) == "1. Juni 2024")
        #expect(DateText.date(d, .en) == "1 June 2024")
    }

    @Test("ISO 8601 from the day count agrees with the calendar over centuries, both offsets and the epoch's edges")
    func isoFromDays() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = LuxembourgTime.zone
        for seconds in stride(from: Int64(-2_208_988_800), through: 4_102_444_800, by: 7_919_999) {
            let d = Date(timeIntervalSince1970: TimeInterval(seconds))
            let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: d)
            let expected = String(format: "%04d-%02d-%02dT%02d:%02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
            #expect(DateText.iso8601(d).hasPrefix(expected), "\(seconds)")
        }
        #expect(DateText.iso8601(Date(timeIntervalSince1970: -1)).hasPrefix("1970-01-01T00:59:59"))
    }
}
