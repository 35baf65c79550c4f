import Foundation
import SubsidiaCore
import Vapor

/// Sentences about an application that several pages show (the applicant's, the officer's, the API's messages).
enum ApplicationTexts {
    /// "You can ask at most X €", naming the rule that binds.
    static func capSentence(_ l: CapLimit, bundle: ApplicationBundle, req: Request) -> String {
        let amount = req.money(l.amount)
        switch l.kind {
        case .maximumAmount: return req.t("cap.maximum", amount, l.ruleID)
        case .rateOfEligibleCost(let r):
            return req.t("cap.rate", amount, MoneyFormatter.percent(r, language: req.language), req.money(bundle.summary.eligibleTotal), l.ruleID)
        case .category(let code):
            let label = bundle.call.items(.cap).first { $0.code == code }?.label.text(req.language) ?? code
            return req.t("cap.category", amount, label, l.ruleID)
        case .envelopeRemaining(let code): return req.t("cap.envelope", amount, code, l.ruleID)
        case .globalRemaining: return req.t("cap.global", amount, l.ruleID)
        }
    }

    static func checkResults(_ results: [RuleResult], bundle: ApplicationBundle, req: Request) -> [ApplicationsController.CheckPage.Result] {
        results.map { r in
            var statement = r.message
            // Legal forms travel as catalogue keys; show their names.
            let values = statement.values.map { v -> RuleStatement.Value in
                if case .text(let t) = v, t.hasPrefix("legal_form.") { return .text(req.t(t)) }
                return v
            }
            statement = RuleStatement(statement.ruleID, statement.key, values)
            return ApplicationsController.CheckPage.Result(ruleID: r.ruleID, outcome: r.outcome.rawValue, outcomeLabel: req.t("check.outcome." + r.outcome.rawValue),
                                    message: CallText.statement(statement, req, caps: bundle.call.items(.cap)), source: req.t("check.source", r.source))
        }
    }
}
