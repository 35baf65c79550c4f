import Foundation

/// The expense categories 1–8 of Annex 1 (COM-23), each with the rule of Annex 2 that governs it.
public enum ExpenseCategory: Int, CaseIterable, Sendable, Codable {
    case personnel = 1
    case travel
    case equipment
    case propertyRental
    case consumables
    case experts
    case administrative
    case other

    public var labelKey: String { "budget.cat\(rawValue)" }
    /// Annex 2's explanation, shown as the hint of the category.
    public var guidanceKey: String { "budget.cat\(rawValue).guidance" }

    public var ruleID: String {
        switch self {
        case .personnel: "COM-25"
        case .travel: "COM-26"
        case .equipment: "COM-27"
        case .propertyRental: "COM-28"
        case .consumables: "COM-29"
        case .experts: "COM-30"
        case .administrative: "COM-31"
        case .other: "COM-23"
        }
    }

    /// Annex 2 asks for a justification for these: the cheaper of renting or buying (COM-27), the share used
    /// by the project (COM-28), exclusive use (COM-29), the missing in-house resources (COM-30), the nature
    /// of administrative costs (COM-31), and a specification for "other" (COM-23).
    public var needsJustification: Bool { self.rawValue >= 3 }
    /// The label of the justification field.
    public var justificationKey: String { "budget.cat\(rawValue).justification" }
}

/// One expense line of the provisional budget (COM-16: what the subsidy would pay for).
public struct ExpenseLine: Sendable, Equatable {
    public var category: ExpenseCategory
    /// What is bought or paid for.
    public var detail: String
    /// Why, or the specification that the category asks for.
    public var justification: String
    /// Units (or kilometres for a private car, COM-26).
    public var quantity: Int
    public var unitCost: Money
    /// Personnel (COM-25): the number of people in this function, and their allocation to the project.
    public var function: String
    public var headcount: Int
    /// Share of the cost charged to the project: personnel allocation (COM-25) or the project's share of a
    /// rented property (COM-28). 100 % elsewhere.
    public var share: Rate
    /// Personnel who run the organisation rather than the project: shown, never eligible (COM-25).
    public var runningCost: Bool
    /// Travel by private car inside the country, valued per kilometre at the call's rate (COM-26).
    public var privateCar: Bool

    public init(
        category: ExpenseCategory, detail: String, justification: String = "", quantity: Int = 1, unitCost: Money,
        function: String = "", headcount: Int = 1, share: Rate = Rate(percent: 100), runningCost: Bool = false,
        privateCar: Bool = false
    ) {
        self.category = category
        self.detail = detail
        self.justification = justification
        self.quantity = quantity
        self.unitCost = unitCost
        self.function = function
        self.headcount = headcount
        self.share = share
        self.runningCost = runningCost
        self.privateCar = privateCar
    }

    /// COM-26: what a kilometre by private car is worth in the communes subsidy (0.30 €), and the rate of a call
    /// that sets none.
    public static let communesKilometreRate = Money(cents: 30)

    /// The line's amount in cents, computed here and only here. Shares round down to the cent. Nil when the line
    /// comes to more than `Money.inputMaximum` (100 million euro) or the product does not fit in 64 bits: every
    /// factor may be within its own bounds (unit cost 100 M€ × 1,000,000 × 10,000 people) while their product
    /// is not, so each multiplication is checked (COM-23).
    public func amount(kilometreRate: Money) -> Money? {
        let gross: Money?
        switch category {
        case .personnel:
            gross = unitCost.multiplied(by: headcount)?.multiplied(by: quantity).map { $0.applying(share) }
        case .travel where privateCar:
            gross = kilometreRate.multiplied(by: quantity)
        case .propertyRental:
            gross = unitCost.multiplied(by: quantity).map { $0.applying(share) }
        default:
            gross = unitCost.multiplied(by: quantity)
        }
        guard let gross, gross.cents >= 0, gross <= Money.inputMaximum else { return nil }
        return gross
    }

    /// Whether the amount counts towards the eligible cost.
    public var isEligible: Bool { !(category == .personnel && runningCost) }

    public struct Problem: Sendable, Equatable {
        public let field: String
        public let key: String
        public let ruleID: String
    }

    /// What is missing or wrong on the line, field by field; `kilometreRate` is the call's (COM-26).
    public func problems(kilometreRate: Money = ExpenseLine.communesKilometreRate) -> [Problem] {
        var out: [Problem] = []
        if detail.trimmingCharacters(in: .whitespaces).isEmpty { out.append(.init(field: "detail", key: "error.required", ruleID: "COM-16")) }
        if quantity < 1 || quantity > 1_000_000 { out.append(.init(field: "quantity", key: "error.budget.quantity", ruleID: "COM-23")) }
        if category == .personnel {
            if function.trimmingCharacters(in: .whitespaces).isEmpty {
                out.append(.init(field: "function", key: "error.budget.function", ruleID: "COM-25"))
            }
            if headcount < 1 || headcount > 10_000 { out.append(.init(field: "headcount", key: "error.budget.headcount", ruleID: "COM-25")) }
        }
        if category == .personnel || category == .propertyRental, share.basisPoints < 1 || share.basisPoints > 10_000 {
            out.append(.init(field: "share", key: "error.budget.share", ruleID: category.ruleID))
        }
        if category.needsJustification && justification.trimmingCharacters(in: .whitespaces).isEmpty {
            out.append(.init(field: "justification", key: "error.budget.justification.\(category.rawValue)", ruleID: category.ruleID))
        }
        if !(category == .travel && privateCar) && (unitCost > Money.inputMaximum || unitCost < .zero) {
            out.append(.init(field: "unit_cost", key: "error.amount_too_large", ruleID: "COM-23"))
        } else if amount(kilometreRate: kilometreRate) == nil {
            // The factors are each in range but their product is not: named on the field that multiplies.
            out.append(.init(field: privateCar && category == .travel ? "quantity" : "unit_cost", key: "error.budget.line_too_large",
                             ruleID: "COM-23"))
        }
        return out
    }
}

/// Revenue lines 10 and 11 (COM-23, COM-32), with loans apart from grants (PAFMI-02).
public enum RevenueKind: String, CaseIterable, Sendable, Codable {
    case ownResources = "own"          // 10
    case otherSubsidy = "subsidy"      // 11
    case sponsorship                   // 11
    case participationFees = "fees"    // 11
    case loan                          // 11, shown apart (PAFMI-02)

    public var line: Int { self == .ownResources ? 10 : 11 }
    public var labelKey: String { "revenue." + rawValue }
    public var isLoan: Bool { self == .loan }
    /// Who gives the money: the granting body, the sponsor, the lender (COM-32).
    public var needsSource: Bool { self == .otherSubsidy || self == .sponsorship || self == .loan }
}

public struct RevenueLine: Sendable, Equatable {
    public var kind: RevenueKind
    /// The granting body, sponsor or lender.
    public var source: String
    public var detail: String
    public var amount: Money
    /// Loans only: whether the project is itself linked to the loan (PAFMI-02, blended financing).
    public var loanLinkedToProject: Bool

    public init(kind: RevenueKind, source: String = "", detail: String = "", amount: Money, loanLinkedToProject: Bool = false) {
        self.kind = kind
        self.source = source
        self.detail = detail
        self.amount = amount
        self.loanLinkedToProject = loanLinkedToProject
    }

    public func problems() -> [ExpenseLine.Problem] {
        var out: [ExpenseLine.Problem] = []
        if kind.needsSource && source.trimmingCharacters(in: .whitespaces).isEmpty {
            out.append(.init(field: "source", key: "error.revenue.source.\(kind.rawValue)", ruleID: kind.isLoan ? "PAFMI-02" : "COM-32"))
        }
        // COM-32: "spécifier la nature de la recette" for everything that is not the applicant's own money.
        if kind.line == 11 && detail.trimmingCharacters(in: .whitespaces).isEmpty {
            out.append(.init(field: "detail", key: "error.revenue.nature", ruleID: "COM-32"))
        }
        if amount > Money.inputMaximum || amount < .zero {
            out.append(.init(field: "amount", key: "error.amount_too_large", ruleID: "COM-23"))
        }
        return out
    }
}

/// Totals A and B of Annex 1, computed in cents on the server (COM-23, COM-25, PAFMI-02).
public struct BudgetSummary: Sendable, Equatable {
    public let byCategory: [ExpenseCategory: Money]
    /// (A): every expense line.
    public let totalExpenses: Money
    /// Running-the-organisation personnel, left out of the total cost considered for a grant (COM-25).
    public let notEligible: Money
    public let eligibleTotal: Money
    public let ownResources: Money
    /// Other revenues that are not loans: subsidies, sponsorship, fees.
    public let otherRevenues: Money
    public let loans: Money
    /// (B): 10 + 11, loans included and shown apart.
    public let totalRevenues: Money
    /// (A) − (B).
    public let balance: Money

    /// A line whose amount is out of range (see `ExpenseLine.amount`), or a total that does not fit: the totals
    /// leave such lines out, and the budget page and the check show the error instead of a figure.
    public let outOfRange: Bool

    public init(expenses: [ExpenseLine], revenues: [RevenueLine], kilometreRate: Money) {
        var by: [ExpenseCategory: Money] = [:]
        var total = Money.zero, excluded = Money.zero
        var overflow = false
        // Each sum is checked: a stored row from before the bounds, or a great many lines, never traps.
        func add(_ a: Money, to sum: inout Money) {
            if let s = sum.adding(a) { sum = s } else { overflow = true }
        }
        for line in expenses {
            guard let a = line.amount(kilometreRate: kilometreRate) else { overflow = true; continue }
            add(a, to: &by[line.category, default: .zero])
            add(a, to: &total)
            if !line.isEligible { add(a, to: &excluded) }
        }
        var own = Money.zero, other = Money.zero, loan = Money.zero
        for r in revenues {
            guard r.amount >= .zero, r.amount <= Money.inputMaximum else { overflow = true; continue }
            switch r.kind {
            case .ownResources: add(r.amount, to: &own)
            case .loan: add(r.amount, to: &loan)
            default: add(r.amount, to: &other)
            }
        }
        var revenuesTotal = own
        add(other, to: &revenuesTotal)
        add(loan, to: &revenuesTotal)
        byCategory = by
        totalExpenses = total
        notEligible = excluded
        eligibleTotal = total.subtracting(excluded) ?? .zero
        ownResources = own
        otherRevenues = other
        loans = loan
        totalRevenues = revenuesTotal
        balance = total.subtracting(revenuesTotal) ?? .zero
        outOfRange = overflow
    }
}
