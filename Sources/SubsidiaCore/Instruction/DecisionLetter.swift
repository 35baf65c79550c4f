import Foundation

/// What a decision letter says (COM-17), apart from its wording: which paragraphs, obligations with their
/// dates (COM-18, COM-19) and legal basis a letter carries for a rule set. The wording is in the locale
/// catalogues under the keys named here, so the same letter exists in French, English and German.
public enum DecisionLetter {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case approved, rejected, cancelled
    }

    /// One obligation of a granted applicant; `due` is set when the obligation has a date.
    public struct Obligation: Sendable, Equatable {
        public let ruleID: String
        public let key: String
        public let due: CalendarDate?
    }

    /// COM-18 for the communes subsidy: the mention and the logo; changes reported at once; the financial
    /// statement (Annex 3) with receipts and the implementation report within 6 weeks after the project ends
    /// and at the latest on 31 January of the following year. COM-19/COM-20/COM-21: the subsidy serves its
    /// purpose, and what was unduly received is repaid.
    /// AMIF: the project's dates and reports are those of the bilateral agreement, inside the call's cost
    /// period (AMIF-03); material carries the EU emblem with its mention (Regulation (EU) 2021/1060).
    public static func obligations(ruleSet: RuleSet, projectEnd: CalendarDate?, costPeriodEnd: CalendarDate?) -> [Obligation] {
        switch ruleSet {
        case .communes:
            return [
                Obligation(ruleID: "COM-18", key: "letter.obligation.visibility", due: nil),
                Obligation(ruleID: "COM-18", key: "letter.obligation.changes", due: nil),
                Obligation(ruleID: "COM-18", key: "letter.obligation.report", due: projectEnd.map(Obligations.reportDue(projectEnd:))),
                Obligation(ruleID: "COM-19", key: "letter.obligation.purpose", due: nil),
                Obligation(ruleID: "COM-20", key: "letter.obligation.restitution", due: nil),
                Obligation(ruleID: "COM-21", key: "letter.obligation.double_funding", due: nil),
            ]
        case .amif:
            return [
                Obligation(ruleID: "AMIF-03", key: "letter.obligation.agreement", due: costPeriodEnd),
                Obligation(ruleID: "AMIF-09", key: "letter.obligation.eu_visibility", due: nil),
                Obligation(ruleID: "AMIF-03", key: "letter.obligation.changes", due: nil),
            ]
        }
    }

    /// The texts the decision rests on, as catalogue keys: seed 003 (art. 14 of the amended law of
    /// 16 December 2008; the amended law of 8 June 1999, art. 83) and seed 001 (Regulation (EU) 2021/1147).
    public static func legalBasisKeys(ruleSet: RuleSet) -> [String] {
        switch ruleSet {
        case .communes: ["letter.basis.integration_law", "letter.basis.budget_law"]
        case .amif: ["letter.basis.amif_regulation", "letter.basis.cpr_regulation"]
        }
    }
}
