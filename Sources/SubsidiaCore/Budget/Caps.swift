import Foundation

/// One ceiling on the amount an applicant may ask for, with the rule that sets it.
public struct CapLimit: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// COM-07: the legal maximum per subsidy.
        case maximumAmount
        /// COM-07 / AMIF-09: a share of the eligible cost.
        case rateOfEligibleCost(Rate)
        /// COM-08: an intercultural festival (the cap's code).
        case category(String)
        /// AMIF-02: what is still free in the action's envelope (the action's code).
        case envelopeRemaining(String)
        /// AMIF-02: what is still free in the call's global budget.
        case globalRemaining
    }

    public let ruleID: String
    public let kind: Kind
    public let amount: Money
}

/// "You can ask at most X €": every ceiling that applies, and the one that binds.
public struct FundingCap: Sendable, Equatable {
    public let limits: [CapLimit]

    /// The lowest ceiling; the first listed wins a tie, so the legal rule is named before the envelope.
    public var binding: CapLimit? {
        limits.reduce(nil) { best, l in best.map { $0.amount <= l.amount ? $0 : l } ?? l }
    }

    public var maximum: Money? { binding?.amount }

    public func allows(_ requested: Money) -> Bool { maximum.map { requested <= $0 } ?? true }

    /// Ceilings for one application.
    /// - Parameters:
    ///   - ruleSet: which rule IDs the ceilings carry.
    ///   - eligibleTotal: the eligible cost (COM-25 exclusions already removed).
    ///   - maxAmount, maxRate: the call's (COM-07).
    ///   - category: the festival cap chosen, if any (COM-08).
    ///   - action: the action's code, rate (AMIF-09) and the amount still free in its envelope (AMIF-02).
    ///   - globalRemaining: what is still free in the call's global budget (AMIF-02; COM-07's budget year).
    public static func compute(
        ruleSet: RuleSet, eligibleTotal: Money, maxAmount: Money?, maxRate: Rate?,
        category: (code: String, cap: Money)? = nil,
        action: (code: String, rate: Rate, remaining: Money)? = nil, globalRemaining: Money? = nil
    ) -> FundingCap {
        var limits: [CapLimit] = []
        switch ruleSet {
        case .communes:
            if let maxAmount { limits.append(CapLimit(ruleID: "COM-07", kind: .maximumAmount, amount: maxAmount)) }
            if let maxRate {
                limits.append(CapLimit(ruleID: "COM-07", kind: .rateOfEligibleCost(maxRate), amount: eligibleTotal.applying(maxRate)))
            }
            if let category { limits.append(CapLimit(ruleID: "COM-08", kind: .category(category.code), amount: category.cap)) }
            // COM-07: "within the funds still available in the budget year".
            if let globalRemaining {
                limits.append(CapLimit(ruleID: "COM-07", kind: .globalRemaining, amount: max(.zero, globalRemaining)))
            }
        case .amif:
            if let maxAmount { limits.append(CapLimit(ruleID: "AMIF-09", kind: .maximumAmount, amount: maxAmount)) }
            // AMIF-09: the action's own rate (75 %, or up to 90 % for Annex IV actions); the call's otherwise.
            if let rate = action?.rate ?? maxRate {
                limits.append(CapLimit(ruleID: "AMIF-09", kind: .rateOfEligibleCost(rate), amount: eligibleTotal.applying(rate)))
            }
            if let action {
                limits.append(CapLimit(ruleID: "AMIF-02", kind: .envelopeRemaining(action.code), amount: max(.zero, action.remaining)))
            }
            if let globalRemaining {
                limits.append(CapLimit(ruleID: "AMIF-02", kind: .globalRemaining, amount: max(.zero, globalRemaining)))
            }
        }
        return FundingCap(limits: limits)
    }
}
