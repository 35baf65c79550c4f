import Foundation

/// Dates written the way each language writes them, in Luxembourg time, without platform locale data:
/// fr "20 septembre 2024 à 23:59", en "20 September 2024, 23:59", de "20. September 2024, 23:59".
public enum DateText {
    static let months: [Language: [String]] = [
        .fr: ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
              "novembre", "décembre"],
        .en: ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December"],
        .de: ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
              "November", "Dezember"],
    ]

    public static func date(_ d: CalendarDate, _ language: Language) -> String {
        let month = months[language]?[d.month - 1] ?? String(d.month)
        switch language {
        case .fr: return (d.day == 1 ? "1er" : String(d.day)) + " " + month + " " + String(d.year)
        case .en: return String(d.day) + " " + month + " " + String(d.year)
        case .de: return String(d.day) + ". " + month + " " + String(d.year)
        }
    }

    /// "23:59", Luxembourg time; from the zone's offset as `iso8601` (the autosave's answer says when it saved:
    /// Calendar's components and String(format:) were 1.7 % of its time).
    public static func time(_ instant: Date) -> String {
        let (_, second) = local(instant)
        return two(second / 3_600) + ":" + two(second % 3_600 / 60)
    }

    public static func dateTime(_ instant: Date, _ language: Language) -> String {
        let day = date(LuxembourgTime.calendarDate(of: instant), language)
        switch language {
        case .fr: return day + " à " + time(instant)
        case .en, .de: return day + ", " + time(instant)
        }
    }

    /// Short numeric form for tables: 20/09/2024 (fr, en) or 20.09.2024 (de).
    public static func short(_ d: CalendarDate, _ language: Language) -> String {
        let sep = language == .de ? "." : "/"
        return String(format: "%02d", d.day) + sep + String(format: "%02d", d.month) + sep + String(d.year)
    }

    /// An instant as ISO 8601 with Luxembourg's offset: "2024-09-20T23:59:59+02:00".
    /// Computed from the zone's offset and the day count (exports write it once per row: Calendar's
    /// components and String(format:) cost tens of microseconds each on Linux).
    public static func iso8601(_ instant: Date) -> String {
        let offset = LuxembourgTime.zone.secondsFromGMT(for: instant)
        let (days, second) = local(instant, offset: offset)
        let (y, m, d) = civil(days: days)
        let o = Int64(abs(offset))
        return String(y) + "-" + two(m) + "-" + two(d) + "T" + two(second / 3_600) + ":" + two(second % 3_600 / 60) + ":" + two(second % 60)
            + (offset < 0 ? "-" : "+") + two(o / 3_600) + ":" + two(o % 3_600 / 60)
    }

    /// Days since 1970-01-01 and the second of that day, in Luxembourg time.
    static func local(_ instant: Date, offset: Int? = nil) -> (days: Int64, second: Int64) {
        let offset = offset ?? LuxembourgTime.zone.secondsFromGMT(for: instant)
        let seconds = Int64((instant.timeIntervalSince1970).rounded(.down)) + Int64(offset)
        let (q, r) = seconds.quotientAndRemainder(dividingBy: 86_400)
        return r < 0 ? (q - 1, r + 86_400) : (q, r)
    }

    static func two(_ n: Int64) -> String { n < 10 ? "0" + String(n) : String(n) }

    /// Year, month and day of a count of days since 1970-01-01 (the proleptic Gregorian calendar, by eras of
    /// 400 years).
    static func civil(days z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
