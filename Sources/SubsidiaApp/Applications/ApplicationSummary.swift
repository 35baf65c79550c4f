import Foundation
import SubsidiaCore
import SubsidiaDocuments
import Vapor

/// The whole application in reading order: the "Check your answers" page and the PDF for signature share it.
enum ApplicationSummary {
    struct Group {
        let section: ApplicationSection
        let heading: String
        let answers: [ApplicationPages.SectionPage.Answer]
    }

    /// `blind`: for evaluators of a blind-review call, nothing that names the applicant: no applicant,
    /// previous-subsidies or declaration section, no revenue sources and no file names.
    static func groups(_ bundle: ApplicationBundle, req: Request, blind: Bool = false) -> [Group] {
        typealias Answer = ApplicationPages.SectionPage.Answer
        let a = bundle.application
        let np = req.t("app.not_provided")
        func or(_ s: String?) -> String { (s?.isEmpty ?? true) ? np : s! }
        var out: [Group] = []
        let hidden: Set<ApplicationSection> = blind ? [.applicant, .previousSubsidies, .declaration] : []
        for s in bundle.formSections where !hidden.contains(s) {
            var rows: [Answer] = []
            switch s {
            case .applicant:
                rows = [
                    Answer(label: req.t("org.legal_name"), value: a.legalName),
                    Answer(label: req.t("org.legal_form"), value: req.t("legal_form." + a.legalForm)),
                    Answer(label: req.t("org.section.address"), value: "\(a.street), \(a.postcode) \(a.locality), \(a.country)"),
                    Answer(label: req.t("org.phone"), value: or(a.phone)),
                    Answer(label: req.t("org.website"), value: or(a.website)),
                    Answer(label: req.t("org.bank_holder"), value: or(a.bankHolder)),
                    Answer(label: req.t("org.iban"), value: or(a.iban.flatMap { try? IBAN($0) }?.formatted ?? a.iban)),
                    Answer(label: req.t("org.bic"), value: or(a.bic)),
                    Answer(label: req.t("org.section.contact1"), value: [a.contact1Name, a.contact1Function, a.contact1Phone, a.contact1Email].joined(separator: ", ")),
                    Answer(label: req.t("org.section.contact2"), value: or([a.contact2Name, a.contact2Function, a.contact2Phone, a.contact2Email]
                        .compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ", "))),
                ]
                if bundle.ruleSet == .communes {
                    rows.append(Answer(label: req.t("app.applicant.revenue_article"), value: a.revenueArticle.map { req.t($0 ? "form.yes" : "form.no") } ?? np))
                }
            case .project, .relevance, .feasibility, .evaluation, .otherFunding:
                rows = ApplicationTexts.answersList(bundle, section: s, req: req)
            case .budget:
                let sum = bundle.summary
                rows = bundle.expenses.map { e in
                    Answer(label: req.t(ExpenseCategory(rawValue: e.category)?.labelKey ?? "budget.cat8"),
                           value: e.detail + (e.justification.isEmpty ? "" : " – " + e.justification) + " : " + req.money(Money(cents: e.amountCents))
                               + (e.line.isEligible ? "" : " (" + req.t("budget.not_eligible") + ")"))
                }
                if rows.isEmpty { rows.append(Answer(label: req.t("budget.lines"), value: np)) }
                rows.append(Answer(label: req.t("budget.total_a"), value: req.money(sum.totalExpenses)))
                rows.append(Answer(label: req.t("budget.eligible_total"), value: req.money(sum.eligibleTotal)))
                rows.append(Answer(label: req.t("budget.requested"), value: a.requested.map { req.money($0) } ?? np))
            case .financing:
                let sum = bundle.summary
                rows = bundle.revenues.map { r in
                    Answer(label: req.t(RevenueKind(rawValue: r.kind)?.labelKey ?? "revenue.own"),
                           value: (blind ? "" : [r.source, r.detail].filter { !$0.isEmpty }.joined(separator: " – ") + " : ")
                               + req.money(Money(cents: r.amountCents)))
                }
                if rows.isEmpty { rows.append(Answer(label: req.t("budget.revenues"), value: np)) }
                rows.append(Answer(label: req.t("budget.total_b"), value: req.money(sum.totalRevenues)))
                if sum.loans > .zero { rows.append(Answer(label: req.t("budget.of_which_loans"), value: req.money(sum.loans))) }
                rows.append(Answer(label: req.t("budget.balance"), value: req.money(sum.balance)))
            case .previousSubsidies:
                rows = bundle.previous.map { p in
                    Answer(label: "\(p.projectName) (\(p.year))", value: req.t(p.granted ? "previous.granted_yes" : "previous.granted_no"))
                }
                if rows.isEmpty { rows.append(Answer(label: req.t("section.previous_subsidies"), value: req.t("previous.none"))) }
            case .documents:
                rows = bundle.call.items(.document).map { item in
                    let files = bundle.documents.filter { $0.item_code == item.code }.map(\.filename)
                    let value = blind ? req.t("app.files_received", String(files.count)) : files.joined(separator: ", ")
                    return Answer(label: item.label.text(req.language), value: files.isEmpty ? np : value)
                }
            case .declaration:
                rows = [Answer(label: req.t("app.declaration.name"), value: or(a.declarationName)),
                        Answer(label: req.t("app.declaration.function"), value: or(a.declarationFunction)),
                        Answer(label: req.t("app.declaration.place"), value: or(a.declarationPlace)),
                        Answer(label: req.t("app.declaration.date"), value: a.declarationDate.flatMap(CalendarDate.init(iso:)).map { req.date($0) } ?? np)]
            }
            out.append(Group(section: s, heading: req.t(s.labelKey), answers: rows))
        }
        return out
    }

    /// The filled-in application as a PDF, for the person who can commit the applicant to sign (COM-11).
    static func pdf(_ bundle: ApplicationBundle, req: Request) -> [UInt8] {
        let a = bundle.application
        let lang = req.language
        var doc = PDFDocument(title: req.t("pdf.application_title") + " – " + (a.title.isEmpty ? req.t("app.untitled") : a.title),
                              footer: a.reference ?? bundle.call.call.reference)
        doc.heading(req.t("pdf.application_title"))
        doc.paragraph(bundle.call.call.title.text(lang) + " (" + bundle.call.call.reference + ")")
        for g in groups(bundle, req: req) where g.section != .budget && g.section != .financing {
            doc.heading(g.heading, level: 2)
            for r in g.answers { doc.field(r.label, r.value) }
        }
        let sum = bundle.summary
        doc.heading(req.t("section.budget"), level: 2)
        var rows = bundle.expenses.map { e in
            [String(e.category) + ". " + req.t(ExpenseCategory(rawValue: e.category)?.labelKey ?? "budget.cat8"),
             e.detail + (e.justification.isEmpty ? "" : " – " + e.justification) + (e.line.isEligible ? "" : " (" + req.t("budget.not_eligible") + ")"),
             req.money(Money(cents: e.amountCents))]
        }
        rows.append([req.t("budget.total_a"), "", req.money(sum.totalExpenses)])
        rows.append([req.t("budget.eligible_total"), "", req.money(sum.eligibleTotal)])
        doc.table([.init(req.t("budget.category"), share: 0.3), .init(req.t("budget.detail"), share: 0.48), .init(req.t("budget.amount"), share: 0.22, alignment: .right)],
                  rows, boldRows: [rows.count - 2, rows.count - 1])
        var rev = bundle.revenues.map { r in
            [String(RevenueKind(rawValue: r.kind)?.line ?? 11) + ". " + req.t(RevenueKind(rawValue: r.kind)?.labelKey ?? "revenue.own"),
             [r.source, r.detail].filter { !$0.isEmpty }.joined(separator: " – "), req.money(Money(cents: r.amountCents))]
        }
        rev.append([req.t("budget.total_b"), sum.loans > .zero ? req.t("budget.of_which_loans") + " " + req.money(sum.loans) : "", req.money(sum.totalRevenues)])
        rev.append([req.t("budget.balance"), "", req.money(sum.balance)])
        rev.append([req.t("budget.requested"), "", a.requested.map { req.money($0) } ?? req.t("app.not_provided")])
        doc.table([.init(req.t("budget.revenue_kind"), share: 0.3), .init(req.t("budget.detail"), share: 0.48), .init(req.t("budget.amount"), share: 0.22, alignment: .right)],
                  rev, boldRows: [rev.count - 3, rev.count - 2, rev.count - 1])
        doc.heading(req.t("pdf.signature"), level: 2)
        doc.paragraph(req.t("pdf.signature_text"))
        doc.field(req.t("pdf.done_at"), a.declarationPlace ?? "")
        doc.field(req.t("app.declaration.date"), a.declarationDate.flatMap(CalendarDate.init(iso:)).map { req.date($0) } ?? "")
        doc.field(req.t("app.declaration.name"), [a.declarationName, a.declarationFunction].compactMap { $0 }.joined(separator: ", "))
        doc.field(req.t("pdf.signature_line"), "\n\n______________________________")
        return doc.render(created: a.updatedAt ?? req.now)
    }
}
