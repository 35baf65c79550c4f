import Foundation

/// A rule of a call told in plain language: the RULES.md ID, the catalogue key of its sentence and the
/// values that fill it. The values are typed so each language formats money and dates its own way.
public struct RuleStatement: Sendable, Equatable {
    public enum Value: Sendable, Equatable {
        case money(Money)
        case rate(Rate)
        case date(CalendarDate)
        case instant(Date)
        case count(Int)
        case text(String)
    }

    public let ruleID: String
    public let key: String
    public let values: [Value]

    public init(_ ruleID: String, _ key: String, _ values: [Value] = []) {
        self.ruleID = ruleID
        self.key = key
        self.values = values
    }
}

/// The facts of a call from which its plain-language rules are derived: nothing is written twice.
public struct CallFacts: Sendable {
    public var ruleSet: RuleSet
    public var kind: CallKind
    public var opensAt: Date
    public var closesAt: Date?
    public var costPeriod: DatePeriod?
    public var leadTimeDays: Int
    public var maxAmount: Money?
    public var maxRate: Rate?
    public var globalBudget: Money?
    public var categoryCaps: [(label: String, cap: Money)]
    public var themeCount: Int
    public var hasInformationSessions: Bool

    public init(
        ruleSet: RuleSet, kind: CallKind, opensAt: Date, closesAt: Date?, costPeriod: DatePeriod?, leadTimeDays: Int,
        maxAmount: Money?, maxRate: Rate?, globalBudget: Money?, categoryCaps: [(label: String, cap: Money)],
        themeCount: Int, hasInformationSessions: Bool
    ) {
        self.ruleSet = ruleSet
        self.kind = kind
        self.opensAt = opensAt
        self.closesAt = closesAt
        self.costPeriod = costPeriod
        self.leadTimeDays = leadTimeDays
        self.maxAmount = maxAmount
        self.maxRate = maxRate
        self.globalBudget = globalBudget
        self.categoryCaps = categoryCaps
        self.themeCount = themeCount
        self.hasInformationSessions = hasInformationSessions
    }
}

public enum CallRuleSummary {
    public static func statements(for f: CallFacts) -> [RuleStatement] {
        var out: [RuleStatement] = []
        switch f.ruleSet {
        case .communes:
            out.append(.init("COM-01", "rule.com01"))
            out.append(.init("COM-02", "rule.com02"))
            if let p = f.costPeriod {
                out.append(.init("COM-12", "rule.com12", [.date(p.start), .date(p.end)]))
            }
            if f.leadTimeDays > 0 { out.append(.init("COM-13", "rule.com13", [.count(f.leadTimeDays)])) }
            if let m = f.maxAmount, let r = f.maxRate {
                out.append(.init("COM-07", "rule.com07", [.money(m), .rate(r)]))
            }
            for cap in f.categoryCaps { out.append(.init("COM-08", "rule.com08", [.text(cap.label), .money(cap.cap)])) }
            if f.themeCount > 0 { out.append(.init("COM-05", "rule.com05")) }
            out.append(.init("COM-06", "rule.com06"))
            out.append(.init("COM-14", "rule.com14"))
            out.append(.init("COM-15", "rule.com15"))
            out.append(.init("COM-16", "rule.com16"))
            out.append(.init("COM-18", "rule.com18"))
        case .amif:
            out.append(.init("AMIF-04", "rule.amif04"))
            if let c = f.closesAt { out.append(.init("AMIF-01", "rule.amif01", [.instant(f.opensAt), .instant(c)])) }
            if let g = f.globalBudget { out.append(.init("AMIF-02", "rule.amif02", [.money(g)])) }
            if let p = f.costPeriod { out.append(.init("AMIF-03", "rule.amif03", [.date(p.start), .date(p.end)])) }
            if let r = f.maxRate { out.append(.init("AMIF-09", "rule.amif09", [.rate(r)])) }
            out.append(.init("AMIF-06", "rule.amif06"))
            out.append(.init("AMIF-07", "rule.amif07"))
            if f.hasInformationSessions { out.append(.init("AMIF-05", "rule.amif05")) }
        }
        return out
    }
}

/// Information-session registration (AMIF-05): one place per person and call, within capacity.
public enum SessionRegistrationRules {
    public enum Refusal: String, Error, Sendable, Equatable { case full, alreadyRegistered, sessionPast }

    public static func check(capacity: Int, registered: Int, emailAlreadyRegistered: Bool, startsAt: Date, now: Date) throws(Refusal) {
        if startsAt <= now { throw .sessionPast }
        if emailAlreadyRegistered { throw .alreadyRegistered }
        if registered >= capacity { throw .full }
    }
}
