import Fluent
import SQLKit

/// A search in the officers' queue finds its matches in the full-text index, then checks each one against the
/// filters and reads its sort keys. Read from the application rows (60 columns, with their texts), that was most
/// of the queue's time on SQLite (perf: B-tree page fetches for the table); this index, found by the
/// application's id, holds every column the filters and the sorts read, so the matches never touch the table.
/// PostgreSQL joins its search table to the applications by primary key and is left as it is.
struct M007_QueueLookup: AsyncMigration {
    func prepare(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase, sql.dialect.name != "postgresql" else { return }
        try await sql.raw("""
            CREATE INDEX idx_applications_lookup ON applications (id, call_id, status, submitted_at, requested_cents, \
            score_hundredths, action_code, legal_form, locality)
            """).run()
    }

    func revert(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase, sql.dialect.name != "postgresql" else { return }
        try await sql.raw("DROP INDEX idx_applications_lookup").run()
    }
}
