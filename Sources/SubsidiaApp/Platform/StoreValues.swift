import Fluent
import FluentSQLiteDriver
import Foundation
import SQLKit

/// A row of `Store.table`, read by column name.
struct StoreRow {
    enum Storage { case lite(SQLiteRow), sql(any SQLRow) }
    let storage: Storage

    func text(_ column: String) throws -> String? {
        switch storage {
        case .lite(let row): row.column(column)?.string
        case .sql(let row): try row.decodeNil(column: column) ? nil : try row.decode(column: column, as: String.self)
        }
    }

    func integer(_ column: String) throws -> Int64? {
        switch storage {
        case .lite(let row): row.column(column)?.integer.map(Int64.init)
        case .sql(let row): try row.decodeNil(column: column) ? nil : try row.decode(column: column, as: Int64.self)
        }
    }

    /// SQLite keeps dates as seconds since 1970.
    func date(_ column: String) throws -> Date? {
        switch storage {
        case .lite(let row): row.column(column)?.double.map(Date.init(timeIntervalSince1970:))
        case .sql(let row): try row.decodeNil(column: column) ? nil : try row.decode(column: column, as: Date.self)
        }
    }

    func uuid(_ column: String) throws -> UUID? {
        switch storage {
        case .lite(let row): row.column(column)?.string.flatMap(UUID.init(uuidString:))
        case .sql(let row): try row.decodeNil(column: column) ? nil : try row.decode(column: column, as: UUID.self)
        }
    }
}


/// Whether a write must record an audit event.
enum StoreAudit: Sendable {
    case required
    /// Not a change of anyone's data that the audit trail follows (a session, a throttle, a cache stamp): the reason.
    case notAudited(because: String)
}

/// Someone else's write came first: nothing was written.
struct StoreConflict: Error, Sendable {}

enum StoreError: Error, CustomStringConvertible {
    case readOnly, notAudited, noRow, notSQL

    var description: String {
        switch self {
        case .readOnly: "a write outside Store.write"
        case .notAudited: "a write transaction that recorded no audit event"
        case .noRow: "a statement that must return a row returned none"
        case .notSQL: "a database that is not an SQL database"
        }
    }
}

/// The two SQL databases, where a query must be written differently for each (full-text search, index hints).
/// Only Platform's helpers (`SearchIndex`, `indexHint`) look at it; features pass it along.
struct StoreEngine: Sendable {
    let isPostgres: Bool

    init(_ db: any Database) {
        isPostgres = (db as? any SQLDatabase)?.dialect.name == "postgresql"
    }

    /// SQLite's `INDEXED BY` for a query its planner gets wrong; nothing on PostgreSQL.
    func indexHint(_ index: String) -> SQLQueryString {
        isPostgres ? "" : " INDEXED BY \(unsafeRaw: index)"
    }

    static func sql(_ db: any Database) throws -> any SQLDatabase {
        guard let sql = db as? any SQLDatabase else { throw StoreError.notSQL }
        return sql
    }
}

/// One section's autosave: the columns of M008's view and the arguments of M012's function.
struct SectionSave: Sendable {
    let application: UUID
    let section: String
    let expectedVersion: Int
    /// JSON: `[{id, code, text, integer, date, bool}]`.
    let answers: String
    /// JSON: the codes whose answers are removed.
    let emptied: String
    /// JSON: the project's columns, or nil.
    let project: String?
    let savedAt: Date

    /// The insert into M008's view, as `LiteStore` runs it.
    static let insert = """
        INSERT INTO application_section_saves (application_id, section, expected_version, answers, emptied, project, saved_at) \
        VALUES (?, ?, ?, ?, ?, ?, ?)
        """

    var liteStatement: LiteStatement {
        LiteStatement(sql: Self.insert, values: [
            LiteValue(application), .text(section), LiteValue(expectedVersion), .text(answers), .text(emptied), LiteValue(project),
            LiteValue(savedAt),
        ])
    }

    /// The same insert as `liteStatement`, for a transaction of sqlite-nio's.
    var sqliteInsert: SQLQueryString {
        """
        INSERT INTO application_section_saves (application_id, section, expected_version, answers, emptied, project, saved_at) \
        VALUES (\(bind: application), \(bind: section), \(bind: expectedVersion), \(bind: answers), \(bind: emptied), \(bind: project), \
        \(bind: savedAt))
        """
    }

    var postgresCall: SQLQueryString {
        """
        SELECT subsidia_save_section(\(bind: application), \(bind: section), \(bind: expectedVersion), \(bind: answers)::jsonb, \
        \(bind: emptied)::jsonb, \(bind: project)::jsonb, \(bind: savedAt)) AS version
        """
    }
}
