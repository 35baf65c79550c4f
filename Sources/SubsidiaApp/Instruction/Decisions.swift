import Fluent
import Foundation
import SQLKit
import SubsidiaCore
import Vapor

/// Decisions within the envelopes (COM-07, COM-17, AMIF-02). Approvals of one call are serialised by a lock
/// row: the transaction first moves `calls.approval_lock`, which on PostgreSQL holds that row's lock until
/// commit and on SQLite takes the database's write lock, so the sums read next include every approval
/// committed before, and no approval can slip in between the check and the write.
enum Decisions {
    static func approve(_ req: Request, application id: UUID, amount: Money) async throws {
        guard let user = req.currentUser else { throw Abort(.unauthorized) }
        let now = req.now
        try await req.store.write { tx in
            guard let app = try await tx.find(GrantApplication.self, id) else { throw Abort(.notFound) }
            try await tx.execute("UPDATE \(ident: Call.schema) SET approval_lock = approval_lock + 1 WHERE id = \(bind: app.$call.id)")
            // Read again under the lock: another officer may have decided meanwhile.
            guard let locked = try await tx.find(GrantApplication.self, id) else { throw Abort(.notFound) }
            let bundle = try await ApplicationBundle.load(locked, on: tx)
            let proposal = try await InstructionOperations.proposal(bundle, on: tx)
            try Instruction.checkApprove(from: locked.applicationStatus, amount: amount, proposal: proposal)
            // The status first, as a compare-and-set: a withdrawal that came first leaves no approval behind.
            try await StatusChanges.fire(.approve, on: id, from: locked.applicationStatus, by: .staff(user.userRole), now: now,
                                         [("granted_cents", amount.cents), ("decision_reasons", String?.none), ("decided_at", now)], on: tx)
            try await record(.approved, bundle: bundle, amount: amount.cents, reasons: "", binding: proposal.binding?.ruleID, by: user,
                             req: req, on: tx)
            try await tx.audit("application.approved", entity: "application", id: id, summary: amount.description, by: req)
        }
    }

    /// Keeps the decision with its letter in the applicant's language (COM-17) and tells the applicant by mail;
    /// the letter also waits on the applicant's dashboard until a member opens it.
    static func record(
        _ kind: DecisionRecord.Kind, bundle: ApplicationBundle, amount: Int64?, reasons: String, binding: String?, by user: User,
        req: Request, on tx: StoreTransaction
    ) async throws {
        let id = try bundle.application.storedID
        let now = req.now
        let number = try await tx.query(DecisionRecord.self).filter(\.$application.$id == id).count() + 1
        let language = try await DecisionLetters.language(of: id, on: tx)
        let d = DecisionRecord()
        d.$application.id = id
        d.kind = kind.rawValue
        d.amountCents = amount
        d.reasons = reasons
        d.bindingRule = binding
        d.decidedBy = try user.storedID
        d.decidedAt = now
        d.letterLanguage = language.rawValue
        let content = DecisionLetters.Content(kind: kind, reference: (bundle.application.reference ?? "") + "-D\(number)", bundle: bundle,
                                              amount: amount.map(Money.init(cents:)), reasons: reasons, decidedAt: now, decidedBy: user.name)
        d.letterPDF = Data(DecisionLetters.pdf(content, language: language, catalogue: req.application.catalogue))
        try await tx.create(d)
        let catalogue = req.application.catalogue
        let detail: @Sendable (Language) -> String = { lang in
            (kind == .rejected ? reasons : MoneyFormatter.format(Money(cents: amount ?? 0), language: lang) + (kind == .cancelled ? "\n\n" + reasons : ""))
                + "\n\n" + catalogue.text("decision.mail.letter", lang)
        }
        try await InstructionOperations.notifyApplicant(req, bundle: bundle, subject: "decision.mail.\(kind.rawValue)_subject",
                                                        body: "decision.mail.\(kind.rawValue)_body", args: { [detail($0)] }, on: tx)
    }
}
