import Foundation
import Testing
@testable import SubsidiaCore

/// Small builders for application facts: a valid communes or AMIF application, changed one fact at a time.
enum Build {
    static let now = LuxembourgTime.instant(CalendarDate(year: 2026, month: 11, day: 23), hour: 10)

    static func communesCall(year: Int = 2027) -> CallFacts {
        CallFacts(ruleSet: .communes, kind: .rolling, opensAt: LuxembourgTime.instant(CalendarDate(year: 2026, month: 11, day: 16)),
                  closesAt: LuxembourgTime.endOfDay(CalendarDate(year: year, month: 12, day: 31)),
                  costPeriod: DatePeriod(start: CalendarDate(year: year, month: 1, day: 1), end: CalendarDate(year: year, month: 12, day: 31)),
                  leadTimeDays: 21, maxAmount: Money(euros: 100_000), maxRate: Rate(percent: 75), globalBudget: nil,
                  categoryCaps: [], themeCount: 3, hasInformationSessions: false)
    }

    static func amifCall() -> CallFacts {
        CallFacts(ruleSet: .amif, kind: .fixedDeadline, opensAt: LuxembourgTime.instant(CalendarDate(year: 2024, month: 5, day: 9)),
                  closesAt: LuxembourgTime.endOfDay(CalendarDate(year: 2024, month: 9, day: 20)),
                  costPeriod: DatePeriod(start: CalendarDate(year: 2025, month: 2, day: 1), end: CalendarDate(year: 2029, month: 1, day: 31)),
                  leadTimeDays: 0, maxAmount: nil, maxRate: Rate(percent: 75), globalBudget: Money(euros: 3_000_000),
                  categoryCaps: [], themeCount: 0, hasInformationSessions: true)
    }

    static let lines = [
        ExpenseLine(category: .experts, detail: "Interprètes", justification: "Pas d'interprètes à la commune", quantity: 4, unitCost: Money(euros: 500)),
        ExpenseLine(category: .consumables, detail: "Affiches", justification: "Uniquement pour la fête", quantity: 1, unitCost: Money(euros: 1_000)),
    ]

    /// A complete communes application submitted on 23 November 2026 for a project starting 1 March 2027.
    static func communes(
        form: LegalForm = .commune, requested: Money? = Money(euros: 1_500), expenses: [ExpenseLine] = lines,
        revenues: [RevenueLine] = [RevenueLine(kind: .ownResources, amount: Money(euros: 1_500))],
        start: CalendarDate? = CalendarDate(year: 2027, month: 3, day: 1), end: CalendarDate? = nil,
        now: Date = now, festival: (String, Money)? = nil, revenueArticle: Bool? = true, inLuxembourg: Bool? = true,
        incomplete: [ApplicationSection] = [], missing: [String] = [], signed: Bool = true
    ) -> ApplicationFacts {
        let call = communesCall()
        let summary = BudgetSummary(expenses: expenses, revenues: revenues, kilometreRate: Money(cents: 30))
        let cap = FundingCap.compute(ruleSet: .communes, eligibleTotal: summary.eligibleTotal, maxAmount: call.maxAmount,
                                     maxRate: call.maxRate, category: festival.map { (code: $0.0, cap: $0.1) })
        return ApplicationFacts(
            call: call, eligibleForms: [.commune, .syndicatDeCommunes, .etablissementPublicCommunal], seatCountry: "LU",
            applicantForm: form, applicantCountry: "LU", now: now, projectStart: start, projectEnd: end,
            revenueArticleDeclared: revenueArticle, takesPlaceInLuxembourg: inLuxembourg, actionCode: nil, expenses: expenses,
            revenues: revenues, summary: summary, requested: requested, cap: cap, incompleteSections: incomplete,
            missingDocuments: missing, declaredBySignatory: signed)
    }

    /// A complete AMIF application for action B.1, submitted within the 2024 call.
    static func amif(
        form: LegalForm = .asbl, country: String = "LU", seat: String = "LU", requested: Money = Money(euros: 3_000),
        now: Date = LuxembourgTime.instant(CalendarDate(year: 2024, month: 9, day: 1), hour: 12),
        start: CalendarDate = CalendarDate(year: 2025, month: 3, day: 1), end: CalendarDate = CalendarDate(year: 2027, month: 2, day: 28),
        envelopeRemaining: Money = Money(euros: 1_000_000), action: String? = "B.1"
    ) -> ApplicationFacts {
        let call = amifCall()
        let summary = BudgetSummary(expenses: lines, revenues: [], kilometreRate: Money(cents: 30))
        let cap = FundingCap.compute(ruleSet: .amif, eligibleTotal: summary.eligibleTotal, maxAmount: nil, maxRate: call.maxRate,
                                     action: action.map { (code: $0, rate: Rate(percent: 75), remaining: envelopeRemaining) },
                                     globalRemaining: Money(euros: 3_000_000))
        return ApplicationFacts(
            call: call, eligibleForms: [.asbl, .fondation, .societeImpactSocietal, .etablissementPublic, .commune], seatCountry: seat,
            applicantForm: form, applicantCountry: country, now: now, projectStart: start, projectEnd: end,
            revenueArticleDeclared: nil, takesPlaceInLuxembourg: nil, actionCode: action, expenses: lines, revenues: [],
            summary: summary, requested: requested, cap: cap, incompleteSections: [], missingDocuments: [], declaredBySignatory: true)
    }
}

extension [RuleResult] {
    func outcome(_ id: String) -> RuleResult.Outcome? {
        let mine = filter { $0.ruleID == id }
        if mine.contains(where: { $0.outcome == .failed }) { return .failed }
        if mine.contains(where: { $0.outcome == .warning }) { return .warning }
        return mine.isEmpty ? nil : .passed
    }
}

@Suite("Application rules (rule engine)")
struct ApplicationRuleTests {
    @Test("A complete communes application passes every rule")
    func validCommunes() {
        let r = ApplicationRules.evaluate(Build.communes())
        #expect(!ApplicationRules.blocksSubmission(r), "\(r.filter { $0.outcome == .failed })")
    }

    @Test("COM-01: communes, syndicates and communal public establishments only")
    func com01() {
        #expect(ApplicationRules.evaluate(Build.communes(form: .syndicatDeCommunes)).outcome("COM-01") == .passed)
        let r = ApplicationRules.evaluate(Build.communes(form: .asbl))
        #expect(r.outcome("COM-01") == .failed)
        #expect(ApplicationRules.blocksSubmission(r))
    }

    @Test("COM-02: the budget must have a revenue article")
    func com02() {
        #expect(ApplicationRules.evaluate(Build.communes(revenueArticle: true)).outcome("COM-02") == .passed)
        #expect(ApplicationRules.evaluate(Build.communes(revenueArticle: false)).outcome("COM-02") == .failed)
        #expect(ApplicationRules.evaluate(Build.communes(revenueArticle: nil)).outcome("COM-02") == .failed)
    }

    @Test("COM-07: at most 100,000 € and 75 % of the eligible cost")
    func com07() {
        // Eligible cost 3,000 €: 75 % is 2,250 €.
        #expect(ApplicationRules.evaluate(Build.communes(requested: Money(euros: 2_250))).outcome("COM-07") == .passed)
        #expect(ApplicationRules.evaluate(Build.communes(requested: Money(cents: 225_001))).outcome("COM-07") == .failed)
        let big = [ExpenseLine(category: .experts, detail: "Étude", justification: "Expertise externe", quantity: 1, unitCost: Money(euros: 400_000))]
        let f = Build.communes(requested: Money(cents: 10_000_001), expenses: big, revenues: [])
        let cap = f.cap.binding
        #expect(cap?.kind == .maximumAmount && cap?.amount == Money(euros: 100_000))
        #expect(ApplicationRules.evaluate(f).outcome("COM-07") == .failed)
        #expect(ApplicationRules.evaluate(Build.communes(requested: Money(euros: 100_000), expenses: big, revenues: [])).outcome("COM-07") == .passed)
        #expect(ApplicationRules.evaluate(Build.communes(requested: nil)).outcome("COM-07") == .failed)
    }

    @Test("COM-08: a festival is capped at 3,000 € (5,000 € with active promotion)")
    func com08() {
        let lines = [ExpenseLine(category: .consumables, detail: "Fête", justification: "Pour la fête", quantity: 1, unitCost: Money(euros: 10_000))]
        let ok = Build.communes(requested: Money(euros: 3_000), expenses: lines, revenues: [], festival: ("festival", Money(euros: 3_000)))
        #expect(ApplicationRules.evaluate(ok).outcome("COM-08") == .passed)
        let over = Build.communes(requested: Money(euros: 3_001), expenses: lines, revenues: [], festival: ("festival", Money(euros: 3_000)))
        #expect(ApplicationRules.evaluate(over).outcome("COM-08") == .failed)
        let active = Build.communes(requested: Money(euros: 5_000), expenses: lines, revenues: [], festival: ("festival_active", Money(euros: 5_000)))
        #expect(ApplicationRules.evaluate(active).outcome("COM-08") == .passed)
    }

    @Test("COM-11: the declaration is confirmed by a signatory")
    func com11() {
        #expect(ApplicationRules.evaluate(Build.communes(signed: true)).outcome("COM-11") == .passed)
        #expect(ApplicationRules.evaluate(Build.communes(signed: false)).outcome("COM-11") == .failed)
    }

    @Test("COM-12: the project runs inside the call's year and in Luxembourg")
    func com12() {
        #expect(ApplicationRules.evaluate(Build.communes()).outcome("COM-12") == .passed)
        let late = Build.communes(start: CalendarDate(year: 2027, month: 12, day: 1), end: CalendarDate(year: 2028, month: 1, day: 15))
        #expect(ApplicationRules.evaluate(late).outcome("COM-12") == .failed)
        #expect(ApplicationRules.evaluate(Build.communes(inLuxembourg: false)).outcome("COM-12") == .failed)
        let backwards = Build.communes(start: CalendarDate(year: 2027, month: 5, day: 1), end: CalendarDate(year: 2027, month: 4, day: 1))
        #expect(ApplicationRules.evaluate(backwards).outcome("COM-12") == .failed)
    }

    @Test("COM-13: submitted at least 21 days before the project starts")
    func com13() {
        // Submitted 23 November 2026: 14 December is exactly 21 days later.
        let f = Build.communes(start: CalendarDate(year: 2026, month: 12, day: 14))
        var facts = f
        facts.call.costPeriod = DatePeriod(start: CalendarDate(year: 2026, month: 1, day: 1), end: CalendarDate(year: 2027, month: 12, day: 31))
        #expect(ApplicationRules.evaluate(facts).outcome("COM-13") == .passed)
        facts.projectStart = CalendarDate(year: 2026, month: 12, day: 13)
        #expect(ApplicationRules.evaluate(facts).outcome("COM-13") == .failed)
        // A submission at 23:59:59 counts that day; one second later counts the next.
        facts.projectStart = CalendarDate(year: 2026, month: 12, day: 14)
        facts.now = LuxembourgTime.endOfDay(CalendarDate(year: 2026, month: 11, day: 23))
        #expect(ApplicationRules.evaluate(facts).outcome("COM-13") == .passed)
        facts.now = facts.now.addingTimeInterval(1)
        #expect(ApplicationRules.evaluate(facts).outcome("COM-13") == .failed)
    }

    @Test("COM-14, COM-15: missing documents do not block submission; they are listed and the file waits")
    func com15() {
        #expect(ApplicationRules.evaluate(Build.communes()).outcome("COM-15") == .passed)
        let r = ApplicationRules.evaluate(Build.communes(missing: ["Relevé d'identité bancaire (RIB)"]))
        #expect(r.outcome("COM-15") == .warning)
        #expect(!ApplicationRules.blocksSubmission(r))
        #expect(r.first { $0.ruleID == "COM-15" }?.message.values == [.text("Relevé d'identité bancaire (RIB)")])
    }

    @Test("COM-16: the budget details what the subsidy pays for")
    func com16() {
        #expect(ApplicationRules.evaluate(Build.communes()).outcome("COM-16") == .passed)
        #expect(ApplicationRules.evaluate(Build.communes(expenses: [])).outcome("COM-16") == .failed)
        let vague = [ExpenseLine(category: .equipment, detail: "", justification: "Moins cher que la location", unitCost: Money(euros: 100))]
        #expect(vague[0].problems().map(\.ruleID) == ["COM-16"])
    }

    @Test("COM-22, AMIF-06: every section of the form is complete")
    func com22() {
        #expect(ApplicationRules.evaluate(Build.communes()).outcome("COM-22") == .passed)
        #expect(ApplicationRules.evaluate(Build.communes(incomplete: [.relevance])).outcome("COM-22") == .failed)
        var amif = Build.amif()
        #expect(ApplicationRules.evaluate(amif).outcome("AMIF-06") == .passed)
        amif.incompleteSections = [.financing]
        #expect(ApplicationRules.evaluate(amif).outcome("AMIF-06") == .failed)
    }

    @Test("COM-22: the project description has at most 15 lines")
    func descriptionLines() throws {
        let q = StandardQuestions.communes.first { $0.code == "description" }!
        let fifteen = (1...15).map { "Ligne \($0)" }.joined(separator: "\r\n")
        #expect(try q.parse([fifteen]) == .text(fifteen.replacingOccurrences(of: "\r\n", with: "\n")))
        #expect(throws: AnswerProblem("error.too_many_lines", ["15", "16"])) { try q.parse([fifteen + "\nLigne 16"]) }
        #expect(throws: AnswerProblem("error.required")) { try q.parse([" "]) }
        #expect(throws: AnswerProblem("error.too_long", ["2000"])) { try q.parse([String(repeating: "x", count: 2_001)]) }
    }

    @Test("COM-22: every field of Annex 1 is asked for the communes call")
    func annexOne() {
        let codes = Set(StandardQuestions.communes.map(\.code))
        for code in ["title", "start_date", "end_date", "target_publics", "partners", "ccci_role", "places", "pakt", "new_project",
                     "new_edition", "edition_number", "edition_since", "description", "needs", "integration", "objectives",
                     "complementarity", "themes", "themes_how", "steps", "partner_roles", "people_reached", "mixed_public",
                     "communication", "monitoring", "indicators", "complementary_info", "other_ministry", "other_ministry_detail"] {
            #expect(codes.contains(code), "missing \(code)")
        }
        #expect(!codes.contains("action"))
        #expect(StandardQuestions.amif.contains { $0.code == "action" && $0.required })
    }

    @Test("Answers are typed and bounded: numbers, dates, yes/no, conditional requirements")
    func answers() throws {
        let people = StandardQuestions.communes.first { $0.code == "people_reached" }!
        #expect(try people.parse(["1 200"]) == .integer(1_200))
        #expect(throws: AnswerProblem("error.whole_number")) { try people.parse(["douze"]) }
        #expect(throws: AnswerProblem("error.number_min", ["1"])) { try people.parse(["0"]) }
        let start = StandardQuestions.communes.first { $0.code == "start_date" }!
        #expect(try start.parse(["2027-02-28"]) == .date(CalendarDate(year: 2027, month: 2, day: 28)))
        #expect(throws: AnswerProblem("error.date")) { try start.parse(["2027-02-29"]) }
        let number = StandardQuestions.communes.first { $0.code == "edition_number" }!
        #expect(try number.parse([""], otherAnswers: ["new_edition": .bool(false)]) == nil)
        #expect(throws: AnswerProblem("error.required")) { try number.parse([""], otherAnswers: ["new_edition": .bool(true)]) }
        let themes = StandardQuestions.communes.first { $0.code == "themes" }!
        #expect(try themes.parse(["welcome", "participation"], allowed: ["participation", "welcome", "translation"])
                == .codes(["participation", "welcome"]))
        #expect(throws: AnswerProblem("error.choose")) { try themes.parse(["<script>"], allowed: ["welcome"]) }
    }

    @Test("COM-23, COM-25, COM-26, PAFMI-02: totals A and B in cents, running costs and loans apart")
    func budget() {
        #expect(ExpenseLine.communesKilometreRate == Money(cents: 30))
        let expenses = [
            // COM-25: 2 educators at 4,000 € a month for 3 months, 50 % on the project = 12,000 €.
            ExpenseLine(category: .personnel, detail: "Éducateurs", quantity: 3, unitCost: Money(euros: 4_000), function: "Éducateur",
                        headcount: 2, share: Rate(percent: 50)),
            // Running the organisation: shown, not eligible.
            ExpenseLine(category: .personnel, detail: "Secrétariat", quantity: 1, unitCost: Money(euros: 1_000), function: "Secrétaire",
                        runningCost: true),
            // COM-26: 123 km by private car at 0.30 €/km = 36.90 €, whatever unit cost was typed.
            ExpenseLine(category: .travel, detail: "Déplacements", quantity: 123, unitCost: Money(euros: 99), privateCar: true),
            // COM-28: a hall rented for 10 days at 333.33 €, 40 % used by the project = 1,333.32 €.
            ExpenseLine(category: .propertyRental, detail: "Salle", justification: "Partagée avec le club", quantity: 10,
                        unitCost: Money(cents: 33_333), share: Rate(percent: 40)),
        ]
        let revenues = [
            RevenueLine(kind: .ownResources, amount: Money(euros: 2_000)),
            RevenueLine(kind: .otherSubsidy, source: "Œuvre nationale", detail: "Appel à projets", amount: Money(euros: 1_000)),
            RevenueLine(kind: .loan, source: "CEB", detail: "Prêt microcrédit", amount: Money(euros: 5_000), loanLinkedToProject: true),
        ]
        let s = BudgetSummary(expenses: expenses, revenues: revenues, kilometreRate: Money(cents: 30))
        #expect(s.byCategory[.personnel] == Money(euros: 13_000))
        #expect(s.byCategory[.travel] == Money(cents: 3_690))
        #expect(s.byCategory[.propertyRental] == Money(cents: 133_332))
        #expect(s.totalExpenses == Money(cents: 1_300_000 + 3_690 + 133_332))
        #expect(s.notEligible == Money(euros: 1_000))
        #expect(s.eligibleTotal == Money(cents: 1_200_000 + 3_690 + 133_332))
        #expect(s.ownResources == Money(euros: 2_000) && s.otherRevenues == Money(euros: 1_000) && s.loans == Money(euros: 5_000))
        #expect(s.totalRevenues == Money(euros: 8_000))
        #expect(s.balance == s.totalExpenses - Money(euros: 8_000))
        // Without the private-car flag the same line is 123 × 99 €.
        var car = expenses[2]
        car.privateCar = false
        #expect(car.amount(kilometreRate: Money(cents: 30)) == Money(euros: 123 * 99))
        // COM-25 warning names the excluded amount; PAFMI-02 shows the loan apart.
        let r = ApplicationRules.evaluate(Build.communes(requested: Money(euros: 1_000), expenses: expenses, revenues: revenues))
        #expect(r.outcome("COM-25") == .warning)
        #expect(r.outcome("PAFMI-02") == .passed)
        #expect(ApplicationRules.evaluate(Build.communes()).outcome("COM-25") == nil)
        #expect(ApplicationRules.evaluate(Build.communes()).outcome("PAFMI-02") == nil)
    }

    @Test("COM-25 to COM-31, COM-23: each category asks for what Annex 2 requires")
    func categoryRequirements() {
        // COM-25: personnel lines name the function, headcount and allocation.
        #expect(ExpenseLine(category: .personnel, detail: "Éducateur", unitCost: Money(euros: 1), function: "Éducateur").problems().isEmpty)
        #expect(ExpenseLine(category: .personnel, detail: "Éducateur", unitCost: Money(euros: 1)).problems().map(\.ruleID) == ["COM-25"])
        #expect(ExpenseLine(category: .personnel, detail: "Éducateur", unitCost: Money(euros: 1), function: "X", share: Rate(basisPoints: 0))
            .problems().map(\.ruleID) == ["COM-25"])
        // COM-26: a private-car line needs only the kilometres.
        #expect(ExpenseLine(category: .travel, detail: "Trajets", quantity: 50, unitCost: .zero, privateCar: true).problems().isEmpty)
        for (category, rule) in [(ExpenseCategory.equipment, "COM-27"), (.propertyRental, "COM-28"), (.consumables, "COM-29"),
                                 (.experts, "COM-30"), (.administrative, "COM-31"), (.other, "COM-23")] {
            let without = ExpenseLine(category: category, detail: "Dépense", unitCost: Money(euros: 10))
            #expect(without.problems().map(\.ruleID) == [rule], "\(category)")
            var with = without
            with.justification = "Justification"
            #expect(with.problems().isEmpty, "\(category)")
            let r = ApplicationRules.evaluate(Build.communes(expenses: [without]))
            #expect(r.outcome(rule) == .failed)
        }
    }

    @Test("COM-24: expenses fall within the project period of the call's year")
    func com24() {
        #expect(ApplicationRules.evaluate(Build.communes()).outcome("COM-24") == .passed)
        #expect(ApplicationRules.evaluate(Build.communes(start: CalendarDate(year: 2028, month: 2, day: 1))).outcome("COM-24") == .failed)
    }

    @Test("COM-32: other revenues name their source and nature; revenues plus the request beyond the cost warn")
    func com32() {
        #expect(RevenueLine(kind: .otherSubsidy, source: "Ministère", detail: "Subside", amount: Money(euros: 1)).problems().isEmpty)
        #expect(RevenueLine(kind: .otherSubsidy, amount: Money(euros: 1)).problems().map(\.ruleID) == ["COM-32", "COM-32"])
        #expect(RevenueLine(kind: .ownResources, amount: Money(euros: 1)).problems().isEmpty)
        #expect(RevenueLine(kind: .loan, detail: "Prêt", amount: Money(euros: 1)).problems().map(\.ruleID) == ["PAFMI-02"])
        let r = ApplicationRules.evaluate(Build.communes(requested: Money(euros: 2_000)))
        #expect(r.outcome("COM-32") == .warning)
        #expect(ApplicationRules.evaluate(Build.communes(requested: Money(euros: 1_500))).outcome("COM-32") == nil)
    }

    @Test("AMIF-01: a submission at 23:59:59 on 20 September 2024 is accepted, one at 00:00:01 is refused")
    func amif01() {
        let last = LuxembourgTime.instant(CalendarDate(year: 2024, month: 9, day: 20), hour: 23, minute: 59, second: 59)
        #expect(ApplicationRules.evaluate(Build.amif(now: last)).outcome("AMIF-01") == .passed)
        let late = LuxembourgTime.instant(CalendarDate(year: 2024, month: 9, day: 21), hour: 0, minute: 0, second: 1)
        #expect(ApplicationRules.evaluate(Build.amif(now: late)).outcome("AMIF-01") == .failed)
        let early = LuxembourgTime.instant(CalendarDate(year: 2024, month: 5, day: 8), hour: 23)
        #expect(ApplicationRules.evaluate(Build.amif(now: early)).outcome("AMIF-01") == .failed)
    }

    @Test("AMIF-02: the request fits what is still free in the action's envelope; an action must be chosen")
    func amif02() {
        #expect(ApplicationRules.evaluate(Build.amif(requested: Money(euros: 2_000), envelopeRemaining: Money(euros: 2_000))).outcome("AMIF-02") == .passed)
        let f = Build.amif(requested: Money(euros: 2_000), envelopeRemaining: Money(euros: 1_999))
        #expect(f.cap.binding?.kind == .envelopeRemaining("B.1"))
        #expect(ApplicationRules.evaluate(f).outcome("AMIF-02") == .failed)
        #expect(ApplicationRules.evaluate(Build.amif(action: nil)).outcome("AMIF-02") == .failed)
    }

    @Test("AMIF-03: project dates inside 1 February 2025 – 31 January 2029")
    func amif03() {
        #expect(ApplicationRules.evaluate(Build.amif()).outcome("AMIF-03") == .passed)
        #expect(ApplicationRules.evaluate(Build.amif(start: CalendarDate(year: 2025, month: 1, day: 31))).outcome("AMIF-03") == .failed)
        #expect(ApplicationRules.evaluate(Build.amif(end: CalendarDate(year: 2029, month: 2, day: 1))).outcome("AMIF-03") == .failed)
    }

    @Test("AMIF-04: eligible legal forms with their seat in Luxembourg")
    func amif04() {
        #expect(ApplicationRules.evaluate(Build.amif(form: .societeImpactSocietal)).outcome("AMIF-04") == .passed)
        #expect(ApplicationRules.evaluate(Build.amif(form: .company)).outcome("AMIF-04") == .failed)
        #expect(ApplicationRules.evaluate(Build.amif(country: "BE")).outcome("AMIF-04") == .failed)
    }

    @Test("PAFMI-01: a programme without a seat country takes implementing partners from several countries")
    func pafmi01() {
        for country in ["BE", "FI", "IT", "NL"] {
            let r = ApplicationRules.evaluate(Build.amif(country: country, seat: ""))
            #expect(r.outcome("AMIF-04") == .passed)
            #expect(r.outcome("PAFMI-01") == .passed)
        }
        #expect(ApplicationRules.evaluate(Build.amif(country: "BE", seat: "LU")).outcome("PAFMI-01") == nil)
    }

    @Test("AMIF-07: documents are uploaded on the platform; missing ones are listed")
    func amif07() {
        var f = Build.amif()
        #expect(ApplicationRules.evaluate(f).outcome("AMIF-07") == .passed)
        f.missingDocuments = ["Plan de financement"]
        #expect(ApplicationRules.evaluate(f).outcome("AMIF-07") == .warning)
    }

    @Test("AMIF-09: at most the action's rate of the eligible cost (75 %, or 90 % for Annex IV actions)")
    func amif09() {
        // Eligible cost 3,000 €: 75 % is 2,250 €; 90 % is 2,700 €.
        #expect(ApplicationRules.evaluate(Build.amif(requested: Money(euros: 2_250))).outcome("AMIF-09") == .passed)
        #expect(ApplicationRules.evaluate(Build.amif(requested: Money(euros: 2_251))).outcome("AMIF-09") == .failed)
        let annexIV = FundingCap.compute(ruleSet: .amif, eligibleTotal: Money(euros: 3_000), maxAmount: nil, maxRate: Rate(percent: 75),
                                         action: (code: "A.2", rate: Rate(percent: 90), remaining: Money(euros: 600_000)))
        #expect(annexIV.maximum == Money(euros: 2_700))
        #expect(annexIV.binding?.ruleID == "AMIF-09")
    }

    @Test("Reopening: fixed-deadline applications until the deadline; rolling ones never")
    func transitions() throws {
        let closes = LuxembourgTime.endOfDay(CalendarDate(year: 2024, month: 9, day: 20))
        try ApplicationTransitions.checkReopen(.submitted, kind: .fixedDeadline, closesAt: closes, now: closes)
        #expect(throws: ApplicationTransitions.Refusal.deadlinePassed) {
            try ApplicationTransitions.checkReopen(.submitted, kind: .fixedDeadline, closesAt: closes, now: closes.addingTimeInterval(1))
        }
        #expect(throws: ApplicationTransitions.Refusal.rollingCallCannotReopen) {
            try ApplicationTransitions.checkReopen(.submitted, kind: .rolling, closesAt: closes, now: closes)
        }
        #expect(throws: ApplicationTransitions.Refusal.notDraft) { try ApplicationTransitions.checkEditable(.submitted) }
        #expect(SubmissionReference.make(callReference: "COM-2023", sequence: 7) == "COM-2023-0007")
    }

    @Test("Task list states follow the answers")
    func sectionStates() {
        let relevance = StandardQuestions.communes.filter { $0.section == .relevance }
        #expect(SectionProgress.state(of: relevance, answers: [:]) == .notStarted)
        #expect(SectionProgress.state(of: relevance, answers: ["needs": .text("x")]) == .inProgress)
        let all = Dictionary(uniqueKeysWithValues: relevance.filter(\.required).map { ($0.code, AnswerValue.text("x")) })
        #expect(SectionProgress.state(of: relevance, answers: all) == .completed)
    }
}
