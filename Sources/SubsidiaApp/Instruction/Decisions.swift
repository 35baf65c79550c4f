import Fluent
import FluentSQLiteDriver
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
        // SQLite answers "busy" at once when another connection holds the write lock: the whole transaction
        // runs again (nothing of it was written), a few times, before the error reaches the officer.
        var attempt = 0
        while true {
            do {
                return try await approveOnce(req, application: id, amount: amount)
            } catch let error as SQLiteError where [.busy, .locked, .busyTimeout, .lockedBySharedCache].contains(error.reason) && attempt < 100 {
                attempt += 1
                try await Task.sleep(for: .milliseconds(Int.random(in: 2...20)))
            }
        }
    }

    static func approveOnce(_ req: Request, application id: UUID, amount: Money) async throws {
        guard let user = req.currentUser else { throw Abort(.unauthorized) }
        let now = req.now
        try await req.db.transaction { db in
            guard let sql = db as? any SQLDatabase, let app = try await GrantApplication.find(id, on: db) else { throw Abort(.notFound) }
            try await sql.update(Call.schema).set(SQLIdentifier("approval_lock"), to: SQLRaw("approval_lock + 1"))
                .where("id", .equal, SQLBind(app.$call.id)).run()
            // Read again under the lock: another officer may have decided meanwhile.
            guard let locked = try await GrantApplication.find(id, on: db) else { throw Abort(.notFound) }
            let bundle = try await ApplicationBundle.load(locked, on: db)
            let proposal = try await InstructionController.proposal(bundle, on: db)
            try Instruction.checkApprove(from: locked.applicationStatus, amount: amount, proposal: proposal)
            try await record(.approved, application: id, amount: amount.cents, reasons: "", binding: proposal.binding?.ruleID, by: user, now: now, on: db)
            try await InstructionController.setStatus(id, .approved, now: now,
                                                      [("granted_cents", amount.cents), ("decision_reasons", String?.none), ("decided_at", now)], on: db)
            try await InstructionController.notifyApplicant(req, bundle: bundle, subject: "decision.mail.approved_subject",
                                                            body: "decision.mail.approved_body", args: [MoneyFormatter.format(amount, language: req.language)],
                                                            on: db)
            try await Audit.record("application.approved", entity: "application", id: id, summary: amount.description, by: req, on: db)
        }
    }

    static func record(
        _ kind: DecisionRecord.Kind, application id: UUID, amount: Int64?, reasons: String, binding: String?, by user: User, now: Date,
        on db: any Database
    ) async throws {
        let d = DecisionRecord()
        d.$application.id = id
        d.kind = kind.rawValue
        d.amountCents = amount
        d.reasons = reasons
        d.bindingRule = binding
        d.decidedBy = user.id!
        d.decidedAt = now
        try await d.create(on: db)
    }
}
