import Fluent
import FluentSQLiteDriver
import SQLKit

/// Many rows read from SQLite in one trip to its thread (`Store.table`); nil on PostgreSQL.
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
