import Foundation
import SQLKit

/// Full-text search over an application's title, applicant and description, for the officers' queue: SQLite
/// FTS5 on the embedded default, its rows numbered as the narrow `application_search_keys` table that holds each
/// entry's queue columns (migrations M006, M009), a generated tsvector with a GIN index on PostgreSQL (M004).
/// Text is folded (lower case, no accents) before it is stored and searched, so both engines agree that
/// "fete" finds "Fête".
enum SearchIndex {
    static func fold(_ text: String) -> String {
        text.folding(options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: nil)
    }

    /// Replaces the application's entry (called at each submission, inside its transaction): one upsert on
    /// PostgreSQL's table keyed by application; on SQLite one insert into M009's view, whose trigger writes the
    /// entry's queue columns and replaces its text in the FTS5 index.
    static func update(_ id: UUID, title: String, applicant: String, reference: String?, description: String, on tx: StoreTransaction) async throws {
        try await tx.execute(upsert(id, title: title, applicant: applicant, reference: reference, description: description, on: tx.engine))
    }

    /// The entry's statement for `engine`, for a write that runs its statements itself (`Store.commit`).
    static func upsert(_ id: UUID, title: String, applicant: String, reference: String?, description: String, on engine: StoreEngine)
        -> SQLQueryString {
        let body = fold([reference ?? "", title, applicant, description].joined(separator: "\n"))
        if engine.isPostgres {
            return """
                INSERT INTO application_search (application_id, body) VALUES (\(bind: id), \(bind: body)) \
                ON CONFLICT (application_id) DO UPDATE SET body = excluded.body
                """
        }
        return "INSERT INTO application_search_entries (application_id, body) VALUES (\(bind: id), \(bind: body))"
    }

    /// The table of the matches' queue columns, as `a`, with `conditions`: on SQLite M009's narrow table numbered as
    /// the FTS5 rows (`conditions(true)`: the search reads its keys), on PostgreSQL the applications.
    static func matches(on engine: StoreEngine, _ conditions: (_ onKeys: Bool) -> SQLQueryString) -> SQLQueryString {
        engine.isPostgres ? "applications a WHERE " + conditions(false) : "application_search_keys a WHERE " + conditions(true)
    }

    /// The words of `q` the index can look up, folded: at most eight.
    static func words(_ q: String) -> [String] {
        Array(fold(q).split { !$0.isLetter && !$0.isNumber }.map(String.init).prefix(8))
    }

    /// The search words as a query each engine understands: every word must be there (a prefix match on
    /// SQLite, a word match on PostgreSQL); nil when nothing searchable was typed. `a` is the applications
    /// table, or on SQLite with `onKeys` the table of the matches' queue columns (M009), read without going
    /// through each application's id.
    static func condition(_ q: String, on engine: StoreEngine, onKeys: Bool = false) -> SQLQueryString? {
        let words = words(q)
        guard !words.isEmpty else { return nil }
        if engine.isPostgres {
            let query = words.joined(separator: " ")
            return "a.id IN (SELECT application_id FROM application_search WHERE vector @@ plainto_tsquery('simple', \(bind: query)))"
        }
        let match = words.map { "\"" + $0 + "\"*" }.joined(separator: " ")
        let rows: SQLQueryString = "(SELECT rowid FROM application_search WHERE application_search MATCH \(bind: match))"
        return onKeys ? "a.doc_id IN " + rows : "a.id IN (SELECT id FROM application_search_keys WHERE doc_id IN " + rows + ")"
    }
}
