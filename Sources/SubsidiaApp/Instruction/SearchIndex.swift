import Fluent
import Foundation
import SQLKit

/// Full-text search over an application's title, applicant and description, for the officers' queue: SQLite
/// FTS5 over `application_search_docs` on the embedded default (migration M006), a generated tsvector with a
/// GIN index on PostgreSQL (migration M004).
/// Text is folded (lower case, no accents) before it is stored and searched, so both engines agree that
/// "fete" finds "Fête".
enum SearchIndex {
    static func fold(_ text: String) -> String {
        text.folding(options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: nil)
    }

    /// Replaces the application's entry (called at each submission, inside its transaction): one upsert on the
    /// table keyed by application; on SQLite, triggers carry the change into the FTS5 index.
    static func update(_ id: UUID, title: String, applicant: String, reference: String?, description: String, on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        let body = fold([reference ?? "", title, applicant, description].joined(separator: "\n"))
        let table = sql.dialect.name == "postgresql" ? "application_search" : "application_search_docs"
        try await sql.raw("""
            INSERT INTO \(unsafeRaw: table) (application_id, body) VALUES (\(bind: id), \(bind: body)) \
            ON CONFLICT (application_id) DO UPDATE SET body = excluded.body
            """).run()
    }

    /// The search words as a query each engine understands: every word must be there (a prefix match on
    /// SQLite, a word match on PostgreSQL); nil when nothing searchable was typed.
    static func condition(_ q: String, postgres: Bool) -> SQLQueryString? {
        let words = fold(q).split { !$0.isLetter && !$0.isNumber }.map(String.init).filter { !$0.isEmpty }.prefix(8)
        guard !words.isEmpty else { return nil }
        if postgres {
            let query = words.joined(separator: " ")
            return "a.id IN (SELECT application_id FROM application_search WHERE vector @@ plainto_tsquery('simple', \(bind: query)))"
        }
        let match = words.map { "\"" + $0 + "\"*" }.joined(separator: " ")
        return """
            a.id IN (SELECT application_id FROM application_search_docs \
            WHERE id IN (SELECT rowid FROM application_search WHERE application_search MATCH \(bind: match)))
            """
    }
}
