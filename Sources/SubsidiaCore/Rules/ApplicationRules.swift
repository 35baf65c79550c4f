import Foundation

/// The result of one rule on one application: what "Check my application" shows, and what submission obeys.
public struct RuleResult: Sendable, Equatable {
    public enum Outcome: String, Sendable, Equatable {
        case passed, failed, warning
    }

    public let ruleID: String
    public let outcome: Outcome
    /// Catalogue key and values of the plain-language message.
    public let message: RuleStatement
    /// Where the rule comes from, e.g. "003 – 2.a" (seed and section).
    public let source: String

    init(_ ruleID: String, _ outcome: Outcome, _ key: String, _ values: [RuleStatement.Value] = [], source: String) {
        self.ruleID = ruleID
        self.outcome = outcome
        self.message = RuleStatement(ruleID, key, values)
        self.source = source
    }
}

/// Everything the rules need to know about one application at one instant.
public struct ApplicationFacts: Sendable {
    public var call: CallFacts
    public var eligibleForms: Set<LegalForm>
    public var seatCountry: String
    public var applicantForm: LegalForm
    public var applicantCountry: String
    public var now: Date
    public var projectStart: CalendarDate?
    public var projectEnd: CalendarDate?
    /// COM-02: the applicant's budget has a revenue article.
    public var revenueArticleDeclared: Bool?
    /// COM-12: the project takes place in Luxembourg.
    public var takesPlaceInLuxembourg: Bool?
    /// AMIF: the action chosen, if any.
    public var actionCode: String?
    public var expenses: [ExpenseLine]
    public var revenues: [RevenueLine]
    public var summary: BudgetSummary
    public var requested: Money?
    public var cap: FundingCap
    /// Sections of the form still to complete (the declaration is checked on its own).
    public var incompleteSections: [ApplicationSection]
    /// Labels of required documents not uploaded yet (COM-14, AMIF-07).
    public var missingDocuments: [String]
    /// The declaration was confirmed by a member with the signatory flag (COM-11).
    public var declaredBySignatory: Bool

    public init(
        call: CallFacts, eligibleForms: Set<LegalForm>, seatCountry: String, applicantForm: LegalForm, applicantCountry: String,
        now: Date, projectStart: CalendarDate?, projectEnd: CalendarDate?, revenueArticleDeclared: Bool?,
        takesPlaceInLuxembourg: Bool?, actionCode: String?, expenses: [ExpenseLine], revenues: [RevenueLine],
        summary: BudgetSummary, requested: Money?, cap: FundingCap, incompleteSections: [ApplicationSection],
        missingDocuments: [String], declaredBySignatory: Bool
    ) {
        self.call = call
        self.eligibleForms = eligibleForms
        self.seatCountry = seatCountry
        self.applicantForm = applicantForm
        self.applicantCountry = applicantCountry
        self.now = now
        self.projectStart = projectStart
        self.projectEnd = projectEnd
        self.revenueArticleDeclared = revenueArticleDeclared
        self.takesPlaceInLuxembourg = takesPlaceInLuxembourg
        self.actionCode = actionCode
        self.expenses = expenses
        self.revenues = revenues
        self.summary = summary
        self.requested = requested
        self.cap = cap
        self.incompleteSections = incompleteSections
        self.missingDocuments = missingDocuments
        self.declaredBySignatory = declaredBySignatory
    }
}

/// The rule engine: evaluates a call's rules on an application, on demand and at submission. A failed
/// result blocks submission; a warning is shown and recorded but does not.
public enum ApplicationRules {
    public static func evaluate(_ f: ApplicationFacts) -> [RuleResult] {
        var out: [RuleResult] = []
        let com = f.call.ruleSet == .communes
        let seed = com ? "003" : "000"

        // Eligible applicants (COM-01, AMIF-04).
        let formOK = f.eligibleForms.contains(f.applicantForm)
        if com {
            out.append(RuleResult("COM-01", formOK ? .passed : .failed, formOK ? "check.com01.passed" : "check.com01.failed",
                                  [.text(f.applicantForm.labelKey)], source: "003 – 1, 2.a"))
            if let declared = f.revenueArticleDeclared {
                out.append(RuleResult("COM-02", declared ? .passed : .failed, declared ? "check.com02.passed" : "check.com02.failed", source: "003 – 2.a"))
            } else {
                out.append(RuleResult("COM-02", .failed, "check.com02.missing", source: "003 – 2.a"))
            }
        } else {
            // PAFMI-01: a programme without a seat country funds implementing partners in several countries.
            let seatOK = f.seatCountry.isEmpty || f.applicantCountry == f.seatCountry
            let ok = formOK && seatOK
            let key = !formOK ? "check.amif04.form" : (!seatOK ? "check.amif04.seat" : "check.amif04.passed")
            out.append(RuleResult("AMIF-04", ok ? .passed : .failed, key, [.text(f.applicantForm.labelKey), .text(f.seatCountry)],
                                  source: "000"))
            if f.seatCountry.isEmpty {
                out.append(RuleResult("PAFMI-01", .passed, "check.pafmi01", [.text(f.applicantCountry)], source: "002"))
            }
        }

        // The call accepts submissions now (AMIF-01; COM-12 for the rolling call's year).
        let open = CallWindow.isOpen(opensAt: f.call.opensAt, closesAt: f.call.closesAt, at: f.now)
        let windowRule = com ? "COM-12" : "AMIF-01"
        if open {
            if let closes = f.call.closesAt {
                out.append(RuleResult(windowRule, .passed, "check.window.open", [.instant(closes)], source: com ? "003 – 3.a" : "000"))
            } else {
                out.append(RuleResult(windowRule, .passed, "check.window.rolling", source: "003 – 3.a"))
            }
        } else if f.now < f.call.opensAt {
            out.append(RuleResult(windowRule, .failed, "check.window.not_open", [.instant(f.call.opensAt)], source: com ? "003 – 3.a" : "000"))
        } else {
            out.append(RuleResult(windowRule, .failed, "check.window.closed", [.instant(f.call.closesAt ?? f.now)], source: com ? "003 – 3.a" : "000"))
        }

        // Project dates within the period (COM-12 / COM-24 for communes, AMIF-03 for AMIF) and lead time (COM-13).
        let periodRule = com ? "COM-12" : "AMIF-03"
        if let start = f.projectStart {
            let end = f.projectEnd ?? start
            if end < start {
                out.append(RuleResult(periodRule, .failed, "check.period.end_before_start", source: seed))
            } else if let period = f.call.costPeriod, let project = DatePeriod(start: start, end: end) {
                let inside = period.contains(project)
                out.append(RuleResult(periodRule, inside ? .passed : .failed, inside ? "check.period.inside" : "check.period.outside",
                                      [.date(period.start), .date(period.end)], source: com ? "003 – 3.a" : "000"))
                if com {
                    out.append(RuleResult("COM-24", inside ? .passed : .failed, inside ? "check.com24.passed" : "check.com24.failed",
                                          [.date(period.start), .date(period.end)], source: "003 – Annexe 1"))
                }
            }
            if f.call.leadTimeDays > 0 {
                let ok = CallWindow.respectsLeadTime(submittedAt: f.now, projectStart: start, leadDays: f.call.leadTimeDays)
                let earliest = LuxembourgTime.calendarDate(of: f.now).adding(days: f.call.leadTimeDays)
                out.append(RuleResult("COM-13", ok ? .passed : .failed, ok ? "check.com13.passed" : "check.com13.failed",
                                      [.count(f.call.leadTimeDays), .date(earliest)], source: "003 – 3.a"))
            }
        } else {
            out.append(RuleResult(periodRule, .failed, "check.period.missing", source: seed))
        }
        if com {
            switch f.takesPlaceInLuxembourg {
            case true?: out.append(RuleResult("COM-12", .passed, "check.com12.place.passed", source: "003 – 3.a"))
            case false?: out.append(RuleResult("COM-12", .failed, "check.com12.place.failed", source: "003 – 3.a"))
            case nil: break
            }
        } else if f.actionCode == nil {
            out.append(RuleResult("AMIF-02", .failed, "check.amif02.no_action", source: "000"))
        }

        // The form is complete (COM-22, AMIF-06) and the budget details the expenses (COM-16, COM-23).
        let formRule = com ? "COM-22" : "AMIF-06"
        if f.incompleteSections.isEmpty {
            out.append(RuleResult(formRule, .passed, "check.form.complete", source: seed))
        } else {
            out.append(RuleResult(formRule, .failed, "check.form.incomplete", [.count(f.incompleteSections.count)], source: seed))
        }
        if f.expenses.isEmpty {
            out.append(RuleResult("COM-16", .failed, "check.com16.no_lines", source: "003 – 3.b"))
        } else {
            let lineProblems = f.expenses.flatMap { $0.problems() } + f.revenues.flatMap { $0.problems() }
            if lineProblems.isEmpty {
                out.append(RuleResult("COM-16", .passed, "check.com16.passed", [.count(f.expenses.count)], source: "003 – 3.b"))
            } else {
                for id in Array(Set(lineProblems.map(\.ruleID))).sorted() {
                    out.append(RuleResult(id, .failed, "check.lines.incomplete", [.count(lineProblems.filter { $0.ruleID == id }.count)],
                                          source: "003 – Annexe 2"))
                }
            }
        }
        if f.summary.outOfRange {
            // COM-23: a line or a total past 100 million euro (or past what 64 bits hold) is never summed.
            out.append(RuleResult("COM-23", .failed, "check.budget.out_of_range", source: "003 – Annexe 1"))
        }
        if f.summary.notEligible > .zero {
            out.append(RuleResult("COM-25", .warning, "check.com25.excluded", [.money(f.summary.notEligible)], source: "003 – Annexe 2"))
        }
        if f.summary.loans > .zero {
            out.append(RuleResult("PAFMI-02", .passed, "check.pafmi02.loans", [.money(f.summary.loans)], source: "002"))
        }

        // The amount asked for (COM-07, COM-08, AMIF-09, AMIF-02).
        if let requested = f.requested, requested > .zero {
            if let binding = f.cap.binding, requested > binding.amount {
                out.append(RuleResult(binding.ruleID, .failed, "check.cap.exceeded", [.money(requested), .money(binding.amount)],
                                      source: com ? "003 – 2.b" : "000"))
            } else if let binding = f.cap.binding {
                out.append(RuleResult(binding.ruleID, .passed, "check.cap.within", [.money(requested), .money(binding.amount)],
                                      source: com ? "003 – 2.b" : "000"))
            }
            // COM-32, COM-21: revenues and the request together should not exceed the cost (double funding).
            if f.summary.totalRevenues + requested > f.summary.totalExpenses {
                out.append(RuleResult("COM-32", .warning, "check.overfunded",
                                      [.money(f.summary.totalRevenues + requested), .money(f.summary.totalExpenses)], source: "003 – Annexe 2"))
            }
        } else {
            out.append(RuleResult(com ? "COM-07" : "AMIF-09", .failed, "check.requested.missing", source: seed))
        }

        // Documents (COM-14, COM-15, AMIF-07): submission is possible, the receipt lists what is missing.
        let docRule = com ? "COM-15" : "AMIF-07"
        if f.missingDocuments.isEmpty {
            out.append(RuleResult(docRule, .passed, "check.documents.complete", source: com ? "003 – 3.b" : "000"))
        } else {
            out.append(RuleResult(docRule, .warning, "check.documents.missing", [.text(f.missingDocuments.joined(separator: "; "))],
                                  source: com ? "003 – 3.b" : "000"))
        }

        // Signed by a person who can commit the applicant (COM-11).
        out.append(RuleResult(com ? "COM-11" : "AMIF-06", f.declaredBySignatory ? .passed : .failed,
                              f.declaredBySignatory ? "check.com11.passed" : "check.com11.failed", source: com ? "003 – 3.a" : "000"))
        return out
    }

    public static func blocksSubmission(_ results: [RuleResult]) -> Bool { results.contains { $0.outcome == .failed } }
}
