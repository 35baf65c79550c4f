import Foundation
import Testing
@testable import SubsidiaCore

@Suite("Call set-up rules")
struct CallRuleTests {
    func definition(opens: Date, closes: Date?, kind: CallKind = .fixedDeadline, rate: Rate? = Rate(percent: 75)) -> CallDefinition {
        CallDefinition(reference: "AMIF-2024", titles: [.fr: "Appel", .en: "Call", .de: "Aufruf"], kind: kind, opensAt: opens,
                       closesAt: closes, costPeriodStart: nil, costPeriodEnd: nil, leadTimeDays: 0, maxAmount: nil,
                       maxRate: rate, globalBudget: Money(euros: 3_000_000), eligibleLegalForms: [.asbl])
    }

    let opens = LuxembourgTime.instant(CalendarDate(year: 2024, month: 5, day: 9))
    let closes = LuxembourgTime.endOfDay(CalendarDate(year: 2024, month: 9, day: 20))

    @Test("AMIF-01: a call closes after it opens; a fixed-deadline call needs a deadline")
    func window() {
        #expect(definition(opens: opens, closes: closes).problems().isEmpty)
        #expect(definition(opens: closes, closes: opens).problems().map(\.field) == ["closes_at"])
        #expect(definition(opens: opens, closes: nil).problems().map(\.key) == ["error.call.deadline_required"])
        #expect(definition(opens: opens, closes: nil, kind: .rolling).problems().isEmpty)
    }

    @Test("AMIF-09: a rate is between 0 and 100 %")
    func rate() {
        #expect(definition(opens: opens, closes: closes, rate: Rate(basisPoints: 10_001)).problems().map(\.field) == ["max_rate"])
        #expect(definition(opens: opens, closes: closes, rate: Rate(percent: 90)).problems().isEmpty)
    }

    @Test("AMIF-02: envelopes sum to at most the global budget (the seeded 3,000,000 € fits exactly)")
    func envelopes() throws {
        let global = Money(euros: 3_000_000)
        let seeded = [600_000, 900_000, 1_000_000, 200_000].map { Money(euros: $0) }
        try EnvelopeRules.check(envelope: Money(euros: 300_000), rate: Rate(percent: 75), otherEnvelopes: seeded, globalBudget: global)
        #expect(throws: EnvelopeRules.Problem.envelopesExceedGlobalBudget) {
            try EnvelopeRules.check(envelope: Money(cents: 30_000_001), rate: Rate(percent: 75), otherEnvelopes: seeded, globalBudget: global)
        }
        #expect(throws: EnvelopeRules.Problem.rateOutOfRange) {
            try EnvelopeRules.check(envelope: Money(euros: 1), rate: Rate(basisPoints: 10_100), otherEnvelopes: [], globalBudget: nil)
        }
        #expect(throws: EnvelopeRules.Problem.envelopeNotPositive) {
            try EnvelopeRules.check(envelope: .zero, rate: Rate(percent: 75), otherEnvelopes: [], globalBudget: nil)
        }
    }

    @Test("COM-07, COM-08, COM-13: the communes call's rules are stated with its own values")
    func communesStatements() {
        let facts = CallFacts(
            ruleSet: .communes, kind: .rolling, opensAt: opens, closesAt: nil,
            costPeriod: DatePeriod(start: CalendarDate(year: 2023, month: 1, day: 1), end: CalendarDate(year: 2023, month: 12, day: 31)),
            leadTimeDays: 21, maxAmount: Money(euros: 100_000), maxRate: Rate(percent: 75), globalBudget: nil,
            categoryCaps: [("Fête", Money(euros: 3_000)), ("Fête active", Money(euros: 5_000))], themeCount: 3,
            hasInformationSessions: false)
        let s = CallRuleSummary.statements(for: facts)
        #expect(s.first { $0.ruleID == "COM-07" }?.values == [.money(Money(euros: 100_000)), .rate(Rate(percent: 75))])
        #expect(s.filter { $0.ruleID == "COM-08" }.map(\.values) == [[.text("Fête"), .money(Money(euros: 3_000))],
                                                                      [.text("Fête active"), .money(Money(euros: 5_000))]])
        #expect(s.first { $0.ruleID == "COM-13" }?.values == [.count(21)])
        #expect(s.contains { $0.ruleID == "COM-01" } && !s.contains { $0.ruleID.hasPrefix("AMIF") })
        // Without a lead time the COM-13 sentence is not shown.
        var noLead = facts
        noLead.leadTimeDays = 0
        #expect(!CallRuleSummary.statements(for: noLead).contains { $0.ruleID == "COM-13" })
    }

    @Test("AMIF-05: a full session, a second registration and a past session are refused")
    func sessions() throws {
        let now = LuxembourgTime.instant(CalendarDate(year: 2024, month: 6, day: 1))
        let starts = LuxembourgTime.instant(CalendarDate(year: 2024, month: 6, day: 12), hour: 14)
        try SessionRegistrationRules.check(capacity: 2, registered: 1, emailAlreadyRegistered: false, startsAt: starts, now: now)
        #expect(throws: SessionRegistrationRules.Refusal.full) {
            try SessionRegistrationRules.check(capacity: 2, registered: 2, emailAlreadyRegistered: false, startsAt: starts, now: now)
        }
        #expect(throws: SessionRegistrationRules.Refusal.alreadyRegistered) {
            try SessionRegistrationRules.check(capacity: 2, registered: 0, emailAlreadyRegistered: true, startsAt: starts, now: now)
        }
        #expect(throws: SessionRegistrationRules.Refusal.sessionPast) {
            try SessionRegistrationRules.check(capacity: 2, registered: 0, emailAlreadyRegistered: false, startsAt: now, now: now)
        }
    }
}

@Suite("Accounts: passwords, throttling, memberships")
struct AccountRuleTests {
    @Test("Passwords: at least 12 characters, not the email")
    func passwords() throws {
        try PasswordPolicy.check("a long enough phrase", email: "x@y.lu")
        #expect(throws: PasswordPolicy.Problem.tooShort) { try PasswordPolicy.check("short", email: "x@y.lu") }
        #expect(throws: PasswordPolicy.Problem.sameAsEmail) { try PasswordPolicy.check("someone@commune.lu", email: "someone@commune.lu") }
    }

    @Test("Throttling: the fifth failure locks the account for 15 minutes, then it may try again")
    func throttle() {
        let t = LoginThrottle.perAccount
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        var r: LoginThrottle.Record?
        for i in 0..<4 { r = t.recordingFailure(r, now: now + Double(i)) }
        #expect(t.lockedUntil(r, now: now + 10) == nil)
        r = t.recordingFailure(r, now: now + 10)
        #expect(t.lockedUntil(r, now: now + 11) == now + 10 + 900)
        #expect(t.lockedUntil(r, now: now + 10 + 901) == nil)
        // Failures spread beyond the window start a new count.
        let old = LoginThrottle.Record(failures: 4, windowStart: now, lastFailure: now)
        #expect(t.recordingFailure(old, now: now + 3_600).failures == 1)
    }

    @Test("The last owner can neither leave nor be demoted")
    func lastOwner() throws {
        #expect(throws: MembershipRules.Refusal.lastOwner) { try MembershipRules.checkChange(of: .owner, to: nil, ownerCount: 1) }
        #expect(throws: MembershipRules.Refusal.lastOwner) { try MembershipRules.checkChange(of: .owner, to: .editor, ownerCount: 1) }
        try MembershipRules.checkChange(of: .owner, to: .editor, ownerCount: 2)
        try MembershipRules.checkChange(of: .editor, to: nil, ownerCount: 1)
    }

    @Test("COM-01 and AMIF-04: the legal forms of both calls exist, communal ones are marked")
    func legalForms() {
        #expect(LegalForm.commune.isCommunalSector && LegalForm.syndicatDeCommunes.isCommunalSector)
        #expect(!LegalForm.asbl.isCommunalSector)
        #expect(LegalForm.allCases.count == 11)
    }
}
