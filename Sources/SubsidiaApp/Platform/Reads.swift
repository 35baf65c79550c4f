import Fluent
import FluentSQL
import SQLKit
import Vapor

/// Where a page's reads by key go. On SQLite, outside a transaction, they run on the direct connections of
/// `LiteStore`, on the calling thread, with statements compiled once; elsewhere (PostgreSQL, or inside a
/// transaction, whose uncommitted writes only its own connection sees) through SQLKit on `db`. The rows decode the
/// same either way, into Fluent models or `Decodable` rows. Perf (submission at 64 connections): Fluent's reads of the
/// application and its lines were about a third of the server's time: building and serialising a select of every
/// column (SQLKit quoting each name), reflection over the model's properties, and a trip to sqlite-nio's threads
/// per query.
struct Reads: Sendable {
    let db: any Database
    let store: LiteStore?

    init(_ db: any Database, store: LiteStore?) {
        self.db = db
        self.store = db.inTransaction ? nil : store
    }

    func all(_ query: SQLQueryString) async throws -> [any SQLRow] {
        guard let sql = db as? any SQLDatabase else { throw Abort(.internalServerError) }
        if let store {
            let statement = try LiteStatement(query, on: sql)
            return try store.read { try $0.namedRows(statement.sql, statement.values) }
        }
        return try await sql.raw(query).all()
    }

    /// Rows of `M`'s table as models, as Fluent would have loaded them (`SELECT *`: every field the model has).
    func models<M: Model>(_ type: M.Type, _ query: SQLQueryString) async throws -> [M] {
        try await all(query).map { try $0.decode(fluentModel: M.self) }
    }

    func rows<T: Decodable>(_ type: T.Type, _ query: SQLQueryString) async throws -> [T] {
        try await all(query).map { try $0.decode(model: T.self) }
    }
}

extension Request {
    /// The request's reads (see `Reads`).
    var reads: Reads { Reads(db, store: application.liteStore) }
}
