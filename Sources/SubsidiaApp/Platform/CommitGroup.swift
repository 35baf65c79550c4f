import Fluent
import Foundation
import SQLKit
import Vapor

/// Group commit for the autosave on SQLite. With `synchronous=FULL` (kept: a saved answer must survive a power
/// cut), each commit waits for the journal to reach the disk: 1.3 ms of a 1.8 ms autosave here (measured in the
/// `sqlite3` shell on the benchmark file: 1.8 ms per autosave committed alone, 0.56 ms in groups of 32, 0.49 ms
/// without the wait). SQLite writes one transaction at a time, so that wait bounded the autosave's rate.
/// Saves that arrive while a group commits are queued and then written together by one statement: one insert of
/// all their rows into the view of migration M008, atomic by itself, so one trip to SQLite's thread and one
/// compilation of the view's trigger for the whole group (perf, at 64 connections: compiling the trigger for
/// each save was a tenth of the server's time, and each statement's trip and transaction another). When that
/// statement fails (a stale version raises `subsidia:conflict` and aborts it, changing nothing), the group is
/// written again one row per statement in one transaction: the row that fails is rolled back alone and its
/// caller gets its error; the others are committed. Each caller returns only once its save is on disk.
/// PostgreSQL groups its own commits; there a save runs on its own (in a transaction that one failed statement
/// would abort for all).
actor CommitGroup {
    /// One section's save, as the view's columns (see M008).
    struct Save: Sendable {
        let application: UUID
        let section: String
        let expectedVersion: Int
        let answers: String
        let emptied: String
        let project: String?
        let savedAt: Date

        var values: SQLQueryString {
            "(\(bind: application), \(bind: section), \(bind: expectedVersion), \(bind: answers), \(bind: emptied), \(bind: project), \(bind: savedAt))"
        }
    }

    private struct Queued {
        let save: Save
        let db: any Database
        let done: CheckedContinuation<Result<Void, any Error>, Never>
    }

    /// Rows per statement: far below SQLite's limit of bound values (7 a row), and a group this large is already
    /// more than 64 connections bring at once.
    static let maxRows = 256

    private var queued: [Queued] = []
    private var committing = false
    private let gate: WriteGate

    init(gate: WriteGate) { self.gate = gate }

    static func insert(_ saves: some Collection<Save>) -> SQLQueryString {
        "INSERT INTO application_section_saves (application_id, section, expected_version, answers, emptied, project, saved_at) VALUES "
            + saves.map(\.values).joined(separator: ", ")
    }

    /// Writes `save` with the next group and returns once it is committed; throws the save's own error (a stale
    /// version: `subsidia:conflict`). Elsewhere than on SQLite, where M008's view does not exist, this is a
    /// programming error.
    func run(_ save: Save, on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase, sql.dialect.name == "sqlite" else { throw Abort(.internalServerError) }
        let result = await withCheckedContinuation { done in
            queued.append(Queued(save: save, db: db, done: done))
            if !committing {
                committing = true
                Task { await self.drain() }
            }
        }
        try result.get()
    }

    private func drain() async {
        while let first = queued.first {
            let group = Array(queued.prefix(Self.maxRows))
            queued.removeFirst(group.count)
            let results = await Self.commit(group.map(\.save), on: first.db, gate: gate)
            for (item, result) in zip(group, results) { item.done.resume(returning: result) }
        }
        committing = false
    }

    private static func commit(_ saves: [Save], on db: any Database, gate: WriteGate) async -> [Result<Void, any Error>] {
        do {
            try await gate.exclusive(on: db) { db in
                guard let sql = db as? any SQLDatabase else { throw Abort(.internalServerError) }
                try await sql.raw(insert(saves)).run()
            }
            return saves.map { _ in .success(()) }
        } catch {
            guard saves.count > 1 else { return [.failure(error)] }
        }
        do {
            return try await gate.transaction(on: db) { tx in
                guard let sql = tx as? any SQLDatabase else { throw Abort(.internalServerError) }
                var results: [Result<Void, any Error>] = []
                for save in saves {
                    do {
                        try await sql.raw(insert(CollectionOfOne(save))).run()
                        results.append(.success(()))
                    } catch {
                        results.append(.failure(error))
                    }
                }
                return results
            }
        } catch {
            return saves.map { _ in .failure(error) }
        }
    }
}
