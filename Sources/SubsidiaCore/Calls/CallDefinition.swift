import Foundation

/// Whether a call has one deadline (AMIF) or takes applications all year (the communes subsidy, COM-12).
public enum CallKind: String, CaseIterable, Sendable, Codable {
    case fixedDeadline = "fixed"
    case rolling
}

public enum CallStatus: String, CaseIterable, Sendable, Codable {
    case draft, published, closed
}

/// The family of rules a call runs under; each family is a set of RULES.md IDs.
public enum RuleSet: String, CaseIterable, Sendable, Codable {
    case communes   // COM-*
    case amif       // AMIF-*
}

/// What an officer enters for a call, checked before it is saved. Amounts and rates are data of the
/// call (RULES.md: "configuration of a call, never constants in code").
public struct CallDefinition: Sendable {
    public var reference: String
    public var titles: [Language: String]
    public var kind: CallKind
    public var opensAt: Date
    public var closesAt: Date?
    public var costPeriodStart: CalendarDate?
    public var costPeriodEnd: CalendarDate?
    public var leadTimeDays: Int
    public var maxAmount: Money?
    public var maxRate: Rate?
    public var globalBudget: Money?
    public var eligibleLegalForms: Set<LegalForm>

    public init(
        reference: String, titles: [Language: String], kind: CallKind, opensAt: Date, closesAt: Date?,
        costPeriodStart: CalendarDate?, costPeriodEnd: CalendarDate?, leadTimeDays: Int, maxAmount: Money?,
        maxRate: Rate?, globalBudget: Money?, eligibleLegalForms: Set<LegalForm>
    ) {
        self.reference = reference
        self.titles = titles
        self.kind = kind
        self.opensAt = opensAt
        self.closesAt = closesAt
        self.costPeriodStart = costPeriodStart
        self.costPeriodEnd = costPeriodEnd
        self.leadTimeDays = leadTimeDays
        self.maxAmount = maxAmount
        self.maxRate = maxRate
        self.globalBudget = globalBudget
        self.eligibleLegalForms = eligibleLegalForms
    }

    /// A problem with one field, named by the field so a form can show it beside it.
    public struct Problem: Equatable, Sendable {
        public let field: String
        public let key: String
        public init(field: String, key: String) {
            self.field = field
            self.key = key
        }
    }

    public func problems() -> [Problem] {
        var out: [Problem] = []
        let ref = reference.trimmingCharacters(in: .whitespaces)
        if ref.isEmpty { out.append(.init(field: "reference", key: "error.required")) }
        else if ref.count > 40 || !ref.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_./".contains($0)) }) {
            out.append(.init(field: "reference", key: "error.call.reference_format"))
        }
        for lang in Language.allCases {
            let t = (titles[lang] ?? "").trimmingCharacters(in: .whitespaces)
            if t.isEmpty { out.append(.init(field: "title_\(lang.rawValue)", key: "error.required")) }
            else if t.count > 200 { out.append(.init(field: "title_\(lang.rawValue)", key: "error.too_long")) }
        }
        switch kind {
        case .fixedDeadline:
            if let closesAt {
                if closesAt <= opensAt { out.append(.init(field: "closes_at", key: "error.call.closes_before_opens")) }
            } else {
                out.append(.init(field: "closes_at", key: "error.call.deadline_required"))
            }
        case .rolling:
            if let closesAt, closesAt <= opensAt {
                out.append(.init(field: "closes_at", key: "error.call.closes_before_opens"))
            }
        }
        if let s = costPeriodStart, let e = costPeriodEnd, e < s {
            out.append(.init(field: "cost_period_end", key: "error.call.period_end_before_start"))
        }
        if !(0...365).contains(leadTimeDays) { out.append(.init(field: "lead_time_days", key: "error.call.lead_time_range")) }
        if let maxRate, !maxRate.isValidShare { out.append(.init(field: "max_rate", key: "error.rate_range")) }
        if let m = maxAmount, m.cents <= 0 || m > Money.inputMaximum { out.append(.init(field: "max_amount", key: "error.amount_range")) }
        if let g = globalBudget, g.cents <= 0 || g > Money.inputMaximum { out.append(.init(field: "global_budget", key: "error.amount_range")) }
        if eligibleLegalForms.isEmpty { out.append(.init(field: "legal_forms", key: "error.call.legal_forms_required")) }
        return out
    }
}

/// Checks that keep a call's actions inside its budget (AMIF-02, AMIF-09).
public enum EnvelopeRules {
    public enum Problem: String, Error, Sendable, Equatable {
        case envelopeNotPositive, rateOutOfRange, envelopesExceedGlobalBudget
    }

    /// An action's envelope is positive, its co-financing rate between 0 and 100 %, and the envelopes of
    /// all the call's actions (the new one included) sum to at most the call's global budget.
    public static func check(envelope: Money, rate: Rate, otherEnvelopes: [Money], globalBudget: Money?) throws(Problem) {
        guard envelope.cents > 0, envelope <= Money.inputMaximum else { throw .envelopeNotPositive }
        guard rate.isValidShare else { throw .rateOutOfRange }
        if let globalBudget {
            let total = otherEnvelopes.reduce(envelope, +)
            if total > globalBudget { throw .envelopesExceedGlobalBudget }
        }
    }
}
