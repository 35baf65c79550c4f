import Fluent
import SQLKit

/// SQLite's search finds its matches' filter and sort columns in a narrow table whose integer key is the FTS5
/// row id. Before, each match went from the FTS5 row id to the entries table (whose rows carry the text), then
/// to the application by its 36-character id: 20–27 ms of SQLite for a theme word's 4,500 matches, 7–13 ms
/// this way (measured on the benchmark file). The FTS5 index keeps no copy of the text (contentless, rows
/// deletable), as nothing reads the text back from it.
/// `application_search_keys` holds, for each submitted application, the queue's columns; a trigger on
/// `applications` keeps them in step. An entry is written by one insert into the view `application_search_entries`
/// (`SearchIndex.update`). M007's covering index, through which each match was read, is dropped: nothing else
/// reads it, and every write to an application's queue columns kept it up to date. PostgreSQL's search table
/// (M004) is left as it is.
struct M009_SearchKeys: AsyncMigration {
    /// The queue's filter and sort columns, as `applications` names them.
    static let names = ["call_id", "status", "action_code", "legal_form", "locality", "requested_cents", "submitted_at", "score_hundredths"]
    static let columns = names.joined(separator: ", ")

    func prepare(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase, sql.dialect.name == "sqlite" else { return }
        let columns = Self.columns
        try await sql.raw("""
            CREATE TABLE application_search_keys (doc_id INTEGER PRIMARY KEY, \
            id BLOB NOT NULL UNIQUE REFERENCES applications (id) ON DELETE CASCADE, call_id BLOB NOT NULL, status TEXT NOT NULL, \
            action_code TEXT, legal_form TEXT NOT NULL, locality TEXT NOT NULL, requested_cents INTEGER, submitted_at REAL, \
            score_hundredths INTEGER)
            """).run()
        try await sql.raw("""
            INSERT INTO application_search_keys (doc_id, id, \(unsafeRaw: columns)) \
            SELECT d.id, a.id, \(unsafeRaw: Self.names.map { "a." + $0 }.joined(separator: ", ")) \
            FROM application_search_docs d JOIN applications a ON a.id = d.application_id
            """).run()
        for trigger in ["application_search_docs_ai", "application_search_docs_ad", "application_search_docs_au"] {
            try await sql.raw("DROP TRIGGER \(unsafeRaw: trigger)").run()
        }
        try await sql.raw("DROP TABLE application_search").run()
        try await sql.raw("""
            CREATE VIRTUAL TABLE application_search USING fts5(body, content = '', contentless_delete = 1, \
            tokenize = 'unicode61 remove_diacritics 2')
            """).run()
        try await sql.raw("INSERT INTO application_search (rowid, body) SELECT id, body FROM application_search_docs").run()
        try await sql.raw("DROP TABLE application_search_docs").run()
        try await sql.raw("DROP INDEX idx_applications_lookup").run()
        try await Self.triggers(sql)
    }

    private static func triggers(_ sql: any SQLDatabase) async throws {
        let columns = Self.columns
        func set(from row: String) -> String { names.map { "\($0) = \(row).\($0)" }.joined(separator: ", ") }
        try await sql.raw("""
            CREATE TRIGGER application_search_keys_follow AFTER UPDATE OF \(unsafeRaw: columns) ON applications BEGIN \
            UPDATE application_search_keys SET \(unsafeRaw: set(from: "NEW")) WHERE id = NEW.id; END
            """).run()
        try await sql.raw("""
            CREATE TRIGGER application_search_keys_ad AFTER DELETE ON application_search_keys BEGIN \
            DELETE FROM application_search WHERE rowid = OLD.doc_id; END
            """).run()
        try await sql.raw("CREATE VIEW application_search_entries AS SELECT NULL AS application_id, NULL AS body WHERE 0").run()
        try await sql.raw("""
            CREATE TRIGGER application_search_entries_insert INSTEAD OF INSERT ON application_search_entries BEGIN \
            INSERT INTO application_search_keys (id, \(unsafeRaw: columns)) SELECT id, \(unsafeRaw: columns) FROM applications \
            WHERE id = NEW.application_id ON CONFLICT (id) DO UPDATE SET \(unsafeRaw: set(from: "excluded")); \
            DELETE FROM application_search WHERE rowid = (SELECT doc_id FROM application_search_keys WHERE id = NEW.application_id); \
            INSERT INTO application_search (rowid, body) SELECT doc_id, NEW.body FROM application_search_keys WHERE id = NEW.application_id; \
            END
            """).run()
    }

    /// Back to M006's entries table, the text rebuilt from each application (reference, title, applicant and
    /// description, as `SearchIndex.update` writes it; FTS5 folds case and accents itself).
    func revert(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase, sql.dialect.name == "sqlite" else { return }
        try await sql.raw("DROP TRIGGER application_search_entries_insert").run()
        try await sql.raw("DROP VIEW application_search_entries").run()
        try await sql.raw("DROP TRIGGER application_search_keys_ad").run()
        try await sql.raw("DROP TRIGGER application_search_keys_follow").run()
        try await M006_SearchDocuments.createEntries(sql)
        try await sql.raw("""
            INSERT INTO application_search_docs (id, application_id, body) \
            SELECT k.doc_id, a.id, COALESCE(a.reference, '') || char(10) || a.title || char(10) || a.legal_name || char(10) || \
            COALESCE((SELECT text_value FROM application_answers WHERE application_id = a.id AND question_code = 'description'), '') \
            FROM application_search_keys k JOIN applications a ON a.id = k.id
            """).run()
        try await sql.raw("DROP TABLE application_search").run()
        try await sql.raw("DROP TABLE application_search_keys").run()
        try await M006_SearchDocuments.createIndex(sql)
        try await M007_QueueLookup().prepare(on: db)
    }
}
