import Crypto
import Fluent
import Foundation
import SQLKit
import SubsidiaCore
import SubsidiaDocuments
import Vapor

/// Submitting: a reference number, a server time stamp, the submitted content kept with its SHA-256, and an
/// acknowledgement of receipt listing documents received and missing (COM-14), as a page, a PDF and a mail.
enum Submission {
    /// What was submitted, as kept on record (the fingerprint is the SHA-256 of this JSON).
    struct Snapshot: Codable, Sendable {
        struct Answer: Codable, Sendable {
            let code: String
            let value: String
        }

        struct Line: Codable, Sendable {
            let category: Int
            let detail: String
            let justification: String
            let amountCents: Int64
            let eligible: Bool
        }

        struct Revenue: Codable, Sendable {
            let kind: String
            let source: String
            let detail: String
            let amountCents: Int64
        }

        struct Document: Codable, Sendable {
            let code: String
            let label: Localized
            let required: Bool
            let received: Bool
            let files: [String]
        }

        let reference: String
        let version: Int
        let call: String
        let applicant: String
        let title: String
        let projectStart: String?
        let projectEnd: String?
        let action: String?
        let requestedCents: Int64?
        let answers: [Answer]
        let expenses: [Line]
        let revenues: [Revenue]
        let documents: [Document]
        let documentHashes: [String]
        let declaration: String?
        let warnings: [String]
    }

    struct Result {
        let reference: String
        let version: Int
        let contentSHA256: String
    }

    /// Submits in two short write transactions, with the receipt built between them. The first gives the
    /// application its reference (kept from an earlier submission, or the call's next number, set on the
    /// application at once so that a failed submission does not leave a gap in the sequence). The snapshot, its
    /// SHA-256, the receipt PDF and the mail are then built outside any transaction: inside, they held the write
    /// gate on SQLite (every other change of the process waited for a PDF to be drawn) and the call's counter on
    /// PostgreSQL (every other submission to the call waited), for most of a submission's time. The second
    /// transaction records the submission if the application is still the draft that was checked; a submission
    /// that came in between (a second click, another tab) makes this one fail with 409 and change nothing.
    static func submit(_ req: Request, bundle: ApplicationBundle, results: [RuleResult], now: Date) async throws -> Result {
        let a = bundle.application
        let appID = try a.requireID()
        let call = bundle.call.call
        let user = try req.requireUser()
        let reference = try await reference(of: a, call: call, req: req)
        let version = a.submissionCount + 1
        let present = Dictionary(grouping: bundle.documents.filter { $0.item_code != nil }, by: { $0.item_code! })
        let docs = bundle.call.items(.document).map { item in
            Snapshot.Document(code: item.code, label: item.label, required: item.required, received: present[item.code] != nil,
                              files: present[item.code]?.map(\.filename) ?? [])
        }
        let snapshot = Snapshot(
            reference: reference, version: version, call: call.reference, applicant: a.legalName, title: a.title,
            projectStart: a.projectStart, projectEnd: a.projectEnd, action: a.actionCode, requestedCents: a.requestedCents,
            answers: bundle.questions.compactMap { q in
                bundle.answers[q.code].map { Snapshot.Answer(code: q.code, value: plain($0)) }
            },
            expenses: bundle.expenses.map { Snapshot.Line(category: $0.category, detail: $0.detail, justification: $0.justification,
                                                          amountCents: $0.amountCents, eligible: $0.line.isEligible) },
            revenues: bundle.revenues.map { Snapshot.Revenue(kind: $0.kind, source: $0.source, detail: $0.detail, amountCents: $0.amountCents) },
            documents: docs, documentHashes: bundle.documents.map { $0.filename + " " + $0.sha256 },
            declaration: a.declarationName.map { "\($0), \(a.declarationFunction ?? ""), \(a.declarationPlace ?? ""), \(a.declarationDate ?? "")" },
            warnings: results.filter { $0.outcome == .warning }.map(\.ruleID))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = try encoder.encode(snapshot)
        let hash = SHA256.hash(data: json).hex
        let pdf = receiptPDF(snapshot, hash: hash, submittedAt: now, bundle: bundle, language: req.language, req: req)
        let description: String = { if case .text(let t)? = bundle.answers["description"] { return t } else { return "" } }()

        // COM-14: the same acknowledgement goes out by mail, with the missing documents.
        let missing = docs.filter { $0.required && !$0.received }.map { "- " + $0.label.text(req.language) }
        var body = req.t("receipt.mail.body", reference, req.dateTime(now), a.title, call.title.text(req.language), hash)
        if !missing.isEmpty { body += "\n\n" + req.t("receipt.missing") + "\n" + missing.joined(separator: "\n") }
        body += "\n\n" + req.application.subsidiaConfig.baseURL + "/applications/\(appID)/receipt"
        let subject = req.t("receipt.mail.subject", reference)
        let recipients = a.contact1Email.lowercased() == user.email.lowercased() ? [user.email] : [user.email, a.contact1Email]
        let mailBody = body

        // One write, all or nothing: the application submitted if it is still the draft that was checked (a
        // submission that came in between, a second click or another tab, makes this one fail with 409), the kept
        // submission, the search entry, the mails, the audit event, and the flash of the page that follows (COM-14).
        // On SQLite it is committed with the other writes that arrive meanwhile (`CommitGroup`), on PostgreSQL in a
        // transaction of its own.
        let store = req.store
        let flash = version == 1 ? "app.flash.submitted" : "app.flash.resubmitted"
        var writes: [SQLQueryString] = [
            """
            UPDATE applications SET status = \(bind: ApplicationStatus.submitted.rawValue), reference = \(bind: reference), \
            submitted_at = \(bind: now), submission_count = \(bind: version), updated_at = \(bind: now) \
            WHERE id = \(bind: appID) AND status = \(bind: ApplicationStatus.draft.rawValue) AND submission_count = \(bind: a.submissionCount) \
            AND content_version = \(bind: a.contentVersion ?? 0) RETURNING id
            """,
            """
            INSERT INTO \(ident: ApplicationSubmission.schema) \
            (id, application_id, number, submitted_at, submitted_by, content_sha256, snapshot, receipt_pdf) \
            VALUES (\(bind: UUID()), \(bind: appID), \(bind: version), \(bind: now), \(bind: try user.requireID()), \(bind: hash), \
            \(bind: String(decoding: json, as: UTF8.self)), \(bind: Data(pdf)))
            """,
            SearchIndex.upsert(appID, title: a.title, applicant: a.legalName, reference: reference, description: description, on: store.engine),
        ]
        for to in recipients {
            writes.append(Mailer.insert(to: to, userID: to == user.email ? user.id : nil, subject: subject, body: mailBody, kind: "receipt", now: now))
        }
        writes.append(Audit.insert("application.submitted", entity: "application", id: appID, summary: "\(reference) v\(version) \(hash)", by: req))
        if let session = req.browserSession {
            writes.append("UPDATE \(ident: StoredSession.schema) SET flash = \(bind: flash) WHERE id = \(bind: session.id)")
            session.flash = flash
        }
        do {
            // The first statement must change the application's row: otherwise the draft was submitted meanwhile.
            try await store.commit(writes)
        } catch is StoreConflict {
            throw Abort(.conflict)
        }
        a.reference = reference
        a.status = ApplicationStatus.submitted.rawValue
        a.submittedAt = now
        a.submissionCount = version
        a.updatedAt = now
        return Result(reference: reference, version: version, contentSHA256: hash)
    }

    /// The application's reference: the one it has, or the call's next number, set on it in a write of its own.
    /// Its first statement writes (the counter): on SQLite a transaction that reads first and then writes fails at
    /// once ("database is locked") when another connection wrote in between. When a second click set a reference
    /// first, this one's number is rolled back and that reference is used. On SQLite the write is group-committed
    /// on the writer connection (`CommitGroup`): as a transaction of Fluent's it held the write gate across four
    /// trips between busy event loops and sqlite-nio's threads, and bounded the submissions' rate.
    static func reference(of app: GrantApplication, call: Call, req: Request) async throws -> String {
        if let existing = app.reference { return existing }
        let id = try app.requireID()
        let callID = try call.requireID()
        let callReference = call.reference
        let store = req.store
        do {
            let number = try await store.allocate(counterNext(callID)) { number in
                setReference(SubmissionReference.make(callReference: callReference, sequence: number), on: id)
            }
            return SubmissionReference.make(callReference: callReference, sequence: number)
        } catch is StoreConflict {
            // A second click set a reference first: this number is rolled back and that reference is used.
            struct Row: Decodable { let reference: String? }
            guard let existing = try await store.first(Row.self, "SELECT reference FROM applications WHERE id = \(bind: id)")?.reference
            else { throw Abort(.conflict) }
            return existing
        }
    }

    /// The call's next number, in one statement: the first submission to a call creates its counter at 1, each
    /// later one adds one. An update, then an insert when no row was there, let two first submissions at once on
    /// PostgreSQL both insert, and the second failed on the key with a 500 (seen in the benchmark); the upsert
    /// makes the second wait for the first's row, then add one to it.
    static func counterNext(_ call: UUID) -> SQLQueryString {
        """
        INSERT INTO call_counters (call_id, next_number) VALUES (\(bind: call), 1) \
        ON CONFLICT (call_id) DO UPDATE SET next_number = call_counters.next_number + 1 RETURNING next_number AS n
        """
    }

    static func setReference(_ reference: String, on application: UUID) -> SQLQueryString {
        "UPDATE applications SET reference = \(bind: reference) WHERE id = \(bind: application) AND reference IS NULL RETURNING id"
    }

    static func plain(_ v: AnswerValue) -> String {
        switch v {
        case .text(let t): t
        case .integer(let n): String(n)
        case .date(let d): d.iso
        case .bool(let b): b ? "yes" : "no"
        case .codes(let c): c.joined(separator: ",")
        }
    }

    /// The acknowledgement of receipt (COM-14) in the submitter's language.
    static func receiptPDF(_ s: Snapshot, hash: String, submittedAt: Date, bundle: ApplicationBundle, language: Language, req: Request) -> [UInt8] {
        var doc = PDFDocument(title: req.t("receipt.title") + " – " + s.reference, footer: s.reference)
        doc.heading(req.t("receipt.title"))
        doc.paragraph(bundle.call.programme.name.text(language))
        doc.field(req.t("receipt.reference"), s.reference)
        doc.field(req.t("receipt.submitted_at"), DateText.dateTime(submittedAt, language) + " (Europe/Luxembourg)")
        doc.field(req.t("receipt.version"), String(s.version))
        doc.field(req.t("receipt.call"), bundle.call.call.title.text(language) + " (" + s.call + ")")
        doc.field(req.t("receipt.applicant"), s.applicant)
        doc.field(req.t("receipt.project"), s.title)
        if let r = s.requestedCents { doc.field(req.t("budget.requested"), MoneyFormatter.format(Money(cents: r), language: language)) }
        doc.heading(req.t("receipt.documents"), level: 2)
        doc.table([.init(req.t("receipt.document"), share: 0.55), .init(req.t("receipt.files"), share: 0.3), .init(req.t("receipt.state"), share: 0.15)],
                  s.documents.map { d in
                      [d.label.text(language) + (d.required ? "" : " (" + req.t("call.document_optional") + ")"),
                       d.files.joined(separator: ", "), req.t(d.received ? "receipt.received" : "receipt.missing_short")]
                  })
        let missing = s.documents.filter { $0.required && !$0.received }
        if missing.isEmpty {
            doc.paragraph(req.t("receipt.complete"))
        } else {
            doc.paragraph(req.t("receipt.missing"), style: .bold)
            for m in missing { doc.paragraph("• " + m.label.text(language)) }
            doc.paragraph(req.t("receipt.missing_explain"))
        }
        doc.heading(req.t("receipt.fingerprint"), level: 2)
        doc.paragraph(req.t("receipt.fingerprint_explain"))
        doc.paragraph("SHA-256: " + hash, size: 9)
        doc.heading(req.t("receipt.next"), level: 2)
        doc.paragraph(req.t("receipt.next_text", bundle.call.programme.contactEmail))
        return doc.render(created: submittedAt)
    }
}
