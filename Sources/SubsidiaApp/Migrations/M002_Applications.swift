import Fluent
import SQLKit

/// Applications: the call's questions, the application with its typed answers, budget and financing lines,
/// earlier subsidies, documents, submitted versions, reference counters and personal access tokens.
/// Runs on SQLite and PostgreSQL. Never edit once landed.
struct M002_Applications: AsyncMigration {
    func prepare(on db: any Database) async throws {
        // COM-26: the call's rate per kilometre for a private car (0.30 € for the communes subsidy).
        try await db.schema("calls").field("km_rate_cents", .int64).update()
        // The form a person was sending when their session ended, kept to be saved after they log in again.
        // (One column per statement: SQLite alters a table one column at a time.)
        try await db.schema("sessions").field("pending_path", .string).update()
        try await db.schema("sessions").field("pending_body", .string).update()

        try await db.schema("call_questions")
            .id()
            .field("call_id", .uuid, .required, .references("calls", "id", onDelete: .cascade))
            .field("code", .string, .required)
            .field("section", .string, .required)
            .field("type", .string, .required)
            .field("required", .bool, .required)
            .field("position", .int, .required)
            .field("label_fr", .string, .required)
            .field("label_en", .string, .required)
            .field("label_de", .string, .required)
            .field("hint_fr", .string)
            .field("hint_en", .string)
            .field("hint_de", .string)
            .field("max_length", .int, .required)
            .field("max_lines", .int)
            .field("min_value", .int)
            .field("max_value", .int)
            .field("required_if_yes", .string)
            .unique(on: "call_id", "code")
            .create()

        try await db.schema("applications")
            .id()
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .field("call_id", .uuid, .required, .references("calls", "id"))
            .field("organisation_id", .uuid, .required, .references("organisations", "id"))
            .field("created_by", .uuid, .required)
            .field("status", .string, .required)
            .field("reference", .string)
            .field("title", .string, .required)
            .field("project_start", .string)
            .field("project_end", .string)
            .field("action_code", .string)
            .field("festival_code", .string)
            .field("requested_cents", .int64)
            .field("submitted_at", .datetime)
            .field("submission_count", .int, .required)
            .field("withdrawn_at", .datetime)
            .field("granted_cents", .int64)
            .field("legal_name", .string, .required)
            .field("legal_form", .string, .required)
            .field("street", .string, .required)
            .field("postcode", .string, .required)
            .field("locality", .string, .required)
            .field("country", .string, .required)
            .field("phone", .string)
            .field("website", .string)
            .field("bank_holder", .string)
            .field("iban", .string)
            .field("bic", .string)
            .field("contact1_name", .string, .required)
            .field("contact1_function", .string, .required)
            .field("contact1_phone", .string, .required)
            .field("contact1_email", .string, .required)
            .field("contact1_address", .string)
            .field("contact2_name", .string)
            .field("contact2_function", .string)
            .field("contact2_phone", .string)
            .field("contact2_email", .string)
            .field("contact2_address", .string)
            .field("revenue_article", .bool)
            .field("applicant_confirmed", .bool, .required)
            .field("declaration_name", .string)
            .field("declaration_function", .string)
            .field("declaration_place", .string)
            .field("declaration_date", .string)
            .field("declared_by", .uuid)
            .field("declared_at", .datetime)
            .unique(on: "reference")
            .create()

        try await db.schema("application_sections")
            .id()
            .field("application_id", .uuid, .required, .references("applications", "id", onDelete: .cascade))
            .field("section", .string, .required)
            .field("version", .int, .required)
            .field("marked_complete", .bool, .required)
            .unique(on: "application_id", "section")
            .create()

        try await db.schema("application_answers")
            .id()
            .field("application_id", .uuid, .required, .references("applications", "id", onDelete: .cascade))
            .field("question_code", .string, .required)
            .field("text_value", .string)
            .field("int_value", .int64)
            .field("date_value", .string)
            .field("bool_value", .bool)
            .unique(on: "application_id", "question_code")
            .create()

        try await db.schema("expense_lines")
            .id()
            .field("application_id", .uuid, .required, .references("applications", "id", onDelete: .cascade))
            .field("position", .int, .required)
            .field("category", .int, .required)
            .field("detail", .string, .required)
            .field("justification", .string, .required)
            .field("quantity", .int, .required)
            .field("unit_cost_cents", .int64, .required)
            .field("function", .string, .required)
            .field("headcount", .int, .required)
            .field("share_bp", .int, .required)
            .field("running_cost", .bool, .required)
            .field("private_car", .bool, .required)
            .field("amount_cents", .int64, .required)
            .create()

        try await db.schema("revenue_lines")
            .id()
            .field("application_id", .uuid, .required, .references("applications", "id", onDelete: .cascade))
            .field("position", .int, .required)
            .field("kind", .string, .required)
            .field("source", .string, .required)
            .field("detail", .string, .required)
            .field("amount_cents", .int64, .required)
            .field("loan_linked", .bool, .required)
            .create()

        try await db.schema("previous_subsidies")
            .id()
            .field("application_id", .uuid, .required, .references("applications", "id", onDelete: .cascade))
            .field("project_name", .string, .required)
            .field("year", .int, .required)
            .field("granted", .bool, .required)
            .create()

        try await db.schema("application_documents")
            .id()
            .field("application_id", .uuid, .required, .references("applications", "id", onDelete: .cascade))
            .field("item_code", .string)
            .field("filename", .string, .required)
            .field("content_type", .string, .required)
            .field("size_bytes", .int64, .required)
            .field("sha256", .string, .required)
            .field("content", .data, .required)
            .field("uploaded_by", .uuid, .required)
            .field("uploaded_at", .datetime, .required)
            .unique(on: "application_id", "filename")
            .create()

        try await db.schema("application_submissions")
            .id()
            .field("application_id", .uuid, .required, .references("applications", "id", onDelete: .cascade))
            .field("number", .int, .required)
            .field("submitted_at", .datetime, .required)
            .field("submitted_by", .uuid, .required)
            .field("content_sha256", .string, .required)
            .field("snapshot", .string, .required)
            .field("receipt_pdf", .data, .required)
            .unique(on: "application_id", "number")
            .create()

        try await db.schema("call_counters")
            .field("call_id", .uuid, .identifier(auto: false))
            .field("next_number", .int, .required)
            .create()

        try await db.schema("api_tokens")
            .id()
            .field("created_at", .datetime)
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("name", .string, .required)
            .field("token_hash", .string, .required)
            .field("last_used_at", .datetime)
            .field("revoked_at", .datetime)
            .unique(on: "token_hash")
            .create()

        if let sql = db as? any SQLDatabase {
            let indexes: [(String, String, [String])] = [
                ("idx_questions_call", "call_questions", ["call_id", "position"]),
                ("idx_applications_org", "applications", ["organisation_id", "updated_at"]),
                ("idx_applications_call", "applications", ["call_id", "status"]),
                ("idx_expenses_app", "expense_lines", ["application_id", "position"]),
                ("idx_revenues_app", "revenue_lines", ["application_id", "position"]),
                ("idx_previous_app", "previous_subsidies", ["application_id"]),
                ("idx_documents_app", "application_documents", ["application_id"]),
                ("idx_api_tokens_user", "api_tokens", ["user_id"]),
            ]
            for (name, table, columns) in indexes {
                var builder = sql.create(index: name).on(table)
                for c in columns { builder = builder.column(c) }
                try await builder.run()
            }
        }
    }

    func revert(on db: any Database) async throws {
        for table in ["api_tokens", "call_counters", "application_submissions", "application_documents", "previous_subsidies",
                      "revenue_lines", "expense_lines", "application_answers", "application_sections", "applications", "call_questions"] {
            try await db.schema(table).delete()
        }
        try await db.schema("sessions").deleteField("pending_path").update()
        try await db.schema("sessions").deleteField("pending_body").update()
        try await db.schema("calls").deleteField("km_rate_cents").update()
    }
}
