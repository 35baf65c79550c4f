import Fluent
import FluentSQLiteDriver
import SQLKit

/// Rows read from SQLite in one trip to its thread. SQLKit's queries reach SQLite through the driver's
/// future-based query, which hands every row back to the event loop as a task of its own, and are then decoded
/// through a keyed container (perf: a quarter of the export's time went to that decoding). Here the rows are
/// collected on SQLite's thread and come back together, and the caller reads their columns in order.
/// Nil on PostgreSQL: the caller reads with SQLKit.
enum SQLiteReads {
    static func rows(_ query: SQLQueryString, on db: any Database) async throws -> [SQLiteRow]? {
        guard let lite = db as? any SQLiteDatabase, let sql = db as? any SQLDatabase, sql.dialect.name == "sqlite" else { return nil }
        let (text, data) = try serialize(query, on: sql)
        return try await lite.withConnection { connection in try await connection.query(text, data) }
    }

    /// `query` as SQLite runs it: its text in `sql`'s dialect, its binds encoded as the driver encodes them.
    static func serialize(_ query: SQLQueryString, on sql: any SQLDatabase) throws -> (String, [SQLiteData]) {
        let (text, binds) = sql.serialize(query)
        let encoder = SQLiteDataEncoder()
        return (text, try binds.map { try encoder.encode($0) })
    }
}
