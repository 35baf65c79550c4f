import Fluent
import SQLKit
import Vapor

/// One write transaction at a time on SQLite, in arrival order, the others waiting here without holding a thread
/// (rather than in SQLite's busy handler); PostgreSQL passes through. Measures: bench/RESULTS.md, "Why the embedded fast paths".
actor WriteGate {
    private var held = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    private func enter() async {
        guard held else {
            held = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    private func leave() {
        if waiting.isEmpty {
            held = false
        } else {
            // The gate stays held: it passes straight to the next in line.
            waiting.removeFirst().resume()
        }
    }

    /// Runs `body` in a transaction on `db`, alone among this process's write transactions on SQLite.
    nonisolated func transaction<T: Sendable>(on db: any Database, _ body: @escaping @Sendable (any Database) async throws -> T)
        async throws -> T {
        try await exclusive(on: db) { try await $0.transaction(body) }
    }

    /// Runs `body` (a write that is one statement, or a transaction it opens itself) alone among this process's
    /// writes on SQLite; on PostgreSQL it runs at once.
    nonisolated func exclusive<T: Sendable>(on db: any Database, _ body: @Sendable (any Database) async throws -> T) async throws -> T {
        guard (db as? any SQLDatabase)?.dialect.name == "sqlite" else { return try await body(db) }
        return try await exclusive { try await body(db) }
    }

    /// Runs `body` alone among this process's writes, whatever the database (for writes known to be SQLite's).
    nonisolated func exclusive<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        await enter()
        do {
            let result = try await body()
            await leave()
            return result
        } catch {
            await leave()
            throw error
        }
    }
}

extension Application {
    private struct WriteGateKey: StorageKey { typealias Value = WriteGate }

    /// The process's one gate for SQLite write transactions (see `WriteGate`).
    var writeGate: WriteGate {
        if let gate = storage[WriteGateKey.self] { return gate }
        let gate = WriteGate()
        storage[WriteGateKey.self] = gate
        return gate
    }
}

extension Application {
    private struct CommitGroupKey: StorageKey { typealias Value = CommitGroup }

    /// The process's group commit for autosaves on SQLite (see `CommitGroup`), behind the write gate.
    var commitGroup: CommitGroup {
        if let group = storage[CommitGroupKey.self] { return group }
        let group = CommitGroup(gate: writeGate)
        storage[CommitGroupKey.self] = group
        return group
    }
}

extension Request {
    /// A write transaction on the request's database, through the application's write gate: every change a
    /// page or the API makes goes through here rather than `db.transaction`.
    func transaction<T: Sendable>(_ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        try await application.writeGate.transaction(on: db, body)
    }
}
