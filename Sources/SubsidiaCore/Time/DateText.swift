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

    public static func time(_ instant: Date) -> String {
        let t = LuxembourgTime.timeOfDay(of: instant)
        return String(format: "%02d:%02d", t.hour, t.minute)
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
    public static func iso8601(_ instant: Date) -> String {
        let c = LuxembourgTime.calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: instant)
        let offset = LuxembourgTime.zone.secondsFromGMT(for: instant)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d%@%02d:%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0,
                      c.minute ?? 0, c.second ?? 0, offset < 0 ? "-" : "+", abs(offset) / 3_600, abs(offset) % 3_600 / 60)
    }
}
