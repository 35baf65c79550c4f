import Fluent
import SQLKit
import Vapor

/// Group commit for the autosave on SQLite. With `synchronous=FULL` (kept: a saved answer must survive a power
/// cut), each commit waits for the journal to reach the disk: 1.3 ms of a 1.8 ms autosave here (measured in the
/// `sqlite3` shell on the benchmark file: 1.8 ms per autosave committed alone, 0.56 ms in groups of 32, 0.49 ms
/// without the wait). SQLite writes one transaction at a time, so that wait bounded the autosave's rate.
/// Saves that arrive while a group commits are queued and then written together, each as its own statement in
/// one transaction: a statement that fails (a stale version raises `subsidia:conflict`) is rolled back alone,
/// and its caller gets its error; the others are committed together, and each caller returns only once the
/// group is on disk. PostgreSQL groups its own commits; there a statement runs on its own (in a transaction that
/// one failed statement would abort for all).
actor CommitGroup {
    private struct Queued {
        let statement: SQLQueryString
        let db: any Database
        let done: CheckedContinuation<Result<Void, any Error>, Never>
    }

    private var queued: [Queued] = []
    private var committing = false
    private let gate: WriteGate

    init(gate: WriteGate) { self.gate = gate }

    /// Runs `statement` in the next group's transaction and returns once that transaction is committed; throws
    /// the statement's own error. Elsewhere than on SQLite the statement runs at once, on its own.
    func run(_ statement: SQLQueryString, on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { throw Abort(.internalServerError) }
        guard sql.dialect.name == "sqlite" else { return try await sql.raw(statement).run() }
        let result = await withCheckedContinuation { done in
            queued.append(Queued(statement: statement, db: db, done: done))
            if !committing {
                committing = true
                Task { await self.drain() }
            }
        }
        try result.get()
    }

    private func drain() async {
        while let first = queued.first {
            let group = queued
            queued = []
            let results = await Self.commit(group.map(\.statement), on: first.db, gate: gate)
            for (item, result) in zip(group, results) { item.done.resume(returning: result) }
        }
        committing = false
    }

    private static func commit(_ statements: [SQLQueryString], on db: any Database, gate: WriteGate) async -> [Result<Void, any Error>] {
        do {
            return try await gate.transaction(on: db) { tx in
                guard let sql = tx as? any SQLDatabase else { throw Abort(.internalServerError) }
                var results: [Result<Void, any Error>] = []
                for statement in statements {
                    do {
                        try await sql.raw(statement).run()
                        results.append(.success(()))
                    } catch {
                        results.append(.failure(error))
                    }
                }
                return results
            }
        } catch {
            return statements.map { _ in .failure(error) }
        }
    }
}
