import Fluent
import Foundation
import SQLKit

/// Full-text search over an application's title, applicant and description, for the officers' queue: SQLite
/// FTS5 on the embedded default, a generated tsvector with a GIN index on PostgreSQL (migration M004).
/// Text is folded (lower case, no accents) before it is stored and searched, so both engines agree that
/// "fete" finds "Fête".
enum SearchIndex {
    static func fold(_ text: String) -> String {
        text.folding(options: [.diacriticInsensitive, .caseInsensitive, .widthInsensitive], locale: nil)
    }

    /// Replaces the application's entry (called at each submission, inside its transaction).
    static func update(_ id: UUID, title: String, applicant: String, reference: String?, description: String, on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        let body = fold([reference ?? "", title, applicant, description].joined(separator: "\n"))
        try await sql.delete(from: "application_search").where("application_id", .equal, SQLBind(id)).run()
        try await sql.insert(into: "application_search").columns("application_id", "body").values(SQLBind(id), SQLBind(body)).run()
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
        return "a.id IN (SELECT application_id FROM application_search WHERE application_search MATCH \(bind: match))"
    }
}
