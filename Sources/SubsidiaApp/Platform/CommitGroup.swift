import Fluent
import Foundation
import Vapor

/// Group commit for the autosave on SQLite. With `synchronous=FULL` (kept: a saved answer must survive a power
/// cut), each commit waits for the journal to reach the disk: 1.3 ms of a 1.8 ms autosave here (measured in the
/// `sqlite3` shell on the benchmark file: 1.8 ms per autosave committed alone, 0.56 ms in groups of 32, 0.49 ms
/// without the wait). SQLite writes one transaction at a time, so that wait bounded the autosave's rate.
/// Saves that arrive while a group commits are queued and then written together in one transaction on the writer
/// connection of `LiteStore`, on its own thread: one insert into the view of migration M008 per save, a statement
/// compiled once with its trigger and kept (perf, at 64 connections: compiling the trigger for each save was a
/// tenth of the server's time; one multi-row insert per group still compiled it per group, and every group
/// crossed to sqlite-nio's threads and back). A stale version raises `subsidia:conflict`, which undoes that save's
/// statement alone: its caller gets the error, the others are committed. Each caller returns only once its save is
/// on disk. PostgreSQL groups its own commits; there a save runs on its own (`ApplicationOperations.saveAnswers`).
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

        var values: [LiteValue] {
            [LiteValue(application), .text(section), LiteValue(expectedVersion), .text(answers), .text(emptied), LiteValue(project),
             LiteValue(savedAt)]
        }
    }

    private struct Queued {
        let save: Save
        let done: CheckedContinuation<Result<Void, any Error>, Never>
    }

    /// Saves per transaction: a group this large is already more than 64 connections bring at once.
    static let maxRows = 256

    static let insert = """
        INSERT INTO application_section_saves (application_id, section, expected_version, answers, emptied, project, saved_at) \
        VALUES (?, ?, ?, ?, ?, ?, ?)
        """

    private var queued: [Queued] = []
    private var committing = false
    private let gate: WriteGate

    init(gate: WriteGate) { self.gate = gate }

    /// Writes `save` with the next group and returns once it is committed; throws the save's own error (a stale
    /// version: `subsidia:conflict`). Elsewhere than on SQLite, where M008's view does not exist, this is a
    /// programming error.
    func run(_ save: Save, on db: any Database, store: LiteStore?) async throws {
        guard let store else { throw Abort(.internalServerError) }
        let result = await withCheckedContinuation { done in
            queued.append(Queued(save: save, done: done))
            if !committing {
                committing = true
                Task { await self.drain(on: db, store: store) }
            }
        }
        try result.get()
    }

    private func drain(on db: any Database, store: LiteStore) async {
        while !queued.isEmpty {
            let group = Array(queued.prefix(Self.maxRows))
            queued.removeFirst(group.count)
            let saves = group.map(\.save)
            let results: [Result<Void, any Error>]
            do {
                results = try await gate.exclusive(on: db) { _ in try await store.write { try Self.commit(saves, on: $0) } }
            } catch {
                results = saves.map { _ in .failure(error) }
            }
            for (item, result) in zip(group, results) { item.done.resume(returning: result) }
        }
        committing = false
    }

    /// On the writer's thread: the group in one transaction, each save its own statement.
    private static func commit(_ saves: [Save], on connection: LiteConnection) throws -> [Result<Void, any Error>] {
        try connection.execute("BEGIN IMMEDIATE")
        var results: [Result<Void, any Error>] = []
        for save in saves {
            do {
                try connection.rows(insert, save.values)
                results.append(.success(()))
            } catch {
                // After some errors (disk full, I/O) SQLite rolls the whole transaction back: nothing was written.
                if connection.isAutocommit { throw error }
                results.append(.failure(error))
            }
        }
        do {
            try connection.execute("COMMIT")
        } catch {
            if !connection.isAutocommit { try? connection.execute("ROLLBACK") }
            throw error
        }
        return results
    }
}
