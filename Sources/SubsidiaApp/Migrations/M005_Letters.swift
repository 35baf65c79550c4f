import Fluent
import SQLKit

/// Decision letters (COM-17) kept as sent, in the applicant's language, with the moment a member of the
/// applicant organisation first opened them (the dashboard's notice until then); and the blind-review
/// option of a call, which hides the applicant's identity from its evaluators.
struct M005_Letters: AsyncMigration {
    func prepare(on db: any Database) async throws {
        // SQLite adds one column per ALTER TABLE.
        try await db.schema("decisions").field("letter_pdf", .data).update()
        try await db.schema("decisions").field("letter_language", .string).update()
        try await db.schema("decisions").field("letter_opened_at", .datetime).update()
        try await db.schema("calls").field("blind_review", .bool, .required, .sql(.default(false))).update()
        guard let sql = db as? any SQLDatabase else { return }
        // The ranking reads one call's files in three statuses, of one action or all, from the index alone.
        try await sql.raw("""
            CREATE INDEX idx_applications_ranking ON applications \
            (call_id, status, action_code, score_hundredths, submitted_at, requested_cents, granted_cents, id)
            """).run()
    }

    func revert(on db: any Database) async throws {
        if let sql = db as? any SQLDatabase { try await sql.raw("DROP INDEX idx_applications_ranking").run() }
        try await db.schema("calls").deleteField("blind_review").update()
        for field in ["letter_opened_at", "letter_language", "letter_pdf"] {
            try await db.schema("decisions").deleteField(.string(field)).update()
        }
    }
}
