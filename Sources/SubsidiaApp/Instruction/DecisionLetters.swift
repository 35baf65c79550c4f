import Fluent
import Foundation
import SQLKit
import SubsidiaCore
import SubsidiaDocuments
import Vapor

/// The decision letter (COM-17) as a PDF in the applicant's language: who decides, the reference, the
/// amount and rate granted or the reasons, the obligations of COM-18 with their dates, the means of appeal
/// and the legal basis. It is written once, when the decision is taken, and kept as sent.
enum DecisionLetters {
    /// The language the applicant used last: that of the member who submitted the latest version; French
    /// when that person chose none.
    static func language(of application: UUID, on store: any StoreReading) async throws -> Language {
        struct Row: Decodable { let language: String? }
        let row = try await store.first(Row.self, """
            SELECT u.language FROM application_submissions s JOIN users u ON u.id = s.submitted_by \
            WHERE s.application_id = \(bind: application) ORDER BY s.number DESC LIMIT 1
            """)
        return row?.language.flatMap(Language.init(rawValue:)) ?? .fr
    }

    /// One decision as lists show it, without the letter's bytes.
    struct Row: Decodable, Sendable {
        let id: UUID
        let application_id: UUID
        let kind: String
        let amount_cents: Int64?
        let reasons: String
        let decided_at: Date
        let letter_language: String?
        let letter_opened_at: Date?
        var title: String?
        var reference: String?

        var href: String { "/applications/\(application_id)/letters/\(id)" }
    }

    static let columns = "d.id, d.application_id, d.kind, d.amount_cents, d.reasons, d.decided_at, d.letter_language, d.letter_opened_at"

    /// The decisions of one application, newest first.
    static func list(of application: UUID, on store: any StoreReading) async throws -> [Row] {
        return try await store.rows(Row.self, """
            SELECT \(unsafeRaw: columns), NULL AS title, NULL AS reference FROM decisions d \
            WHERE d.application_id = \(bind: application) ORDER BY d.decided_at DESC
            """)
    }

    /// The letters not yet opened by anyone of the user's organisations: the dashboard's notices.
    static func unopened(for user: UUID, on store: any StoreReading) async throws -> [Row] {
        return try await store.rows(Row.self, """
            SELECT \(unsafeRaw: columns), a.title, a.reference FROM decisions d \
            JOIN applications a ON a.id = d.application_id \
            JOIN memberships m ON m.organisation_id = a.organisation_id AND m.user_id = \(bind: user) \
            WHERE d.letter_opened_at IS NULL AND d.letter_language IS NOT NULL ORDER BY d.decided_at DESC LIMIT 20
            """)
    }

    /// GET /applications/:appID/letters/:decisionID: the letter as sent. The first download by a member of
    /// the applicant organisation marks it opened (staff reading it do not).
    static func download(_ req: Request) async throws -> Response {
        let access = try await ApplicationAccess.load(req)
        guard let id = req.parameters.get("decisionID", as: UUID.self),
              let d = try await req.store.query(DecisionRecord.self).filter(\.$id == id).filter(\.$application.$id == access.application.storedID).first(),
              let pdf = d.letterPDF else { throw Abort(.notFound) }
        if access.isMember && d.letterOpenedAt == nil {
            d.letterOpenedAt = req.now
            try await req.store.write { tx in
                try await tx.save(d)
                try await tx.audit("decision.letter_opened", entity: "application", id: access.application.id, summary: d.kind, by: req)
            }
        }
        return Response.pdf(Array(pdf), filename: "\(access.application.reference ?? "decision")-\(d.kind).pdf")
    }

    struct Content {
        let kind: DecisionLetter.Kind
        let reference: String
        let bundle: ApplicationBundle
        let amount: Money?
        let reasons: String
        let decidedAt: Date
        let decidedBy: String
    }

    /// Who decides (AMIF-08): the intermediate body that runs the call, for the managing authority named under
    /// it; the managing authority alone when the programme has no intermediate body.
    static func authorities(_ programme: Programme, _ t: (String, String...) -> String) -> [String] {
        guard let body = programme.intermediateBody, !body.isEmpty else { return [programme.managingAuthority] }
        return [body, t("letter.managing_authority", programme.managingAuthority)]
    }

    static func pdf(_ c: Content, language lang: Language, catalogue: Catalogue) -> [UInt8] {
        func t(_ key: String, _ args: String...) -> String { catalogue.text(key, lang, args) }
        let a = c.bundle.application
        let call = c.bundle.call.call
        let programme = c.bundle.call.programme
        let ruleSet = c.bundle.ruleSet
        var doc = PDFDocument(title: t("letter.title") + " – " + c.reference, footer: c.reference)

        // Sender and recipient
        doc.paragraph(programme.name.text(lang), style: .bold)
        doc.paragraph((authorities(programme, t) + [programme.contactEmail, programme.contactPhone ?? ""])
            .filter { !$0.isEmpty }.joined(separator: "\n"), size: 9)
        doc.space(8)
        doc.paragraph([a.legalName, a.contact1Name, a.street, a.postcode + " " + a.locality].filter { !$0.isEmpty }.joined(separator: "\n"))
        doc.space(8)
        doc.paragraph(t("letter.date_place", DateText.date(LuxembourgTime.calendarDate(of: c.decidedAt), lang)))
        doc.heading(t("letter.subject.\(c.kind.rawValue)"), level: 2)
        doc.field(t("letter.our_reference"), c.reference)
        doc.field(t("letter.application"), (a.reference ?? "") + " – " + a.title)
        doc.field(t("letter.call"), call.title.text(lang) + " (" + call.reference + ")")
        if let start = a.projectStart.flatMap(CalendarDate.init(iso:)), let end = a.projectEnd.flatMap(CalendarDate.init(iso:)) {
            doc.field(t("letter.project_period"), DateText.date(start, lang) + " – " + DateText.date(end, lang))
        }
        doc.space(6)
        doc.paragraph(t("letter.salutation"))

        let title = a.title, callTitle = call.title.text(lang)
        switch c.kind {
        case .approved:
            let granted = c.amount ?? .zero
            let eligible = c.bundle.summary.eligibleTotal
            doc.paragraph(t("letter.approved.intro", title, callTitle))
            let rate = Rate.share(granted, of: eligible)
            doc.table([.init(t("letter.col.requested"), share: 0.25, alignment: .right), .init(t("letter.col.eligible"), share: 0.25, alignment: .right),
                       .init(t("letter.col.granted"), share: 0.25, alignment: .right), .init(t("letter.col.rate"), share: 0.25, alignment: .right)],
                      [[MoneyFormatter.format(a.requested ?? .zero, language: lang), MoneyFormatter.format(eligible, language: lang),
                        MoneyFormatter.format(granted, language: lang), rate.map { MoneyFormatter.percent($0, language: lang) } ?? "–"]],
                      boldRows: [0], size: 10)
            doc.paragraph(t("letter.approved.payment"))
            doc.heading(t("letter.obligations_title"), level: 2)
            let projectEnd = a.projectEnd.flatMap(CalendarDate.init(iso:))
            let mention = programme.visibilityMention ?? ""
            for o in DecisionLetter.obligations(ruleSet: ruleSet, projectEnd: projectEnd, costPeriodEnd: call.costPeriod?.end) {
                var line = "• " + t(o.key, mention)
                if let due = o.due { line += " " + t("letter.due", DateText.date(due, lang)) }
                doc.paragraph(line + " (" + o.ruleID + ")")
            }
        case .rejected:
            doc.paragraph(t("letter.rejected.intro", title, callTitle))
            doc.heading(t("letter.reasons_title"), level: 2)
            doc.paragraph(c.reasons)
            doc.heading(t("letter.appeal_title"), level: 2)
            doc.paragraph(t("letter.appeal_text"))
        case .cancelled:
            doc.paragraph(t("letter.cancelled.intro", title, callTitle, MoneyFormatter.format(c.amount ?? .zero, language: lang)))
            doc.heading(t("letter.reasons_title"), level: 2)
            doc.paragraph(c.reasons)
            doc.heading(t("letter.appeal_title"), level: 2)
            doc.paragraph(t("letter.appeal_text"))
        }

        doc.heading(t("letter.basis_title"), level: 2)
        for key in DecisionLetter.legalBasisKeys(ruleSet: ruleSet) { doc.paragraph("• " + t(key)) }
        doc.space(6)
        doc.paragraph(t("letter.closing", programme.contactEmail))
        let signers = authorities(programme, t)
        doc.paragraph(signers[0], style: .bold)
        if signers.count > 1 { doc.paragraph(signers[1], size: 9) }
        doc.paragraph(t("letter.handled_by", c.decidedBy), size: 9)
        return doc.render(created: c.decidedAt)
    }
}
