import Fluent
import Foundation
import NIOConcurrencyHelpers
import Vapor
import VaporCSQLite

/// Group commit on SQLite for the autosave and the submission: writes that arrive while a group commits are written
/// together in one transaction (one fsync), each in a savepoint of its own so that one that fails is undone alone.
/// Why, with the measures: bench/RESULTS.md, "Why the embedded fast paths".
final class CommitGroup: Sendable {
    /// One caller's write: run on the writer's connection inside the group's transaction, in a savepoint.
    typealias Work = @Sendable (LiteConnection) throws -> any Sendable

    private struct Queued {
        let work: Work
        let done: CheckedContinuation<Result<any Sendable, any Error>, Never>
    }

    private struct State {
        var queued: [Queued] = []
        /// A task holds, or waits for, the write gate to commit what is queued.
        var committing = false
    }

    /// Writes per transaction: a group this large is already more than 64 connections bring at once.
    static let maxWrites = 256
    /// Groups committed one after the other before the gate lets other writes in (a page's transaction, a
    /// session's update): each waits at most this many group commits, a few milliseconds each.
    static let groupsPerTurn = 8

    private let state = NIOLockedValueBox(State())
    private let gate: WriteGate

    init(gate: WriteGate) { self.gate = gate }

    /// Runs `write`'s statements, all or nothing, with the next group and returns once they are committed; throws the
    /// write's own error (a stale version: a `LiteError` whose `isConflict`).
    func run(_ write: [LiteStatement], store: LiteStore?) async throws {
        _ = try await perform(store: store) { connection in
            for statement in write {
                try connection.rows(statement.sql, statement.values)
                if statement.mustChangeRow && connection.changes == 0 {
                    throw LiteError(code: SQLITE_CONSTRAINT, message: LiteError.conflictMarker)
                }
            }
            return true
        }
    }

    /// Runs `work` on the writer's connection with the next group, all or nothing (what it wrote is undone when it
    /// throws), and returns its result once the group is committed. Elsewhere than on SQLite this is a programming
    /// error.
    func perform<T: Sendable>(store: LiteStore?, _ work: @escaping @Sendable (LiteConnection) throws -> T)
        async throws -> T {
        guard let store else { throw Abort(.internalServerError) }
        let result = await withCheckedContinuation { done in
            let start = state.withLockedValue { s in
                s.queued.append(Queued(work: { try work($0) }, done: done))
                defer { s.committing = true }
                return !s.committing
            }
            if start { Task { await self.drain(store: store) } }
        }
        guard let value = try result.get() as? T else { throw Abort(.internalServerError) }
        return value
    }

    /// Commits what is queued, a turn of groups at a time behind the write gate, until nothing is left.
    private func drain(store: LiteStore) async {
        var more = true
        while more {
            do {
                more = try await gate.exclusive { try await store.write { self.turn(on: $0) } }
            } catch {
                // The writer could not run (shut down, or its connection would not open): what is queued fails.
                let dropped = state.withLockedValue { s in
                    defer { s.queued.removeAll(); s.committing = false }
                    return s.queued
                }
                for item in dropped { item.done.resume(returning: .failure(error)) }
                more = false
            }
        }
    }

    /// On the writer's thread: commits queued groups one after the other; true if writes are still queued when
    /// the turn ends, false once the queue is empty (and `committing` cleared under the same lock, so a write
    /// queued just after starts the next drain).
    private func turn(on connection: LiteConnection) -> Bool {
        for _ in 0..<Self.groupsPerTurn {
            let group: [Queued]? = state.withLockedValue { s in
                guard !s.queued.isEmpty else {
                    s.committing = false
                    return nil
                }
                let group = Array(s.queued.prefix(Self.maxWrites))
                s.queued.removeFirst(group.count)
                return group
            }
            guard let group else { return false }
            let results: [Result<any Sendable, any Error>]
            do {
                results = try Self.commit(group.map(\.work), on: connection)
            } catch {
                results = group.map { _ in .failure(error) }
            }
            for (item, result) in zip(group, results) { item.done.resume(returning: result) }
        }
        return true
    }

    /// On the writer's thread: the group in one transaction, each write in a savepoint.
    private static func commit(_ works: [Work], on connection: LiteConnection) throws -> [Result<any Sendable, any Error>] {
        try connection.execute("BEGIN IMMEDIATE")
        var results: [Result<any Sendable, any Error>] = []
        for work in works {
            do {
                try connection.execute("SAVEPOINT w")
                let value = try work(connection)
                try connection.execute("RELEASE w")
                results.append(.success(value))
            } catch {
                // After some errors (disk full, I/O) SQLite rolls the whole transaction back: nothing was written.
                if connection.isAutocommit { throw error }
                try connection.execute("ROLLBACK TO w")
                try connection.execute("RELEASE w")
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
