import Foundation
import Testing
@testable import SubsidiaCore

@Suite("Instruction: completeness, eligibility review, scoring, ranking, decisions")
struct InstructionTests {
    let grid = ScoringGrid.communes
    let today = CalendarDate(year: 2027, month: 3, day: 1)

    func full(_ score: Int, bonuses: Set<String> = []) -> Scorecard {
        Scorecard(scores: Dictionary(uniqueKeysWithValues: grid.questionCodes.map { ($0, score) }), bonuses: bonuses)
    }

    @Test("COM-09: the grid of seed 003 section 2c has the four criteria and their sub-questions")
    func grid2c() {
        #expect(grid.criteria.map(\.code) == ["relevance", "feasibility", "evaluation", "cost_effectiveness"])
        #expect(grid.criteria.map(\.questions.count) == [4, 3, 6, 1])
        #expect(grid.problems().isEmpty)
        #expect(grid.maxTotal == 125)
        let broken = ScoringGrid(scaleMax: 0, criteria: [.init(code: "a", label: grid.criteria[0].label, weight: 0, questions: [])], bonuses: [])
        #expect(broken.problems() == ["scale", "a"])
    }

    @Test("COM-09: totals are weights times the share of the scale, to the hundredth; unscored counts 0")
    func totals() {
        #expect(full(4).total(in: grid) == Points(points: 100))
        #expect(full(0).total(in: grid) == .zero)
        #expect(full(2).total(in: grid) == Points(points: 50))
        // Relevance 3/4 on its four questions = 18.75 points, nothing else scored yet.
        let partial = Scorecard(scores: ["relevance_needs": 3, "relevance_integration": 3, "relevance_objectives": 3, "relevance_complementarity": 3])
        #expect(partial.total(in: grid) == Points(hundredths: 1875))
        #expect(!partial.isComplete(in: grid) && full(1).isComplete(in: grid))
        // Feasibility 1 of 12 possible = 25/12 = 2.083… → 2.08
        #expect(Scorecard(scores: ["feasibility_steps": 1]).total(in: grid).description == "2.08")
    }

    @Test("COM-09, COM-06: an officer sets a call's scale, weights and bonus points; a zero weight or scale is refused")
    func gridNumbers() {
        let changed = grid.with(scaleMax: 5, weights: ["relevance": 40, "evaluation": 10], points: ["pakt": 10])
        #expect(changed.problems().isEmpty && changed.scaleMax == 5)
        #expect(changed.criteria.map(\.weight) == [40, 25, 10, 25] && changed.maxTotal == 100 + 5 * 4 + 10)
        #expect(changed.questionCodes == grid.questionCodes)
        // Full marks on the new scale give the new weights; the Pakt now counts 10.
        let full = Scorecard(scores: Dictionary(uniqueKeysWithValues: changed.questionCodes.map { ($0, 5) }), bonuses: ["pakt"])
        #expect(full.total(in: changed) == Points(points: 110))
        #expect(grid.with(scaleMax: 0, weights: [:], points: [:]).problems() == ["scale"])
        #expect(grid.with(scaleMax: 4, weights: ["feasibility": 0], points: ["lasting": 0]).problems() == ["feasibility", "lasting"])
    }

    @Test("Scores outside the scale and unknown codes are refused")
    func scale() {
        #expect(Scorecard(scores: ["relevance_needs": -1]).problems(in: grid) == [.outOfScale("relevance_needs", max: 4)])
        #expect(Scorecard(scores: ["relevance_needs": 5]).problems(in: grid) == [.outOfScale("relevance_needs", max: 4)])
        #expect(Scorecard(scores: ["nope": 1], bonuses: ["gift"]).problems(in: grid) == [.unknownQuestion("nope"), .unknownBonus("gift")])
        #expect(full(4, bonuses: ["pakt"]).problems(in: grid).isEmpty)
    }

    @Test("COM-04: lasting, several communal actors and transversal projects get priority points, not eligibility")
    func com04() {
        #expect(grid.bonuses.filter { $0.ruleID == "COM-04" }.map(\.code) == ["lasting", "several_actors", "transversal"])
        #expect(full(2, bonuses: ["lasting", "several_actors", "transversal"]).total(in: grid) == Points(points: 65))
        #expect(full(2).total(in: grid) == Points(points: 50))
    }

    @Test("COM-05: a priority theme of the year adds points; COM-06: a signed Pakt vum Zesummeliewen adds points")
    func com05com06() {
        #expect(grid.bonuses.first { $0.code == "priority_theme" }?.ruleID == "COM-05")
        #expect(grid.bonuses.first { $0.code == "pakt" }?.ruleID == "COM-06")
        #expect(full(3, bonuses: ["priority_theme"]).total(in: grid) == Points(points: 80))
        #expect(full(3, bonuses: ["pakt"]).total(in: grid) == Points(points: 80))
        #expect(full(3).total(in: grid) == Points(points: 75))
        #expect(ScoringGrid.amifDefault.bonuses.isEmpty)
    }

    @Test("COM-10: the officer sees each evaluator's total, the mean and the spread")
    func summary() {
        let s = ScoreSummary(totals: [Points(points: 80), Points(hundredths: 6550), Points(points: 71)])
        #expect(s.mean == Points(hundredths: 7217))  // 216.50 / 3 = 72.1666…
        #expect(s.spread == Points(hundredths: 1450))
        #expect(ScoreSummary(totals: []).mean == nil)
    }

    @Test("AMIF-02: the ranking shows the running total against the action's envelope")
    func ranking() {
        let t0 = Date(timeIntervalSince1970: 0)
        let entries = [
            Ranking.Entry(id: "b", score: Points(points: 70), requested: Money(euros: 400_000), submittedAt: t0.addingTimeInterval(10)),
            Ranking.Entry(id: "a", score: Points(points: 90), requested: Money(euros: 300_000), submittedAt: t0.addingTimeInterval(20)),
            Ranking.Entry(id: "c", score: Points(points: 70), requested: Money(euros: 100_000), submittedAt: t0),
        ]
        let lines = Ranking.rank(entries, envelope: Money(euros: 600_000))
        #expect(lines.map(\.entry.id) == ["a", "c", "b"])
        #expect(lines.map(\.runningTotal) == [Money(euros: 300_000), Money(euros: 400_000), Money(euros: 800_000)])
        #expect(lines.map(\.fitsEnvelope) == [true, true, false])
    }

    @Test("COM-15: only a complete file moves on; the officer may ask for missing items with a later due date")
    func com15() throws {
        let complete = Completeness(missingDocuments: [], incompleteSections: [], declared: true)
        let missing = Completeness(missingDocuments: ["Relevé d'identité bancaire"], incompleteSections: [], declared: true)
        try Instruction.checkComplete(from: .submitted, completeness: complete)
        #expect(throws: Instruction.Refusal.incompleteFile) { try Instruction.checkComplete(from: .submitted, completeness: missing) }
        #expect(throws: Instruction.Refusal.wrongStatus) { try Instruction.checkComplete(from: .draft, completeness: complete) }
        try Instruction.checkRequestItems(from: .submitted, items: ["RIB"], due: today.adding(days: 14), today: today)
        #expect(throws: Instruction.Refusal.nothingRequested) {
            try Instruction.checkRequestItems(from: .submitted, items: [" "], due: today.adding(days: 14), today: today)
        }
        #expect(throws: Instruction.Refusal.dueDateNotLater) {
            try Instruction.checkRequestItems(from: .submitted, items: ["RIB"], due: today, today: today)
        }
        try Instruction.checkItemsProvided(from: .incomplete)
        #expect(throws: Instruction.Refusal.wrongStatus) { try Instruction.checkItemsProvided(from: .submitted) }
        // A decision on an incomplete file is refused.
        let proposal = GrantProposal(cap: FundingCap(limits: []), requested: Money(euros: 1_000))
        #expect(throws: Instruction.Refusal.incompleteFile) { try Instruction.checkApprove(from: .incomplete, amount: Money(euros: 1), proposal: proposal) }
    }

    @Test("COM-03, AMIF-04: every checklist item needs an answer and a justification; a failed item leads to rejection")
    func com03() throws {
        let items = EligibilityReview.items(for: .communes)
        #expect(items.filter { $0.ruleID == "COM-03" }.count == 2)
        #expect(EligibilityReview.items(for: .amif).contains { $0.ruleID == "AMIF-04" })
        var review = EligibilityReview(items: items, answers: [:])
        #expect(throws: Instruction.Refusal.checklistUnanswered) { try Instruction.checkEligible(from: .inReview, review: review, automaticFailures: 0) }
        for i in items { review.answers[i.code] = .init(passed: true, justification: "Vu dans la description.") }
        try Instruction.checkEligible(from: .inReview, review: review, automaticFailures: 0)
        #expect(throws: Instruction.Refusal.failedCheckMustBeRejected) {
            try Instruction.checkEligible(from: .inReview, review: review, automaticFailures: 1)
        }
        review.answers["two_way"] = .init(passed: false, justification: " ")
        #expect(throws: Instruction.Refusal.justificationMissing) { try Instruction.checkEligible(from: .inReview, review: review, automaticFailures: 0) }
        review.answers["two_way"] = .init(passed: false, justification: "Aucune plus-value pour la société d'accueil.")
        #expect(throws: Instruction.Refusal.failedCheckMustBeRejected) {
            try Instruction.checkEligible(from: .inReview, review: review, automaticFailures: 0)
        }
        #expect(review.failed.map(\.code) == ["two_way"])
    }

    @Test("COM-07, AMIF-02: the proposal is the lowest of the cap and the request, naming the binding limit")
    func proposal() throws {
        let cap = FundingCap.compute(ruleSet: .amif, eligibleTotal: Money(euros: 200_000), maxAmount: nil, maxRate: Rate(percent: 75),
                                     action: (code: "B.1", rate: Rate(percent: 75), remaining: Money(euros: 100_000)),
                                     globalRemaining: Money(euros: 900_000))
        let p = GrantProposal(cap: cap, requested: Money(euros: 150_000))
        #expect(p.maximum == Money(euros: 100_000))
        #expect(p.binding?.ruleID == "AMIF-02" && p.binding?.kind == .envelopeRemaining("B.1"))
        try Instruction.checkApprove(from: .evaluated, amount: Money(euros: 100_000), proposal: p)
        #expect(throws: Instruction.Refusal.aboveMaximum) { try Instruction.checkApprove(from: .evaluated, amount: Money(cents: 10_000_001), proposal: p) }
        #expect(throws: Instruction.Refusal.amountNotPositive) { try Instruction.checkApprove(from: .evaluated, amount: .zero, proposal: p) }
        // The request binds when it is the lowest.
        let small = GrantProposal(cap: cap, requested: Money(euros: 50_000))
        #expect(small.maximum == Money(euros: 50_000) && small.binding == nil)
        // COM-07 for communes: 75 % of the eligible cost binds below 100,000 €.
        let com = GrantProposal(cap: FundingCap.compute(ruleSet: .communes, eligibleTotal: Money(euros: 40_000), maxAmount: Money(euros: 100_000),
                                                        maxRate: Rate(percent: 75)), requested: Money(euros: 40_000))
        #expect(com.maximum == Money(euros: 30_000) && com.binding?.ruleID == "COM-07")
        // COM-07: within the funds still available in the budget year.
        let late = GrantProposal(cap: FundingCap.compute(ruleSet: .communes, eligibleTotal: Money(euros: 40_000), maxAmount: Money(euros: 100_000),
                                                         maxRate: Rate(percent: 75), globalRemaining: Money(euros: 12_000)),
                                 requested: Money(euros: 30_000))
        #expect(late.maximum == Money(euros: 12_000) && late.binding?.kind == .globalRemaining)
    }

    @Test("COM-17: a rejection gives reasons; an approval is cancelled only with a reason")
    func com17() throws {
        try Instruction.checkReject(from: .evaluated, reasons: "Budget épuisé.")
        #expect(throws: Instruction.Refusal.reasonsMissing) { try Instruction.checkReject(from: .evaluated, reasons: "  ") }
        #expect(throws: Instruction.Refusal.wrongStatus) { try Instruction.checkReject(from: .approved, reasons: "x") }
        try Instruction.checkCancelApproval(from: .approved, reason: "Projet annulé par la commune.")
        #expect(throws: Instruction.Refusal.reasonsMissing) { try Instruction.checkCancelApproval(from: .approved, reason: "") }
        #expect(throws: Instruction.Refusal.wrongStatus) { try Instruction.checkCancelApproval(from: .evaluated, reason: "x") }
        try Instruction.checkConsolidate(from: .inEvaluation, handedIn: 2, assessment: "Projet solide.")
        #expect(throws: Instruction.Refusal.noScorecard) { try Instruction.checkConsolidate(from: .inEvaluation, handedIn: 0, assessment: "x") }
        #expect(throws: Instruction.Refusal.assessmentMissing) { try Instruction.checkConsolidate(from: .inEvaluation, handedIn: 1, assessment: "") }
    }

    @Test("COM-18: the report is due 6 weeks after the project ends, at the latest on 31 January")
    func com18() {
        #expect(Obligations.reportDue(projectEnd: CalendarDate(year: 2027, month: 6, day: 30)) == CalendarDate(year: 2027, month: 8, day: 11))
        #expect(Obligations.reportDue(projectEnd: CalendarDate(year: 2027, month: 12, day: 31)) == CalendarDate(year: 2028, month: 1, day: 31))
        #expect(Obligations.reportDue(projectEnd: CalendarDate(year: 2027, month: 12, day: 15)) == CalendarDate(year: 2028, month: 1, day: 26))
    }

    @Test("COM-17, COM-18, COM-19, COM-20, COM-21: a communes letter lists the obligations (purpose, restitution, double funding), the report dated by the project's end")
    func letterCommunes() {
        let end = CalendarDate(year: 2027, month: 12, day: 15)
        let list = DecisionLetter.obligations(ruleSet: .communes, projectEnd: end, costPeriodEnd: nil)
        #expect(list.map(\.ruleID) == ["COM-18", "COM-18", "COM-18", "COM-19", "COM-20", "COM-21"])
        #expect(list.suffix(3).map(\.key) == ["letter.obligation.purpose", "letter.obligation.restitution", "letter.obligation.double_funding"])
        #expect(list.first { $0.key == "letter.obligation.report" }?.due == CalendarDate(year: 2028, month: 1, day: 26))
        // Without a project end the report has no date to print (the letter then says "6 weeks after the end").
        #expect(DecisionLetter.obligations(ruleSet: .communes, projectEnd: nil, costPeriodEnd: nil).compactMap(\.due).isEmpty)
        #expect(DecisionLetter.legalBasisKeys(ruleSet: .communes) == ["letter.basis.integration_law", "letter.basis.budget_law"])
    }

    @Test("AMIF-03: an AMIF letter ties the dates to the agreement, inside the call's cost period")
    func letterAMIF() {
        let list = DecisionLetter.obligations(ruleSet: .amif, projectEnd: nil, costPeriodEnd: CalendarDate(year: 2029, month: 1, day: 31))
        #expect(list.first?.ruleID == "AMIF-03" && list.first?.due == CalendarDate(year: 2029, month: 1, day: 31))
        #expect(!list.contains { $0.ruleID.hasPrefix("COM-") })
    }

    @Test("The rate a letter states is the grant's share of the eligible cost, rounded down")
    func letterRate() {
        #expect(Rate.share(Money(euros: 7_500), of: Money(euros: 10_000)) == Rate(percent: 75))
        // 1,000 of 3,000 is 33.333… %: the letter says 33.33 %, never 33.34 %.
        #expect(Rate.share(Money(euros: 1_000), of: Money(euros: 3_000)) == Rate(basisPoints: 3_333))
        #expect(Rate.share(Money(euros: 1_000), of: .zero) == nil)
    }
}
