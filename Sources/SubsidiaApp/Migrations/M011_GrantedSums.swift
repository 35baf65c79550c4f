import Fluent
import SQLKit

/// The sums of what is granted in a call and in an action (AMIF-02, the cap panel of the task list and the check at
/// submission) read from the index alone. M003's index found the granted applications, but SQLite then read each
/// one's row in the table for its amount: 1,666 granted applications cost 5–9 ms per sum on the benchmark file
/// (110,000 applications, measured in the `sqlite3` shell), a quarter of a submission's time. With the amount and
/// the id in the index, the sum never touches the table.
struct M011_GrantedSums: AsyncMigration {
    func prepare(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.raw("DROP INDEX idx_applications_granted").run()
        try await sql.raw("""
            CREATE INDEX idx_applications_granted ON applications (call_id, action_code, granted_cents, id) \
            WHERE granted_cents IS NOT NULL
            """).run()
    }

    func revert(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.raw("DROP INDEX idx_applications_granted").run()
        try await M003_GrantedIndex().prepare(on: db)
    }
}
