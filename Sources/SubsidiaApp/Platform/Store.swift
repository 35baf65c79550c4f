import Fluent
import FluentSQL
import FluentSQLiteDriver
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// The one way a feature reaches the database. Features read through a `Store` (`req.store`, or `app.store` outside a
/// request) and write only inside `write`, whose `StoreTransaction` runs behind the write gate and must record its
/// audit event unless the call says why not. Behind it stay the embedded fast paths (reads by key on `LiteStore`'s
/// connections, the autosave's and the submission's group commit) and SQLKit on PostgreSQL; in front of it a
/// feature never holds a `Database`, never branches on the database's kind and never reads a row by position.
/// `BoundaryTests` fails when a feature folder reaches the database any other way.
///
/// - Reads: `query` (Fluent's builder on a connection that refuses writes), `find`, `rows`/`first`/`models` (SQL
///   read into `Decodable` rows or models by column name).
/// - Writes: `write { tx in … }` (one transaction), `saveSection` (the autosave, one statement), `commit` (a list
///   of statements, all or nothing, the first a compare-and-set), `allocate` (a number, then a statement that uses it).
/// - The database still refuses content writes after submission (M013) and `StatusChanges` is the only
///   statement that changes an application's status, whatever the path.
struct Store: StoreReading {
    fileprivate let db: any Database
    fileprivate let lite: LiteStore?
    /// Where the write gate and the group commit are kept, read only by a write (a page's reads need neither).
    fileprivate let application: Application

    fileprivate init(db: any Database, lite: LiteStore?, application: Application) {
        self.db = db
        // Inside a transaction, only its own connection sees what it wrote.
        self.lite = db.inTransaction ? nil : lite
        self.application = application
    }

    /// Whether reads go to `LiteStore`'s connections (SQLite, outside a transaction).
    var usesFastPath: Bool { lite != nil }

    /// The same store reading through SQLKit only (tests compare both paths).
    var withoutFastPath: Store { Store(db: db, lite: nil, application: application) }

    /// The SQL dialect that a query written for both databases names where they differ (see `StoreEngine`).
    var engine: StoreEngine { StoreEngine(db) }

    func query<M: Model>(_ type: M.Type) -> QueryBuilder<M> { ReadOnlyDatabase(base: db).query(M.self) }

    func rows<T: Decodable>(_ type: T.Type, _ query: SQLQueryString) async throws -> [T] {
        try await sqlRows(query).map { try $0.decode(model: T.self) }
    }

    func models<M: Model>(_ type: M.Type, _ query: SQLQueryString) async throws -> [M] {
        try await sqlRows(query).map { try $0.decode(fluentModel: M.self) }
    }

    /// Many rows to read by column name without `Codable` (an export's batch): on SQLite in one trip to sqlite-nio's
    /// thread, off the event loop (perf: SQLKit's generic decoding was a quarter of the export's time).
    func table(_ query: SQLQueryString) async throws -> [StoreRow] {
        if let rows = try await SQLiteReads.rows(query, on: db) { return rows.map { StoreRow(storage: .lite($0)) } }
        return try await StoreEngine.sql(db).raw(query).all().map { StoreRow(storage: .sql($0)) }
    }

    /// On SQLite outside a transaction, the rows come from `LiteStore`'s reader connections on the calling thread
    /// (statements compiled once); elsewhere through SQLKit. They decode the same either way.
    private func sqlRows(_ query: SQLQueryString) async throws -> [any SQLRow] {
        let sql = try StoreEngine.sql(db)
        if let lite {
            let statement = try LiteStatement(query, on: sql)
            return try lite.read { try $0.namedRows(statement.sql, statement.values) }
        }
        return try await sql.raw(query).all()
    }

    // MARK: Writes

    /// Runs `body` in one transaction, alone among this process's writes on SQLite (`WriteGate`). Unless `audit`
    /// says why the change is not audited, the transaction must record an audit event (`tx.audit`) or it is rolled
    /// back and the request fails.
    /// SQLite answers "busy" at once when another process holds its write lock: the whole transaction runs again
    /// (nothing of it was written), a few times, before the error reaches the user.
    func write<T: Sendable>(_ audit: StoreAudit = .required, _ body: @escaping @Sendable (StoreTransaction) async throws -> T)
        async throws -> T {
        var attempt = 0
        while true {
            do {
                return try await application.writeGate.transaction(on: db) { db in
                    let tx = StoreTransaction(db: db)
                    let result = try await body(tx)
                    if case .required = audit, tx.marks.withLockedValue({ $0.wrote && !$0.audited }) { throw StoreError.notAudited }
                    return result
                }
            } catch let error as SQLiteError where Self.busy.contains(error.reason) && attempt < 100 {
                attempt += 1
                try await Task.sleep(for: .milliseconds(Int.random(in: 2...20)))
            }
        }
    }

    private static let busy: [SQLiteError.Reason] = [.busy, .locked, .busyTimeout, .lockedBySharedCache]

    /// The autosave of a section, in one statement: on SQLite an insert into M008's view, committed with the other
    /// writes that arrive meanwhile (`CommitGroup`); on PostgreSQL a call of M012's function. Both check the
    /// section's version, write the answers and the application's columns, all or nothing, and are refused by M013
    /// once the application is no longer a draft. The new version, or nil when `save.expectedVersion` is stale.
    func saveSection(_ save: SectionSave) async throws -> Int? {
        guard let lite else { return try await write(.notAudited(because: "an autosave")) { try await $0.saveSection(save) } }
        do {
            try await application.commitGroup.run([save.liteStatement], store: lite)
        } catch let error as LiteError where error.isConflict {
            return nil
        }
        return save.expectedVersion + 1
    }

    /// Runs `statements` all or nothing; the first is a compare-and-set that must return a row, or nothing is written
    /// and `StoreConflict` is thrown. On SQLite they are committed with the writes that arrive meanwhile.
    func commit(_ statements: [SQLQueryString]) async throws {
        guard !statements.isEmpty else { return }
        if let lite {
            let sql = try StoreEngine.sql(db)
            let lines = try statements.enumerated().map { try LiteStatement($1, on: sql, mustChangeRow: $0 == 0) }
            do {
                try await application.commitGroup.run(lines, store: lite)
            } catch let error as LiteError where error.isConflict {
                throw StoreConflict()
            }
            return
        }
        try await application.writeGate.transaction(on: db) { db in
            let sql = try StoreEngine.sql(db)
            guard !(try await sql.raw(statements[0]).all()).isEmpty else { throw StoreConflict() }
            for statement in statements.dropFirst() { try await sql.raw(statement).run() }
        }
    }

    /// Takes a number (`first` returns it as its one column, `n`) and runs `then(number)`, which must return a row,
    /// in one write; `StoreConflict` (nothing written) when it returns none.
    func allocate(_ first: SQLQueryString, then: @escaping @Sendable (Int) -> SQLQueryString) async throws -> Int {
        struct Number: Decodable { let n: Int }
        let sql = try StoreEngine.sql(db)
        if let lite {
            let next = try LiteStatement(first, on: sql)
            do {
                return try await application.commitGroup.perform(store: lite) { c in
                    guard let n = try c.namedRows(next.sql, next.values).first.flatMap({ try? $0.decode(model: Number.self) })?.n
                    else { throw StoreError.noRow }
                    let set = try LiteStatement(then(n), on: sql)
                    guard !(try c.rows(set.sql, set.values)).isEmpty else { throw StoreConflict() }
                    return n
                }
            }
        }
        return try await application.writeGate.transaction(on: db) { db in
            let sql = try StoreEngine.sql(db)
            guard let n = try await sql.raw(first).first(decoding: Number.self)?.n else { throw StoreError.noRow }
            guard !(try await sql.raw(then(n)).all()).isEmpty else { throw StoreConflict() }
            return n
        }
    }
}

/// Reads, the same on a `Store` and inside a `StoreTransaction`.
protocol StoreReading: Sendable {
    /// Fluent's query builder for `M`. On a `Store` its connection refuses writes (`StoreError.readOnly`).
    func query<M: Model>(_ type: M.Type) -> QueryBuilder<M>
    /// `query`'s rows, decoded by column name.
    func rows<T: Decodable>(_ type: T.Type, _ query: SQLQueryString) async throws -> [T]
    /// `query`'s rows as `M`'s models, as Fluent would have loaded them (the query selects every column of `M`).
    func models<M: Model>(_ type: M.Type, _ query: SQLQueryString) async throws -> [M]
    var engine: StoreEngine { get }
}

extension StoreReading {
    func find<M: Model>(_ type: M.Type, _ id: M.IDValue?) async throws -> M? {
        guard let id else { return nil }
        return try await query(M.self).filter(\._$id == id).first()
    }

    func first<T: Decodable>(_ type: T.Type, _ query: SQLQueryString) async throws -> T? {
        try await rows(T.self, query).first
    }

    /// How many migrations the database has applied (its `_fluent_migrations` rows): `/health` reads it.
    func appliedMigrations() async throws -> Int {
        try await first(StoreCount.self, "SELECT COUNT(*) AS n FROM _fluent_migrations")?.n ?? 0
    }
}

/// A count read as `n`.
struct StoreCount: Decodable, Sendable { let n: Int }

/// One transaction of `Store.write`: its reads see its own writes.
struct StoreTransaction: StoreReading {
    fileprivate let db: any Database
    fileprivate struct Marks { var wrote = false; var audited = false }
    /// Whether the transaction wrote, and whether it recorded its audit event.
    fileprivate let marks = NIOLockedValueBox(Marks())

    fileprivate init(db: any Database) { self.db = db }

    var engine: StoreEngine { StoreEngine(db) }

    /// Fluent's query builder in the transaction; its writes (`set … update()`, `delete()`) count as the
    /// transaction's writes.
    func query<M: Model>(_ type: M.Type) -> QueryBuilder<M> { TrackedDatabase(base: db, marks: marks).query(M.self) }

    func rows<T: Decodable>(_ type: T.Type, _ query: SQLQueryString) async throws -> [T] {
        try await StoreEngine.sql(db).raw(query).all(decoding: T.self)
    }

    func models<M: Model>(_ type: M.Type, _ query: SQLQueryString) async throws -> [M] {
        try await StoreEngine.sql(db).raw(query).all().map { try $0.decode(fluentModel: M.self) }
    }

    private var tracked: any Database { TrackedDatabase(base: db, marks: marks) }

    func create<M: Model>(_ model: M) async throws { try await model.create(on: tracked) }
    func save<M: Model>(_ model: M) async throws { try await model.save(on: tracked) }
    func update<M: Model>(_ model: M) async throws { try await model.update(on: tracked) }
    func delete<M: Model>(_ model: M) async throws { try await model.delete(on: tracked) }

    /// Runs a statement.
    func execute(_ statement: SQLQueryString) async throws {
        marks.withLockedValue { $0.wrote = true }
        try await StoreEngine.sql(db).raw(statement).run()
    }

    /// Runs a statement that returns the rows it changed (`RETURNING`): whether it changed one.
    func changed(_ statement: SQLQueryString) async throws -> Bool {
        marks.withLockedValue { $0.wrote = true }
        return !(try await StoreEngine.sql(db).raw(statement).all()).isEmpty
    }

    /// A section's save (see `Store.saveSection`) inside this transaction: the new version, or nil when
    /// `save.expectedVersion` is stale (nothing written).
    func saveSection(_ save: SectionSave) async throws -> Int? {
        marks.withLockedValue { $0.wrote = true }
        let sql = try StoreEngine.sql(db)
        if engine.isPostgres {
            struct Saved: Decodable { let version: Int? }
            return try await sql.raw(save.postgresCall).first(decoding: Saved.self)?.version
        }
        do {
            try await sql.raw(save.sqliteInsert).run()
        } catch where String(describing: error).contains(LiteError.conflictMarker) {
            return nil
        }
        return save.expectedVersion + 1
    }

    /// Records the transaction's audit event (see `Audit`).
    func audit(
        _ action: String, entity: String, id: (any CustomStringConvertible)?, summary: String = "", by req: Request, actor: User? = nil
    ) async throws {
        try await execute(Audit.insert(action, entity: entity, id: id, summary: summary, by: req, actor: actor))
        marks.withLockedValue { $0.audited = true }
    }

    /// Queues a mail in the outbox, in this transaction.
    func enqueueMail(to email: String, userID: UUID?, subject: String, body: String, kind: String, now: Date) async throws {
        try await execute(Mailer.insert(to: email, userID: userID, subject: subject, body: body, kind: kind, now: now))
    }
}

/// A connection that answers reads and refuses every write, so that a model saved outside `Store.write` fails.
private struct ReadOnlyDatabase: Database {
    let base: any Database

    var context: DatabaseContext { base.context }
    var inTransaction: Bool { base.inTransaction }

    func execute(query: DatabaseQuery, onOutput: @escaping @Sendable (any DatabaseOutput) -> ()) -> EventLoopFuture<Void> {
        switch query.action {
        case .read, .aggregate: base.execute(query: query, onOutput: onOutput)
        default: base.eventLoop.makeFailedFuture(StoreError.readOnly)
        }
    }

    func execute(schema: DatabaseSchema) -> EventLoopFuture<Void> { base.eventLoop.makeFailedFuture(StoreError.readOnly) }
    func execute(enum: DatabaseEnum) -> EventLoopFuture<Void> { base.eventLoop.makeFailedFuture(StoreError.readOnly) }

    func transaction<T>(_ closure: @escaping @Sendable (any Database) -> EventLoopFuture<T>) -> EventLoopFuture<T> {
        base.eventLoop.makeFailedFuture(StoreError.readOnly)
    }

    func withConnection<T>(_ closure: @escaping @Sendable (any Database) -> EventLoopFuture<T>) -> EventLoopFuture<T> {
        base.withConnection { closure(ReadOnlyDatabase(base: $0)) }
    }
}

/// A transaction's connection for Fluent's models, which notes that the transaction wrote.
private struct TrackedDatabase: Database {
    let base: any Database
    let marks: NIOLockedValueBox<StoreTransaction.Marks>

    var context: DatabaseContext { base.context }
    var inTransaction: Bool { base.inTransaction }

    func execute(query: DatabaseQuery, onOutput: @escaping @Sendable (any DatabaseOutput) -> ()) -> EventLoopFuture<Void> {
        switch query.action {
        case .read, .aggregate: break
        default: marks.withLockedValue { $0.wrote = true }
        }
        return base.execute(query: query, onOutput: onOutput)
    }

    func execute(schema: DatabaseSchema) -> EventLoopFuture<Void> { base.eventLoop.makeFailedFuture(StoreError.readOnly) }
    func execute(enum: DatabaseEnum) -> EventLoopFuture<Void> { base.eventLoop.makeFailedFuture(StoreError.readOnly) }

    func transaction<T>(_ closure: @escaping @Sendable (any Database) -> EventLoopFuture<T>) -> EventLoopFuture<T> {
        closure(self)
    }

    func withConnection<T>(_ closure: @escaping @Sendable (any Database) -> EventLoopFuture<T>) -> EventLoopFuture<T> {
        closure(self)
    }
}

extension Application {
    /// The store outside a request (commands, jobs): the default database.
    var store: Store { Store(db: db, lite: liteStore, application: self) }
}

extension Request {
    /// The request's store (see `Store`).
    var store: Store { Store(db: db, lite: application.liteStore, application: application) }
}

extension Model {
    /// The id of a model read from the database. One without an id (a model not yet saved: a programming error)
    /// fails this request with 500 and the process stays up, where `id!` stopped it for everyone (issue 18).
    var storedID: IDValue {
        get throws { try requireID() }
    }
}
