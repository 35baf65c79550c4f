import Foundation
import SubsidiaCore
import Vapor

/// What several pages show of an application (the applicant's, the officer's, the API's): sentences, answers as
/// text, the page that says it can no longer change.
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

    static func checkResults(_ results: [RuleResult], bundle: ApplicationBundle, req: Request) -> [ApplicationPages.CheckPage.Result] {
        results.map { r in
            var statement = r.message
            // Legal forms travel as catalogue keys; show their names.
            let values = statement.values.map { v -> RuleStatement.Value in
                if case .text(let t) = v, t.hasPrefix("legal_form.") { return .text(req.t(t)) }
                return v
            }
            statement = RuleStatement(statement.ruleID, statement.key, values)
            return ApplicationPages.CheckPage.Result(ruleID: r.ruleID, outcome: r.outcome.rawValue, outcomeLabel: req.t("check.outcome." + r.outcome.rawValue),
                                    message: CallText.statement(statement, req, caps: bundle.call.items(.cap)), source: req.t("check.source", r.source))
        }
    }

    /// A section's saved answers as label–value pairs in the reader's language ("Not provided" when empty).
    static func answersList(_ bundle: ApplicationBundle, section: ApplicationSection, req: Request) -> [ApplicationPages.SectionPage.Answer] {
        bundle.questions(in: section).map { q in
            ApplicationPages.SectionPage.Answer(label: q.label.text(req.language), value: display(bundle.answers[q.code], q, bundle: bundle, req: req))
        }
    }

    static func display(_ a: AnswerValue?, _ q: Question, bundle: ApplicationBundle, req: Request) -> String {
        guard let a else { return req.t("app.not_provided") }
        switch a {
        case .text(let t): return t
        case .integer(let n): return String(n)
        case .date(let d): return req.date(d)
        case .bool(let b): return req.t(b ? "form.yes" : "form.no")
        case .codes(let codes):
            if codes.isEmpty { return q.type == .capCategory ? req.t("app.festival_none") : req.t("app.not_provided") }
            return codes.map { code in
                switch q.type {
                case .action: return bundle.call.actions.first { $0.code == code }.map { $0.code + " – " + $0.title.text(req.language) } ?? code
                default: return bundle.call.items.first { $0.code == code }?.label.text(req.language) ?? code
                }
            }.joined(separator: "; ")
        }
    }

    static func notEditable(_ req: Request, _ bundle: ApplicationBundle) async throws -> Response {
        try await req.redirect("/applications/\(bundle.application.storedID)", flash: "app.flash.not_editable")
    }
}
