import Fluent
import SQLKit

/// Instruction after submission: requests for missing items (COM-15), the eligibility checklist (COM-03,
/// AMIF-04), internal comments, decisions with their reasons (COM-17), the lock row that serialises approvals
/// of one call (AMIF-02), and full-text search over title, applicant and description (SQLite FTS5 on the
/// embedded default, a tsvector with a GIN index on PostgreSQL).
struct M004_Instruction: AsyncMigration {
    func prepare(on db: any Database) async throws {
        try await db.schema("missing_item_requests")
            .id()
            .field("application_id", .uuid, .required, .references("applications", "id", onDelete: .cascade))
            .field("requested_by", .uuid, .required)
            .field("requested_at", .datetime, .required)
            .field("items", .string, .required)
            .field("due_date", .string, .required)
            .field("answered_at", .datetime)
            .create()

        try await db.schema("eligibility_checks")
            .id()
            .field("application_id", .uuid, .required, .references("applications", "id", onDelete: .cascade))
            .field("item_code", .string, .required)
            .field("passed", .bool, .required)
            .field("justification", .string, .required)
            .field("checked_by", .uuid, .required)
            .field("checked_at", .datetime, .required)
            .unique(on: "application_id", "item_code")
            .create()

        try await db.schema("application_comments")
            .id()
            .field("application_id", .uuid, .required, .references("applications", "id", onDelete: .cascade))
            .field("author_id", .uuid, .required)
            .field("author_name", .string, .required)
            .field("created_at", .datetime, .required)
            .field("body", .string, .required)
            .create()

        try await db.schema("decisions")
            .id()
            .field("application_id", .uuid, .required, .references("applications", "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .field("amount_cents", .int64)
            .field("reasons", .string, .required)
            .field("binding_rule", .string)
            .field("decided_by", .uuid, .required)
            .field("decided_at", .datetime, .required)
            .create()

        try await db.schema("evaluation_assignments")
            .id()
            .field("application_id", .uuid, .required, .references("applications", "id", onDelete: .cascade))
            .field("evaluator_id", .uuid, .required, .references("users", "id"))
            .field("assigned_by", .uuid, .required)
            .field("assigned_at", .datetime, .required)
            .field("declaration", .string, .required)
            .field("declared_at", .datetime)
            .field("conflict_note", .string)
            .field("comment", .string)
            .field("handed_in_at", .datetime)
            .field("total_hundredths", .int)
            .unique(on: "application_id", "evaluator_id")
            .create()

        try await db.schema("evaluation_scores")
            .id()
            .field("assignment_id", .uuid, .required, .references("evaluation_assignments", "id", onDelete: .cascade))
            .field("item_code", .string, .required)
            .field("score", .int, .required)
            .unique(on: "assignment_id", "item_code")
            .create()

        // SQLite adds one column per ALTER TABLE.
        try await db.schema("applications").field("decision_reasons", .string).update()
        try await db.schema("applications").field("decided_at", .datetime).update()
        try await db.schema("applications").field("assessment", .string).update()
        try await db.schema("applications").field("score_hundredths", .int).update()
        try await db.schema("calls").field("approval_lock", .int, .required, .sql(.default(0))).update()
        // The call's scoring grid (COM-09) as data; empty means the platform's default for the call's rules.
        try await db.schema("calls").field("scoring_grid", .string).update()

        guard let sql = db as? any SQLDatabase else { return }
        try await sql.raw("CREATE INDEX idx_missing_app ON missing_item_requests (application_id)").run()
        try await sql.raw("CREATE INDEX idx_comments_app ON application_comments (application_id)").run()
        try await sql.raw("CREATE INDEX idx_decisions_app ON decisions (application_id)").run()
        try await sql.raw("CREATE INDEX idx_assignments_evaluator ON evaluation_assignments (evaluator_id)").run()
        try await sql.raw("CREATE INDEX idx_applications_queue ON applications (call_id, submitted_at, id)").run()
        if sql.dialect.name == "postgresql" {
            try await sql.raw("""
                CREATE TABLE application_search (application_id UUID PRIMARY KEY REFERENCES applications (id) ON DELETE CASCADE, \
                body TEXT NOT NULL, vector TSVECTOR GENERATED ALWAYS AS (to_tsvector('simple', body)) STORED)
                """).run()
            try await sql.raw("CREATE INDEX idx_application_search ON application_search USING GIN (vector)").run()
        } else {
            // remove_diacritics: "Fete" finds "Fête", as people type without accents.
            try await sql.raw("CREATE VIRTUAL TABLE application_search USING fts5(application_id UNINDEXED, body, tokenize = 'unicode61 remove_diacritics 2')").run()
        }
    }

    func revert(on db: any Database) async throws {
        if let sql = db as? any SQLDatabase { try await sql.raw("DROP TABLE application_search").run() }
        try await db.schema("calls").deleteField("scoring_grid").update()
        try await db.schema("calls").deleteField("approval_lock").update()
        for field in ["score_hundredths", "assessment", "decided_at", "decision_reasons"] {
            try await db.schema("applications").deleteField(.string(field)).update()
        }
        for table in ["evaluation_scores", "evaluation_assignments", "decisions", "application_comments", "eligibility_checks",
                      "missing_item_requests"] {
            try await db.schema(table).delete()
        }
    }
}
