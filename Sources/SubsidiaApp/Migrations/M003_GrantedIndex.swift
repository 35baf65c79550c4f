import Fluent
import SQLKit

/// What is already granted in a call and action is summed on every cap check (AMIF-02): a partial index over
/// granted applications keeps that sum from reading every application of the call.
struct M003_GrantedIndex: AsyncMigration {
    func prepare(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.raw("CREATE INDEX idx_applications_granted ON applications (call_id, action_code) WHERE granted_cents IS NOT NULL").run()
    }

    func revert(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.raw("DROP INDEX idx_applications_granted").run()
    }
}
