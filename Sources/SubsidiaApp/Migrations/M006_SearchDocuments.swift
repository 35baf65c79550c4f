import Fluent
import SQLKit

/// SQLite's search index becomes an FTS5 index over a plain table keyed by application (external content):
/// replacing an application's entry is then one upsert found by its unique key, where the FTS5 table of M004
/// had to scan every entry to find the application's one (its id column is not indexed), which made each
/// submission slower as the index grew. Triggers keep the index in step with the table. PostgreSQL's table
/// already has the application as its primary key and is left as it is.
struct M006_SearchDocuments: AsyncMigration {
    func prepare(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase, sql.dialect.name != "postgresql" else { return }
        try await Self.createEntries(sql)
        try await sql.raw("INSERT INTO application_search_docs (application_id, body) SELECT application_id, body FROM application_search").run()
        try await sql.raw("DROP TABLE application_search").run()
        try await Self.createIndex(sql)
    }

    /// The entries table, keyed by application (also used by M009's revert).
    static func createEntries(_ sql: any SQLDatabase) async throws {
        try await sql.raw("""
            CREATE TABLE application_search_docs (id INTEGER PRIMARY KEY, \
            application_id BLOB NOT NULL UNIQUE REFERENCES applications (id) ON DELETE CASCADE, body TEXT NOT NULL)
            """).run()
    }

    /// The FTS5 index over the entries, built from them, and the triggers that keep it in step (also used by
    /// M009's revert).
    static func createIndex(_ sql: any SQLDatabase) async throws {
        try await sql.raw("""
            CREATE VIRTUAL TABLE application_search USING fts5(body, content = 'application_search_docs', content_rowid = 'id', \
            tokenize = 'unicode61 remove_diacritics 2')
            """).run()
        try await sql.raw("INSERT INTO application_search (application_search) VALUES ('rebuild')").run()
        try await sql.raw("""
            CREATE TRIGGER application_search_docs_ai AFTER INSERT ON application_search_docs BEGIN \
            INSERT INTO application_search (rowid, body) VALUES (new.id, new.body); END
            """).run()
        try await sql.raw("""
            CREATE TRIGGER application_search_docs_ad AFTER DELETE ON application_search_docs BEGIN \
            INSERT INTO application_search (application_search, rowid, body) VALUES ('delete', old.id, old.body); END
            """).run()
        try await sql.raw("""
            CREATE TRIGGER application_search_docs_au AFTER UPDATE ON application_search_docs BEGIN \
            INSERT INTO application_search (application_search, rowid, body) VALUES ('delete', old.id, old.body); \
            INSERT INTO application_search (rowid, body) VALUES (new.id, new.body); END
            """).run()
    }

    func revert(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase, sql.dialect.name != "postgresql" else { return }
        for trigger in ["application_search_docs_ai", "application_search_docs_ad", "application_search_docs_au"] {
            try await sql.raw("DROP TRIGGER \(unsafeRaw: trigger)").run()
        }
        try await sql.raw("DROP TABLE application_search").run()
        try await sql.raw("CREATE VIRTUAL TABLE application_search USING fts5(application_id UNINDEXED, body, tokenize = 'unicode61 remove_diacritics 2')").run()
        try await sql.raw("INSERT INTO application_search (application_id, body) SELECT application_id, body FROM application_search_docs").run()
        try await sql.raw("DROP TABLE application_search_docs").run()
    }
}
